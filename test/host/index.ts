// The extension test entry (`extensionTestsPath`): VS Code loads this module inside the extension host and
// awaits run(). The same module serves the test VS Code (code-server) and a desktop VS Code unchanged.
// The runner names the suite to run in SPECKIT_HOST_SUITE; each suite opens its own fixture workspace.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

function findTestFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return findTestFiles(path);
      return entry.name.endsWith('.test.js') ? [path] : [];
    })
    .sort();
}

export async function run(): Promise<void> {
  const suite = process.env['SPECKIT_HOST_SUITE'];
  if (suite === undefined || suite === '') {
    throw new Error('SPECKIT_HOST_SUITE is not set: run host tests through `npm run test:host`');
  }
  // Colors off: the output travels through the workbench's log forwarding, which shows escapes raw.
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30_000 });
  const files = findTestFiles(join(__dirname, 'suites', suite));
  if (files.length === 0) throw new Error(`host suite '${suite}' has no compiled *.test.js files`);
  for (const file of files) mocha.addFile(file);
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} host test(s) failed in suite '${suite}'`);
}
