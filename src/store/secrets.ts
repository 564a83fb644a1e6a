/**
 * Secrets (API keys, tokens, passwords) never enter the store's settings nor leave it in an export.
 * A field is secret by its name: `key`, `apiKey`, `api_key`, `token`, `accessToken`, `secret`, `password`, …
 */
const SECRET_NAMES = new Set(['key', 'apikey', 'token', 'accesstoken', 'authtoken', 'bearertoken', 'secret', 'clientsecret',
  'password', 'authorization', 'bearer', 'credentials']);

/** True for a field name that holds a secret (case, `_` and `-` ignored; `k` and `max_tokens` are not secrets). */
export function isSecretFieldName(name: string): boolean {
  const plain = name.toLowerCase().replace(/[_-]/g, '');
  return SECRET_NAMES.has(plain) || plain.endsWith('apikey') || plain.endsWith('secret') || plain.endsWith('password');
}

/** Paths (like `judge.apiKey`) of every secret-named field in a JSON-like value. */
export function secretFieldPaths(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secretFieldPaths(v, `${path}[${i}]`));
  if (!value || typeof value !== 'object' || ArrayBuffer.isView(value)) return [];
  return Object.entries(value).flatMap(([name, v]) => {
    const here = path ? `${path}.${name}` : name;
    return isSecretFieldName(name) ? [here] : secretFieldPaths(v, here);
  });
}

/** A copy of a JSON-like value without its secret-named fields, at any depth. */
export function withoutSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withoutSecrets(v)) as T;
  if (!value || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  const kept: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) if (!isSecretFieldName(name)) kept[name] = withoutSecrets(v);
  return kept as T;
}
