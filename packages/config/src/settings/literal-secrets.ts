/** Key names that carry credentials; their values must be `secret://` refs. */
const SECRET_KEY = /(api[_-]?key|token|secret|password|passwd|authorization|cookie|private[_-]?key|credential)/i;
/** Values that look like credentials wherever they appear. */
const SECRET_VALUE = [/^bearer\s+\S{8,}/i, /^sk-[A-Za-z0-9_-]{16,}/, /^gh[pousr]_[A-Za-z0-9]{20,}/, /^xox[abpr]-[A-Za-z0-9-]{10,}/];

/** Paths (JSON-pointer style) of string values that look like credentials written in clear. */
export function findLiteralSecrets(value: unknown, path = ''): string[] {
  if (typeof value === 'string') {
    if (value.startsWith('secret://')) return [];
    const key = path.slice(path.lastIndexOf('/') + 1);
    return SECRET_KEY.test(key) || SECRET_VALUE.some((re) => re.test(value)) ? [path] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => findLiteralSecrets(v, `${path}/${i}`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => findLiteralSecrets(v, `${path}/${k}`));
  }
  return [];
}
