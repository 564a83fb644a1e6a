/** A URL as it may be shown, logged or exported: no `user:password@`, query or fragment (where secrets get pasted). */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(not a URL)';
  }
}

/**
 * The secrets a URL carries, as they may appear in text: its `user:password@` part raw, percent-decoded and
 * as the `user:password` pair (a Basic credential), and the values of its query (`?api_key=…`).
 */
export function credentialsInUrl(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const { username, password } = parsed;
  const found = [...parsed.searchParams.values()];
  if (username || password) found.push(`${username}:${password}`, `${decode(username)}:${decode(password)}`, password, decode(password));
  // Very short values ("1", ":") are not secrets, and blanking them would garble every message.
  return [...new Set(found.filter((s) => s.length >= 4))];
}
