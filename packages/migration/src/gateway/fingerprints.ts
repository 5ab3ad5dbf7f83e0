/**
 * The frozen schema fingerprint of gateway.db at each version: what versions 1..v make, as
 * `schemaFingerprint` hashes it. FROZEN like the migrations. Adding migration N: run this
 * package's tests, and `fingerprints.int.test.ts` prints the line to add here.
 */
export const gatewayFingerprints: Readonly<Record<number, string>> = {
  1: '2d5a4ac39bd817e5f81fee7e8f260703887e8e5b11d9c0dfd1f461958af4633c',
  2: '8b748b303ab9e9213d1d3658c39c79895e1803b546d6f7b1355dc9ccc4e8023c',
  3: '5f274134f747c4013132fc38bf3f15ebf1484261f88e623e05681e0659b59c80',
  4: '34a7c3d13a4fa4f3a35205a96b11c8fa7776aa54e0d2149beb75b02b1361aee0',
  5: 'ae072679953b0470664f23e0baf7aa9eb573eecd0b9adb780026844f5853dcd7',
  6: 'a022ff5c304060fdb330a9587e841ca72650d626cc590a8c2f8c9ffa7e12d823',
  7: '0d168e78cdc33498ee9c64ba990485f1c1bbf3f450fe69fab0e6854f6663cb88',
};
