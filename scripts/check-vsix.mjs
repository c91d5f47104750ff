// `node scripts/check-vsix.mjs <file.vsix>` (run by `npm run package`): lists what the .vsix ships and fails
// when anything outside the allowlist got in (sources, source maps, tests, node_modules) or a bundle is missing.
// .vscodeignore decides what goes in; this checks the result, so a wrong pattern there cannot ship silently.
import { readFileSync, statSync } from 'node:fs';

/** Paths inside a .vsix (a zip): vsce adds the manifest files and stores README/CHANGELOG/LICENSE under its own names. */
const allowed = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/package\.json$/,
  /^extension\/readme\.md$/i,
  /^extension\/changelog\.md$/i,
  /^extension\/LICENSE(\.txt|\.md)?$/i,
  /^extension\/dist\/(extension|extension-engine|extension-lsp|server|cli|cli-implement|cli-verify)\.js$/,
  /^extension\/media\/[^]+$/,
  // The walkthrough's example project, copied out before it is opened.
  /^extension\/examples\/todo-api\/[^]+$/,
];
// The extension's lazily loaded parts are required too: without them the first run or the first tasks.md fails.
const required = [
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/dist/extension-engine.js',
  'extension/dist/extension-lsp.js',
  'extension/dist/server.js',
  'extension/dist/cli.js',
  'extension/dist/cli-implement.js',
  'extension/dist/cli-verify.js',
  'extension/examples/todo-api/specs/001-todo-api/tasks.md',
];

/** Entry names from the zip's central directory (no extraction needed, no zip library). */
function zipEntryNames(buffer) {
  const EOCD = 0x06054b50;
  const CENTRAL = 0x02014b50;
  let eocd = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 22 - 0xffff); i--) {
    if (buffer.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end-of-central-directory record)');
  const count = buffer.readUInt16LE(eocd + 10);
  let offset = buffer.readUInt32LE(eocd + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (buffer.readUInt32LE(offset) !== CENTRAL) throw new Error(`corrupt central directory at entry ${n}`);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    names.push(buffer.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/check-vsix.mjs <file.vsix>');
  process.exit(2);
}
const names = zipEntryNames(readFileSync(file)).filter((name) => !name.endsWith('/'));
const unexpected = names.filter((name) => !allowed.some((pattern) => pattern.test(name)));
const missing = required.filter((name) => !names.includes(name));
console.log(`${file}: ${names.length} entries, ${(statSync(file).size / 1024).toFixed(1)} KB`);
for (const name of names) console.log(`  ${name}`);
if (unexpected.length > 0)
  console.error(`check-vsix: not on the allowlist (fix .vscodeignore): ${unexpected.join(', ')}`);
if (missing.length > 0) console.error(`check-vsix: missing (build first?): ${missing.join(', ')}`);
process.exit(unexpected.length > 0 || missing.length > 0 ? 1 : 0);
