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
  8: 'be2e6b0c91199c3068c8e754dcfa7751582ff052534f55e2af0b53812925548c',
  9: 'b794a53f886307219295115d43ff1262fe0a264ae33adc62d53bfaae2e241950',
};

/**
 * The same for PostgreSQL: what versions 1..v make in the gateway's schema (its listing, see
 * `fingerprint/postgres-listing.ts`; the schema's name is not part of it). FROZEN likewise.
 */
export const gatewayPostgresFingerprints: Readonly<Record<number, string>> = {
  1: '68ecce297c1e3da0f8bbdb1997813080ce4828c5571883a76e16b31ff1f35323',
  2: '101bd72052bdb6c04333bf6db638794f5a7faead2eb9aaf4c3d4d0946795148a',
  3: '3b14b6f42019f6232e21eb3a57d0e61813ebaa002834f4baffc6013962ffa939',
  4: '524340239cd8722fe907e934ea2f6cdde4fa6122c873410473c72a7a2ec08463',
  5: '40e88448bf14830e54cca7279673e110044bf0ec58731cc6511ac0d00392ca34',
  6: '931a8e23ba8cb2f1e30854981e1d7b7b13e0e3c884eedfe115c2177addad85e8',
  7: '90c1e3127bec18a924807ae9f04195297680b4ac998059b9c7be8547eb601f7e',
  8: '0ab325c9f67c2d907320966ea3d99aca6ff8fb8b015fe661a77bd8d4bfb8b483',
  9: 'eca651674af5bc24223fc23b48a5c29421eebdd6a53a958f487f843cdbc550d3',
};
