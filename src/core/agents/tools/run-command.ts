import * as z from 'zod';
import { assertNever } from '../../util/assert-never';
import { defineTool, toolError, toolOk } from './tool';

export const runCommandTool = defineTool({
  name: 'run_command',
  description:
    'Run one of the project\'s configured commands by name (for example "test" or "build"). There is no general shell: only configured names work, and some need the user\'s approval. Output is shortened to its beginning and end.',
  inputSchema: z.object({ name: z.string().min(1).describe('The configured command name, e.g. "test"') }),
  async run(input, context) {
    const outcome = await context.runCommand(input.name, context.signal);
    switch (outcome.kind) {
      case 'unknown-command':
        return toolError(
          outcome.available.length === 0
            ? `No commands are configured for this project, so "${outcome.name}" cannot run.`
            : `"${outcome.name}" is not a configured command. Configured: ${outcome.available.join(', ')}.`,
        );
      case 'denied':
        return toolError(`The command "${outcome.name}" was not run: ${outcome.reason}`);
      case 'ran': {
        const r = outcome.result;
        if (r.kind === 'failed-to-start') return toolError(`"${outcome.argv.join(' ')}" could not start: ${r.message}`);
        const status = r.timedOut
          ? 'timed out and was stopped'
          : r.aborted
            ? 'was cancelled'
            : r.exitCode === null
              ? `was killed (${r.signal ?? 'signal'})`
              : `exited with code ${r.exitCode}`;
        const sections = [`$ ${outcome.argv.join(' ')}\n${status} after ${Math.round(r.durationMs)} ms`];
        if (r.stdout !== '') sections.push(`[stdout]\n${r.stdout}`);
        if (r.stderr !== '') sections.push(`[stderr]\n${r.stderr}`);
        const text = sections.join('\n');
        return r.exitCode === 0 ? toolOk(text) : toolError(text);
      }
      default:
        return assertNever(outcome);
    }
  },
});
