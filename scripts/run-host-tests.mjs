// `npm run test:host [-- <suite name filter>…]`: runs the extension-host suites in a real VS Code.
// Each folder in test/host/suites/ is a suite; it opens a fresh copy of test/fixtures/workspaces/<suite>/, or
// of the workspace its suite.json names (several suites share the example), trusted unless suite.json says
// `"workspaceTrust": "untrusted"` (test/harness/host-suite.ts).
// @vscode/test-electron's runTests is the entry point. Offline (the default) it is handed our stand-in
// executable, which runs the tests in the test VS Code from scripts/install-test-vscode.sh; with
// VSCODE_DESKTOP=1 it downloads and drives a desktop VS Code instead (needs internet), suites unchanged.
// Environment variables set here reach the extension host, so tests can be given e.g. a mock server URL.
// Started with `node --import tsx` so it can share the harness's TypeScript.
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { runTests, TestRunFailedError } from '@vscode/test-electron';
import * as esbuild from 'esbuild';

// The harness is loaded as CommonJS, as everywhere else it runs (tsx's ESM path gives TS files a bogus __dirname).
const require = createRequire(import.meta.url);
const { repoRoot } = require('../test/harness/paths.ts');
const { copyFixtureWorkspace } = require('../test/harness/fixture-workspace.ts');
const { readHostSuiteConfig, WORKSPACE_TRUST_ENV } = require('../test/harness/host-suite.ts');
const { prepareExtensionRun } = require('../test/harness/preflight.ts');
const {
  installTestExtension,
  packageTestExtension,
  testExtension,
  testExtensionsDir,
} = require('../test/harness/test-extensions.ts');

const hostSrc = join(repoRoot, 'test', 'host');
const hostOut = join(repoRoot, 'out', 'test', 'host');
const standIn = join(repoRoot, 'test', 'harness', 'vscode-standin');
const desktop = process.env.VSCODE_DESKTOP === '1';

function fail(message) {
  console.error(`test:host: ${message}`);
  process.exit(1);
}

function findTs(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? findTs(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Each suite file becomes its own CommonJS bundle; `vscode` and `mocha` come from the host at run time. */
async function buildHostTests() {
  rmSync(hostOut, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: findTs(hostSrc),
    outbase: hostSrc,
    outdir: hostOut,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  // A test-only extension's manifest goes beside its bundle: that build folder is the extension.
  for (const name of readdirSync(testExtensionsDir)) {
    copyFileSync(join(testExtensionsDir, name, 'package.json'), join(hostOut, 'extensions', name, 'package.json'));
  }
}

/**
 * What a suite's test-only extensions add to the launch. The test VS Code gets them installed into the
 * suite's fresh extensions folder (its web workbench loads one extension under development); a desktop
 * VS Code loads them as further extensions under development. A desktop VS Code lets only the extensions
 * named by --enable-proposed-api use an API proposal; the test VS Code lets any extension use the proposals
 * its manifest declares. Only test extensions declare one: the orchestra's manifest has no enabledApiProposals.
 */
async function prepareTestExtensions(suite, extensionsDir) {
  const extensions = suite.extensions.map((name) => testExtension(name, hostOut));
  if (!desktop) {
    for (const extension of extensions) {
      const vsix = join(hostOut, 'extensions', `${extension.name}.vsix`);
      await packageTestExtension(extension, vsix);
      await installTestExtension(vsix, extensionsDir);
    }
  }
  return {
    developmentPaths: desktop ? extensions.map((e) => e.buildDir) : [],
    launchArgs: extensions.map((e) => `--enable-proposed-api=${e.id}`),
  };
}

function selectSuites(filters) {
  const suitesDir = join(hostSrc, 'suites');
  const all = readdirSync(suitesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const chosen = all.filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)));
  if (chosen.length === 0) fail(`no host suite matches ${filters.join(', ')} (suites: ${all.join(', ')})`);
  return chosen.map((name) => {
    try {
      return readHostSuiteConfig(suitesDir, name);
    } catch (error) {
      return fail(`suite '${name}': ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

async function runSuite(suite) {
  const { name, workspace: source, workspaceTrust } = suite;
  const workspace = await copyFixtureWorkspace(source);
  const extensionsDir = join(workspace.scratch, 'extensions');
  const started = performance.now();
  try {
    const extensions = await prepareTestExtensions(suite, extensionsDir);
    await runTests({
      ...(desktop ? {} : { vscodeExecutablePath: standIn }),
      extensionDevelopmentPath: [repoRoot, ...extensions.developmentPaths],
      extensionTestsPath: join(hostOut, 'index.js'),
      // Fresh profile folders: runTests' default (.vscode-test/user-data) would carry state between runs.
      launchArgs: [
        workspace.dir,
        `--user-data-dir=${join(workspace.scratch, 'user-data')}`,
        `--extensions-dir=${extensionsDir}`,
        ...extensions.launchArgs,
      ],
      // The stand-in reads the trust mode (and passes it on to the tests); a desktop VS Code always gets
      // runTests' --disable-workspace-trust, so there every folder is trusted and the tests are told so.
      extensionTestsEnv: { SPECKIT_HOST_SUITE: name, [WORKSPACE_TRUST_ENV]: desktop ? 'trusted' : workspaceTrust },
    });
    return { name, passed: true, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    // runTests rejects with TestRunFailedError on a non-zero exit; anything else is a harness failure.
    if (!(error instanceof TestRunFailedError)) console.error(error);
    return { name, passed: false, seconds: (performance.now() - started) / 1000 };
  } finally {
    await workspace.dispose();
  }
}

async function main() {
  const suites = selectSuites(process.argv.slice(2));
  prepareExtensionRun('test:host', { desktop });
  await buildHostTests();

  const results = [];
  for (const suite of suites) {
    const where = `${suite.workspace}${suite.workspaceTrust === 'untrusted' ? ', untrusted' : ''}`;
    console.log(
      `\n=== host suite: ${suite.name} on ${where} (${desktop ? 'desktop VS Code' : 'test VS Code 1.100.3 server + Chromium'}) ===`,
    );
    results.push(await runSuite(suite));
  }
  const failed = results.filter((r) => !r.passed);
  const summary = results
    .map((r) => `${r.name} ${r.passed ? 'passed' : 'FAILED'} (${r.seconds.toFixed(1)} s)`)
    .join(', ');
  console.log(
    `\nhost tests: ${failed.length === 0 ? 'all suites passed' : `${failed.length} of ${results.length} suites FAILED`} — ${summary}`,
  );
  process.exit(failed.length === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
