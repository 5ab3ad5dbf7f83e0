/**
 * The frozen schema fingerprint of keystore.db at each version (see gateway/fingerprints.ts).
 * FROZEN like the migrations: add a line per new version, never edit one.
 */
export const keystoreFingerprints: Readonly<Record<number, string>> = {
  1: 'fa68980a5abc3086a14e0909336d8204f63b01fa1d28b9f09d84fad68f6ed674',
  2: 'ec3fa5bfe1a580b7f993a870fa500813f8e44701f3ca006b508a1cfd14393a35',
};

/**
 * The same for PostgreSQL: what versions 1..v make in the keystore's schema (its listing, see
 * `fingerprint/postgres-listing.ts`; the schema's name is not part of it). FROZEN likewise.
 */
export const keystorePostgresFingerprints: Readonly<Record<number, string>> = {
  1: 'f2940b3612eced99d9c05fe65082b55f298038100e09478c4d716c713354dcde',
  2: 'c2486d48cdf48e9784c9c1bec1df75f305cb88750e6f2d8e3bb427299a4c00ba',
};
