/**
 * A per-client token bucket: `perMinute` requests per minute on average, bursts of up to `burst`.
 * The table of clients is bounded: full buckets are forgotten when it grows.
 */
export interface RateLimit {
  perMinute: number;
  burst: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterS: number };

const MAX_CLIENTS = 10_000;

export function createRateLimiter(limit: RateLimit, now: () => number = Date.now): (client: string) => RateDecision {
  const perMs = limit.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  function forgetFullBuckets(t: number): void {
    for (const [client, b] of buckets) if (b.tokens + (t - b.at) * perMs >= limit.burst) buckets.delete(client);
  }

  return (client) => {
    const t = now();
    let bucket = buckets.get(client);
    if (!bucket) {
      if (buckets.size >= MAX_CLIENTS) forgetFullBuckets(t);
      bucket = { tokens: limit.burst, at: t };
      buckets.set(client, bucket);
    }
    bucket.tokens = Math.min(limit.burst, bucket.tokens + (t - bucket.at) * perMs);
    bucket.at = t;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
  };
}
