export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const USAGE = `usage: speckit-orchestra <command> [options]

commands:
  tasks      show the chosen feature's phases, tasks, dependencies and critical path
`;

/** Entry point shared by the bin script and the tests; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
      io.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.stderr.write(`speckit-orchestra: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}
