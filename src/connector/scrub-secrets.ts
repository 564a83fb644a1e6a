/** Blanking secrets (keys, tokens, URL credentials) out of text before anyone sees it. */
export const REDACTED = '[redacted]';

/** `text` with every occurrence of each secret replaced by `[redacted]`, longest secret first. */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  const present = secrets.filter((s): s is string => !!s).sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of present) out = out.split(secret).join(REDACTED);
  return out;
}
