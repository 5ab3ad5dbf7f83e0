/**
 * The frozen schema fingerprint of keystore.db at each version (see gateway/fingerprints.ts).
 * FROZEN like the migrations: add a line per new version, never edit one.
 */
export const keystoreFingerprints: Readonly<Record<number, string>> = {
  1: 'fa68980a5abc3086a14e0909336d8204f63b01fa1d28b9f09d84fad68f6ed674',
  2: 'ec3fa5bfe1a580b7f993a870fa500813f8e44701f3ca006b508a1cfd14393a35',
};
