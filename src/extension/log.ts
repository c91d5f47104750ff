import * as vscode from 'vscode';
import type { Logger } from '../core/util/logger';

/** The one output channel of the extension; its level is the user's choice through VS Code's "Set Log Level". */
export function createLog(): { log: Logger; channel: vscode.LogOutputChannel } {
  const channel = vscode.window.createOutputChannel('Spec-Kit Agent Orchestra', { log: true });
  const log: Logger = {
    trace: (m) => channel.trace(m),
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
  };
  return { log, channel };
}
