import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir`, recursively (the runtime home, with -wal, -shm and key files). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The encodings a leaked value could hide in: raw UTF-8, UTF-16LE, base64, base64url, hex. */
export function encodingsOf(value: string): Array<{ encoding: string; bytes: Buffer }> {
  const utf8 = Buffer.from(value, 'utf8');
  return [
    { encoding: 'utf8', bytes: utf8 },
    { encoding: 'utf16le', bytes: Buffer.from(value, 'utf16le') },
    { encoding: 'base64', bytes: Buffer.from(utf8.toString('base64').replace(/=+$/, '')) },
    { encoding: 'base64url', bytes: Buffer.from(utf8.toString('base64url')) },
    { encoding: 'hex', bytes: Buffer.from(utf8.toString('hex')) },
    { encoding: 'HEX', bytes: Buffer.from(utf8.toString('hex').toUpperCase()) },
  ];
}

export interface Finding {
  file: string;
  label: string;
  encoding: string;
}

/** Where any of `needles` (in any encoding of `encodingsOf`) occurs in any file under `dir`. */
export function scanForValues(dir: string, needles: ReadonlyArray<{ label: string; value: string }>): Finding[] {
  const findings: Finding[] = [];
  for (const file of listFiles(dir)) {
    const content = readFileSync(file);
    for (const { label, value } of needles) {
      for (const { encoding, bytes } of encodingsOf(value)) {
        if (content.includes(bytes)) findings.push({ file, label, encoding });
      }
    }
  }
  return findings;
}

/** Where raw byte strings occur (ciphertexts that should have been erased). */
export function scanForBytes(file: string, needles: ReadonlyArray<{ label: string; bytes: Buffer }>): string[] {
  const content = readFileSync(file);
  return needles.filter((n) => content.includes(n.bytes)).map((n) => n.label);
}
