// The sha256 of downloaded weights, computed with the browser's SubtleCrypto
// (native code: about a millisecond for the 2.2 MB recommendation weights,
// where sha2 compiled to wasm takes some 15 ms per MB). The engine compares it
// with the model card, so a damaged download is still refused with
// ChecksumMismatch. Without SubtleCrypto (a page served over plain http from
// another host than localhost) it returns undefined and the engine hashes the
// bytes itself.

/** Lower-case hex sha256 of `bytes` (a Uint8Array), or undefined. */
export async function sha256Hex(bytes) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return undefined;
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
