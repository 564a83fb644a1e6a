/**
 * CORS for the browser playground: only origins on the allow-list (or `*`) may call a server from a
 * page. Requests without an Origin (curl, scripts) are not browser requests and pass.
 */
export function originAllowed(origin: string | undefined, allowList: readonly string[]): boolean {
  return origin === undefined || allowList.includes('*') || allowList.includes(origin);
}

/** Headers for an allowed browser origin; none for requests without one. */
export function corsHeaders(origin: string | undefined, allowList: readonly string[], allowHeaders: readonly string[] = ['authorization', 'content-type']): Record<string, string> {
  if (origin === undefined || !originAllowed(origin, allowList)) return {};
  return {
    'access-control-allow-origin': allowList.includes('*') ? '*' : origin,
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': allowHeaders.join(', '),
    'access-control-max-age': '600',
    vary: 'Origin',
  };
}
