import { createHash } from 'node:crypto';

/**
 * sha256, lower-case hex: of UTF-8 text or of raw bytes (the same digest for a file's bytes and its decoded
 * text when the file is valid UTF-8). The key of pre-image blobs, the base hash of proposals, evidence hashes.
 */
export function sha256(content: string | Uint8Array): string {
  const hash = createHash('sha256');
  if (typeof content === 'string') hash.update(content, 'utf8');
  else hash.update(content);
  return hash.digest('hex');
}
