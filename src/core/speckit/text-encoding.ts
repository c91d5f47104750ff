/**
 * spec-kit's files are UTF-8. A tasks.md saved as UTF-16 (Windows editors and PowerShell's `>` do that) read as
 * UTF-8 is a string of NULs between the characters, so it parses as zero tasks without a word. Both the bytes and
 * such a string are recognised here, so every face can say what is wrong instead.
 */

/** How a UTF-16 file is written, for the message: `UTF-16 LE (with a byte order mark)`. */
export type Utf16Description = `UTF-16 ${'LE' | 'BE'} (${'with' | 'without'} a byte order mark)`;

// How much of the start to look at: enough for a heading line.
const SAMPLE = 512;
// In UTF-16, text in Latin letters has a zero byte in every other place; a UTF-8 file has none.
const ZERO_SHARE = 0.3;

/** The UTF-16 flavour of a file's bytes, or undefined when they are not UTF-16. */
export function detectUtf16(bytes: Uint8Array): Utf16Description | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'UTF-16 LE (with a byte order mark)';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'UTF-16 BE (with a byte order mark)';
  const sample = bytes.subarray(0, SAMPLE);
  return byZeroPlaces(sample.length, (index) => sample[index] === 0, 'without');
}

/**
 * The UTF-16 flavour of a file that was decoded as UTF-8 anyway (its byte order mark became two U+FFFD, its zero
 * bytes NUL characters), or undefined when the text does not look like that.
 */
export function detectMisreadUtf16(text: string): Utf16Description | undefined {
  const withBom = text.startsWith('\uFFFD\uFFFD');
  const sample = text.slice(withBom ? 2 : 0, (withBom ? 2 : 0) + SAMPLE);
  if (!sample.includes('\u0000')) return undefined;
  return byZeroPlaces(sample.length, (index) => sample[index] === '\u0000', withBom ? 'with' : 'without');
}

/** Little-endian UTF-16 puts the zero of a Latin letter second in each pair, big-endian first. */
function byZeroPlaces(
  length: number,
  isZero: (index: number) => boolean,
  bom: 'with' | 'without',
): Utf16Description | undefined {
  const pairs = Math.floor(length / 2);
  if (pairs === 0) return undefined;
  let first = 0;
  let second = 0;
  for (let index = 0; index < pairs * 2; index += 1) {
    if (!isZero(index)) continue;
    if (index % 2 === 0) first += 1;
    else second += 1;
  }
  if (second / pairs >= ZERO_SHARE && first < second / 4) return `UTF-16 LE (${bom} a byte order mark)`;
  if (first / pairs >= ZERO_SHARE && second < first / 4) return `UTF-16 BE (${bom} a byte order mark)`;
  return undefined;
}
