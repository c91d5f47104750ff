import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceSourceDir } from './fixture-workspace';
import { testExtensionsDir } from './test-extensions';

/** Environment variable the host runner sets for the stand-in: `untrusted` opens the folder in restricted mode. */
export const WORKSPACE_TRUST_ENV = 'SPECKIT_HOST_WORKSPACE_TRUST';

/**
 * How a host suite is run, from the optional `suite.json` in its folder:
 * - `workspace`: the folder it opens (default: the fixture named like the suite; `examples/…` for the example);
 * - `workspaceTrust`: `"untrusted"` opens it untrusted, with workspace trust enabled (default: trust is off,
 *   as runTests has it, so the folder counts as trusted);
 * - `extensions`: test-only extensions loaded beside the orchestra, by folder name in test/host/extensions/
 *   (e.g. a chat model registered through a proposed API that only that extension enables; test-extensions.ts).
 */
export interface HostSuiteConfig {
  name: string;
  workspace: string;
  workspaceTrust: 'trusted' | 'untrusted';
  extensions: string[];
}

export function readHostSuiteConfig(suitesDir: string, name: string): HostSuiteConfig {
  const file = join(suitesDir, name, 'suite.json');
  const config: HostSuiteConfig = { name, workspace: name, workspaceTrust: 'trusted', extensions: [] };
  if (!existsSync(file)) return config;
  const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${file}: expected an object`);
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === 'workspace' && typeof value === 'string') config.workspace = value;
    else if (key === 'workspaceTrust' && (value === 'trusted' || value === 'untrusted')) config.workspaceTrust = value;
    else if (key === 'extensions' && Array.isArray(value) && value.every((e) => typeof e === 'string'))
      config.extensions = value;
    else
      throw new Error(
        `${file}: unknown or invalid "${key}" (expected "workspace": string, "workspaceTrust": "trusted" | "untrusted", "extensions": string[])`,
      );
  }
  if (!existsSync(workspaceSourceDir(config.workspace))) throw new Error(`${file}: no workspace ${config.workspace}`);
  for (const extension of config.extensions) {
    if (!existsSync(join(testExtensionsDir, extension, 'package.json')))
      throw new Error(
        `${file}: no test extension ${extension} (expected test/host/extensions/${extension}/package.json)`,
      );
  }
  return config;
}
