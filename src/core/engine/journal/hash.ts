import { createHash } from 'node:crypto';

/** sha256 of UTF-8 text, lower-case hex: the key of pre-image blobs and the base hash of proposals. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
