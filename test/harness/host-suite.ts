import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceSourceDir } from './fixture-workspace';

/** Environment variable the host runner sets for the stand-in: `untrusted` opens the folder in restricted mode. */
export const WORKSPACE_TRUST_ENV = 'SPECKIT_HOST_WORKSPACE_TRUST';

/**
 * How a host suite is run, from the optional `suite.json` in its folder:
 * - `workspace`: the folder it opens (default: the fixture named like the suite; `examples/…` for the example);
 * - `workspaceTrust`: `"untrusted"` opens it untrusted, with workspace trust enabled (default: trust is off,
 *   as runTests has it, so the folder counts as trusted).
 */
export interface HostSuiteConfig {
  name: string;
  workspace: string;
  workspaceTrust: 'trusted' | 'untrusted';
}

export function readHostSuiteConfig(suitesDir: string, name: string): HostSuiteConfig {
  const file = join(suitesDir, name, 'suite.json');
  const config: HostSuiteConfig = { name, workspace: name, workspaceTrust: 'trusted' };
  if (!existsSync(file)) return config;
  const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${file}: expected an object`);
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === 'workspace' && typeof value === 'string') config.workspace = value;
    else if (key === 'workspaceTrust' && (value === 'trusted' || value === 'untrusted')) config.workspaceTrust = value;
    else
      throw new Error(
        `${file}: unknown or invalid "${key}" (expected "workspace": string, "workspaceTrust": "trusted" | "untrusted")`,
      );
  }
  if (!existsSync(workspaceSourceDir(config.workspace))) throw new Error(`${file}: no workspace ${config.workspace}`);
  return config;
}
