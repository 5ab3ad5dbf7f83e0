/** Byte order of the UTF-8 of service, then id: the order `list` promises on every backend (SQLite's BINARY collation). */
export function compareAddress(a: { service: string; id: string }, b: { service: string; id: string }): number {
  return compareBinary(a.service, b.service) || compareBinary(a.id, b.id);
}

function compareBinary(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return Buffer.compare(x, y);
}
