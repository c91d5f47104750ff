// `npm run bench`: runs every bench/*.bench.ts in turn (or those whose name contains an argument).
// Each module exports `run(): Promise<void>` and prints its own side-by-side ratios; targets live here,
// never in unit tests, because these machines are shared and noisy.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface BenchModule {
  run(): Promise<void>;
}

const filters = process.argv.slice(2);
const dir = join(process.cwd(), 'bench');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

async function main(): Promise<void> {
  for (const file of files) {
    console.log(`\n=== ${file} ===`);
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as BenchModule;
    await mod.run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
