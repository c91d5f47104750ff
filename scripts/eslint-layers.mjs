// The layer rule: imports only point down. Each room of src/ lists the rooms it may import (its own room is
// always allowed); a file belongs to the room with the longest matching path. `npm run lint` runs it through
// eslint.config.mjs, and test/unit/build/layers.test.ts checks it catches an upward import.
import { existsSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

const below = {
  util: [],
  protocol: ['util'],
  ports: ['protocol', 'util'],
  speckit: ['protocol', 'util', 'ports'],
  graph: ['protocol', 'util', 'ports', 'speckit'],
  llm: ['protocol', 'util', 'ports'],
  agents: ['protocol', 'util', 'ports', 'speckit', 'graph', 'llm'],
  // verify: reads journals and spec-kit documents, never the engine (the CLI's verify, the tree, the server).
  evidence: ['protocol', 'util', 'ports', 'speckit'],
};
const core = ['protocol', 'util', 'ports', 'speckit', 'graph', 'llm', 'agents', 'evidence'];

/** Room name → its paths (folders or files, repo-relative) and the rooms it may import. */
export const rooms = {
  util: { paths: ['src/core/util'], may: below.util },
  protocol: { paths: ['src/protocol'], may: below.protocol },
  ports: { paths: ['src/core/ports'], may: below.ports },
  speckit: { paths: ['src/core/speckit'], may: below.speckit },
  graph: { paths: ['src/core/graph'], may: below.graph },
  llm: { paths: ['src/core/llm'], may: below.llm },
  agents: { paths: ['src/core/agents'], may: below.agents },
  evidence: { paths: ['src/core/evidence'], may: below.evidence },
  // Inside the engine: shared types and the event stream; then the parts that touch the disk and commands;
  // then planning, scheduling, workers, validation and hooks; then the run that wires them; then the facade.
  'engine-base': { paths: ['src/core/engine/facade-types.ts', 'src/core/engine/events'], may: core },
  'engine-io': {
    paths: ['src/core/engine/workspace', 'src/core/engine/journal', 'src/core/engine/commands', 'src/core/engine/gate'],
    may: [...core, 'engine-base'],
  },
  'engine-work': {
    paths: [
      'src/core/engine/scheduler',
      'src/core/engine/orchestrators',
      'src/core/engine/workers',
      'src/core/engine/validation',
      'src/core/engine/hooks',
    ],
    may: [...core, 'engine-base', 'engine-io'],
  },
  'engine-run': { paths: ['src/core/engine/run'], may: [...core, 'engine-base', 'engine-io', 'engine-work'] },
  'engine-facade': {
    paths: ['src/core/engine/index.ts', 'src/core/engine/light.ts', 'src/core/engine/diff.ts'],
    may: [...core, 'engine-base', 'engine-io', 'engine-work', 'engine-run'],
  },
  // The faces: the extension and the CLI see the core through the engine's facade (and the plain helpers of
  // util); the language server
  // reads spec-kit documents and nothing of the engine.
  extension: { paths: ['src/extension'], may: ['util', 'protocol', 'engine-facade'] },
  cli: { paths: ['src/cli'], may: ['util', 'protocol', 'engine-facade'] },
  server: { paths: ['src/server'], may: ['protocol', 'util', 'speckit', 'graph', 'evidence'] },
};

const index = Object.entries(rooms)
  .flatMap(([room, { paths }]) => paths.map((path) => ({ room, path })))
  .sort((a, b) => b.path.length - a.path.length);

/** The room of a repo-relative path (forward slashes), or undefined outside src/. */
export function roomOf(repoPath) {
  const hit = index.find(({ path }) => repoPath === path || repoPath.startsWith(`${path}/`));
  return hit?.room;
}

function resolveModule(fromFile, specifier) {
  const base = resolve(dirname(fromFile), specifier);
  for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) if (existsSync(candidate)) return candidate;
  return `${base}.ts`;
}

/** Why `fromFile` may not import `specifier` (absolute file path, relative specifier), or undefined. */
export function layerViolation(repoRoot, fromFile, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const toRepo = (abs) => relative(repoRoot, abs).split(sep).join('/');
  const from = toRepo(fromFile);
  const to = toRepo(resolveModule(fromFile, specifier));
  const fromRoom = roomOf(from);
  const toRoom = roomOf(to);
  if (fromRoom === undefined || toRoom === undefined || fromRoom === toRoom) return undefined;
  if (rooms[fromRoom].may.includes(toRoom)) return undefined;
  return `${from} (${fromRoom}) may not import ${to} (${toRoom}): imports point down only (${fromRoom} may import ${rooms[fromRoom].may.join(', ') || 'nothing outside itself'}). See docs/architecture.md.`;
}

export function layersPlugin(repoRoot) {
  return {
    rules: {
      'imports-point-down': {
        meta: { type: 'problem', schema: [], docs: { description: 'imports only point down the layers of src/' } },
        create(context) {
          const check = (node, source) => {
            if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
            const message = layerViolation(repoRoot, context.filename, source.value);
            if (message !== undefined) context.report({ node: source, message });
          };
          return {
            ImportDeclaration: (node) => check(node, node.source),
            ExportNamedDeclaration: (node) => check(node, node.source),
            ExportAllDeclaration: (node) => check(node, node.source),
            ImportExpression: (node) => check(node, node.source),
          };
        },
      },
    },
  };
}
