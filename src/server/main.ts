// Entry of dist/server.js. The transport comes from the command line, as LSP clients pass it:
// `--stdio` for editors that spawn the server themselves, `--node-ipc` when VS Code's client forks it.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startLanguageServer } from './server';

const TRANSPORT_FLAGS = ['--stdio', '--node-ipc', '--socket', '--pipe'];

if (process.argv.slice(2).some((arg) => TRANSPORT_FLAGS.some((flag) => arg === flag || arg.startsWith(`${flag}=`)))) {
  startLanguageServer(createConnection(ProposedFeatures.all));
} else {
  process.stderr.write(
    'Spec-Kit language server for specs/**/tasks.md, spec.md and plan.md.\n' +
      'Usage: node dist/server.js --stdio   (or --node-ipc, --socket=<port>, --pipe=<name>)\n',
  );
  process.exitCode = 2;
}
