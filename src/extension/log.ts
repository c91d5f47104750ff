import * as vscode from 'vscode';
import { redactDeep, type Logger } from '../core/engine/light';
import type { LogLevel } from '../protocol/engine-events';

/** One line as the log channel received it, before the user's level filters it. */
export interface LogLine {
  level: LogLevel;
  message: string;
}

/**
 * The one output channel of the extension; its level is the user's choice through VS Code's "Set Log Level".
 * `onDidLog` sees every line written to it at any level: host tests read it to prove the key is never logged.
 */
export function createLog(): {
  log: Logger;
  channel: vscode.LogOutputChannel;
  onDidLog: vscode.Event<LogLine>;
  dispose: () => void;
} {
  const channel = vscode.window.createOutputChannel('Spec-Kit Agent Orchestra', { log: true });
  const lines = new vscode.EventEmitter<LogLine>();
  // Nothing reaches the channel with a secret in it (the key echoed by a gateway, any `sk-ant-…`).
  const write = (level: LogLevel, raw: string | Error): void => {
    const message = redactDeep(raw);
    const text = message instanceof Error ? (message.stack ?? message.message) : message;
    lines.fire({ level, message: text });
    if (level === 'error') channel.error(message);
    else channel[level](text);
  };
  const log: Logger = {
    trace: (m) => write('trace', m),
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
  return {
    log,
    channel,
    onDidLog: lines.event,
    dispose: () => {
      lines.dispose();
      channel.dispose();
    },
  };
}
