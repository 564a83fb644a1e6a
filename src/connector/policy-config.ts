/**
 * Where the policy runs (issue 16): on this device (the default) or on a remote server that speaks the
 * reference framework's wire protocol (../shared/WIRE-PROTOCOL.md). The bearer key lives only in this
 * browser: `redactPolicyConfig` is what may be shown, exported or logged, and no URL ever carries it.
 */
export type PolicyConfig = { kind: 'device' } | { kind: 'remote'; baseUrl: string; model: string; apiKey?: string };

export type RedactedPolicyConfig = { kind: 'device' } | { kind: 'remote'; baseUrl: string; model: string; hasApiKey: boolean };

export function redactPolicyConfig(config: PolicyConfig): RedactedPolicyConfig {
  if (config.kind === 'device') return { kind: 'device' };
  let baseUrl = '(not a URL)';
  try {
    const parsed = new URL(config.baseUrl);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    baseUrl = parsed.toString().replace(/\/$/, '');
  } catch {
    // shown as not a URL
  }
  return { kind: 'remote', baseUrl, model: config.model, hasApiKey: !!config.apiKey };
}

/** A stored config rebuilt field by field if it is well formed; anything else is this device. */
export function parsePolicyConfig(text: string | null): PolicyConfig {
  try {
    const c = JSON.parse(text ?? 'null') as Record<string, unknown> | null;
    if (c?.kind === 'remote' && typeof c.baseUrl === 'string' && typeof c.model === 'string') {
      return { kind: 'remote', baseUrl: c.baseUrl, model: c.model, ...(typeof c.apiKey === 'string' && c.apiKey ? { apiKey: c.apiKey } : {}) };
    }
  } catch {
    // A damaged entry falls back to this device.
  }
  return { kind: 'device' };
}

/** Checks a config before it is used: a remote one needs an http(s) base URL without credentials in it, and a model. */
export function checkPolicyConfig(config: PolicyConfig): string | null {
  if (config.kind === 'device') return null;
  let url: URL;
  try {
    url = new URL(config.baseUrl);
  } catch {
    return `"${config.baseUrl}" is not a URL; give the server's API root, e.g. http://127.0.0.1:8790/v1`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'the base URL must start with http:// or https://';
  if (url.username || url.password || url.search) return 'put the key in the key field, not in the URL';
  if (!config.model.trim()) return 'name the model the server serves';
  return null;
}
