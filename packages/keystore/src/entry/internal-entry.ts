import type { Keystore, SetSecretOptions } from '../keystore.js';

/**
 * The value of an entry the keystore keeps for Cairn itself (the held-text key, the journal
 * signing key), created on first use. Where the keystore offers `setIfAbsent`, creation is
 * atomic: processes sharing one keystore that all find it missing end up with the one value
 * stored, never one key each (the last `set` winning would orphan what the others sealed or
 * signed meanwhile).
 */
export async function getOrCreateEntry(
  keystore: Keystore,
  address: { readonly service: string; readonly id: string },
  create: () => string,
  options: SetSecretOptions,
): Promise<string> {
  const found = await keystore.get(address.service, address.id);
  if (found !== undefined) return found;
  const value = create();
  if (keystore.setIfAbsent) return (await keystore.setIfAbsent(address.service, address.id, value, options)).value;
  await keystore.set(address.service, address.id, value, options);
  return value;
}
