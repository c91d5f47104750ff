/**
 * Keeps the head and the tail of a long output and drops the middle: a test run's first lines say what ran
 * and its last lines say what failed, and a model needs both far more than the thousands between.
 */
export class HeadTailCapture {
  private head = '';
  private tail = '';
  private total = 0;

  constructor(private readonly maxChars: number) {}

  append(chunk: string): void {
    this.total += chunk.length;
    const headRoom = Math.ceil(this.maxChars / 2) - this.head.length;
    if (headRoom > 0) {
      this.head += chunk.slice(0, headRoom);
      chunk = chunk.slice(headRoom);
    }
    if (chunk === '') return;
    const tailMax = Math.floor(this.maxChars / 2);
    this.tail = (this.tail + chunk).slice(-tailMax);
  }

  get truncated(): boolean {
    return this.total > this.head.length + this.tail.length;
  }

  text(): string {
    if (!this.truncated) return this.head + this.tail;
    const omitted = this.total - this.head.length - this.tail.length;
    return `${this.head}\n[… ${omitted} characters omitted …]\n${this.tail}`;
  }
}

/** Head + tail of `text` within `maxChars` (plus the omission note), or `text` unchanged when it fits. */
export function truncateMiddle(text: string, maxChars: number): { text: string; truncated: boolean } {
  const capture = new HeadTailCapture(maxChars);
  capture.append(text);
  return { text: capture.text(), truncated: capture.truncated };
}
