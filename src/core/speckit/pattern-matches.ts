/**
 * Every match of a global pattern in `text`, in order, as `text.matchAll(pattern)` finds them. `matchAll` copies the
 * pattern and walks an iterator on every call, which on a short line costs several times the search itself (a
 * task line naming a dependency took 11 µs, 1.4 µs of it searching); this searches with the pattern itself.
 */
export function matchesOf(pattern: RegExp, text: string): RegExpExecArray[] {
  if (!pattern.global || pattern.unicode)
    throw new TypeError(`matchesOf needs a global, non-unicode pattern: ${pattern}`);
  const matches: RegExpExecArray[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    // An empty match would be found again where it is: step past it, as matchAll does.
    if (m[0] === '') pattern.lastIndex += 1;
    matches.push(m);
  }
  return matches;
}
