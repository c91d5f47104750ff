import { runCli } from './cli';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('interrupted')));

void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`speckit-orchestra: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
