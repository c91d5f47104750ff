// No function in src/ runs over 100 lines of its own: a person can read each one whole. Lines of its own are
// lines with code (blank lines and comment-only lines do not count); a nested function (an arrow callback, a
// local helper, a method of a local class) is counted apart and its lines are not the outer function's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { repoRoot, sourceFiles } from './source-files';

const LIMIT = 100;

interface FunctionLength {
  file: string;
  name: string;
  line: number;
  own: number;
}

function nameOf(node: ts.Node, source: ts.SourceFile): string {
  const named = node as { name?: ts.Node };
  if (named.name !== undefined) return named.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    return parent.name.getText(source);
  if (ts.isCallExpression(parent)) return `callback of ${parent.expression.getText(source).slice(0, 40)}`;
  return '(anonymous)';
}

function lineRange(node: ts.Node, source: ts.SourceFile): [number, number] {
  const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
  const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
  return [start, end];
}

const NOT_CODE = /^\s*($|\/\/|\/\*|\*)/;

/** Every function-like node with its own length: its lines of code minus those of the functions nested in it. */
function functionLengths(file: string, text: string): FunctionLength[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lines = text.split('\n');
  const result: FunctionLength[] = [];
  const hasBody = (node: ts.Node): node is ts.FunctionLikeDeclaration =>
    ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body !== undefined;
  const record = (fn: ts.FunctionLikeDeclaration): void => {
    const [start, end] = lineRange(fn, source);
    const own = new Set<number>();
    for (let line = start; line <= end; line++) if (!NOT_CODE.test(lines[line] ?? '')) own.add(line);
    const visit = (node: ts.Node): void => {
      if (hasBody(node)) {
        const [innerStart, innerEnd] = lineRange(node, source);
        // The line that opens the nested function still belongs to the outer one when it starts mid-line.
        for (let line = innerStart + 1; line <= innerEnd; line++) own.delete(line);
        record(node);
        return;
      }
      ts.forEachChild(node, visit);
    };
    if (fn.body) ts.forEachChild(fn.body, visit);
    result.push({ file, name: nameOf(fn, source), line: start + 1, own: own.size });
  };
  const top = (node: ts.Node): void => {
    if (hasBody(node)) record(node);
    else ts.forEachChild(node, top);
  };
  top(source);
  return result;
}

test('the measure counts a nested function apart from the one around it', () => {
  const body = (n: number): string => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
  const text = `function outer() {\n${body(5)}\n\n  // why\n  const inner = () => {\n${body(10)}\n  };\n  return inner;\n}\n`;
  const lengths = functionLengths('x.ts', text);
  assert.deepEqual(
    lengths.map(({ name, own }) => [name, own]),
    [
      ['inner', 12],
      // Its braces, five lines, the line that opens `inner` and the return: not the blank line, the comment
      // or the eleven further lines of `inner`.
      ['outer', 9],
    ],
  );
});

test(`no function in src/ has more than ${LIMIT} lines of its own`, () => {
  const offenders: string[] = [];
  for (const path of sourceFiles(join(repoRoot, 'src'))) {
    const file = relative(repoRoot, path);
    for (const fn of functionLengths(file, readFileSync(path, 'utf8'))) {
      if (fn.own > LIMIT) offenders.push(`${file}:${fn.line} ${fn.name}: ${fn.own} lines`);
    }
  }
  assert.deepEqual(offenders, []);
});
