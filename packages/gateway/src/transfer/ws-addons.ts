/**
 * Whether `ws` masks and unmasks frames with the `bufferutil` native addon (a gateway
 * dependency for that reason: without it `ws` does it in JavaScript and upload throughput
 * drops, see the README's transfer section). `WS_NO_BUFFER_UTIL` turns it off, as in `ws`.
 */
export async function wsUsesBufferutil(): Promise<boolean> {
  if (process.env.WS_NO_BUFFER_UTIL) return false;
  try {
    await import('bufferutil');
    return true;
  } catch {
    return false;
  }
}
