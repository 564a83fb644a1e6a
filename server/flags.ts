/**
 * `npm run judge-server -- [flags]`: command-line flags and environment of the judge server (issue 7).
 * Secrets (the upstream key, the client token) are read from the environment only: flags show in `ps`.
 */
import { FlagError, integer, parseServerFlags, splitList, type GuardSettings } from './guard-flags.ts';
import { DEFAULT_BODY_LIMIT_BYTES, DEFAULT_CORS_ORIGINS, DEFAULT_RATE_LIMIT } from './judge-server.ts';

export { FlagError };

export interface UpstreamSettings {
  baseUrl: string;
  model: string;
  apiKey?: string;
}

export interface JudgeServerSettings extends GuardSettings {
  defaultM: number;
  maxM: number;
  timeoutMs: number;
  token?: string;
  upstream?: UpstreamSettings;
}

export const USAGE = `usage: npm run judge-server -- [flags]
  --host HOST          address to listen on (default 127.0.0.1)
  --port PORT          port (default 8787; 0 picks a free one)
  --cors-origin ORIGIN browser origin allowed to call (repeatable or comma-separated; '*' for any;
                       default the local dev/preview origins; env NEXTSTATE_JUDGE_CORS_ORIGINS)
  --body-limit BYTES   largest request body (default ${DEFAULT_BODY_LIMIT_BYTES})
  --rate-limit N       requests per minute per client address (default ${DEFAULT_RATE_LIMIT.perMinute}; 0 turns it off)
  --rate-burst N       burst size of the rate limit (default ${DEFAULT_RATE_LIMIT.burst})
  --m N                votes per signal when a request does not say (default 3)
  --max-m N            most votes a request may ask for (default 8)
  --timeout-ms MS      time allowed for each upstream call, and for a request to arrive whole (default 30000)
  --log-bodies         also log request bodies (off by default)
environment:
  NEXTSTATE_JUDGE_UPSTREAM_URL    OpenAI-compatible API root (e.g. http://127.0.0.1:8000/v1); unset: built-in judge;
                                  user:password@ in it is sent as Basic auth; neither it nor the address reaches clients
  NEXTSTATE_JUDGE_UPSTREAM_MODEL  model name sent upstream
  NEXTSTATE_JUDGE_UPSTREAM_KEY    upstream API key (never leaves this server)
  NEXTSTATE_JUDGE_TOKEN           bearer token clients must send (optional)`;

export function parseJudgeServerFlags(argv: readonly string[], env: NodeJS.ProcessEnv): JudgeServerSettings {
  const settings: JudgeServerSettings = {
    host: '127.0.0.1',
    port: 8787,
    corsOrigins: env.NEXTSTATE_JUDGE_CORS_ORIGINS ? splitList(env.NEXTSTATE_JUDGE_CORS_ORIGINS) : [...DEFAULT_CORS_ORIGINS],
    bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES,
    rateLimit: { ...DEFAULT_RATE_LIMIT },
    defaultM: 3,
    maxM: 8,
    timeoutMs: 30_000,
    logBodies: false,
  };
  parseServerFlags(argv, settings, DEFAULT_RATE_LIMIT.burst, (flag, value) => {
    switch (flag) {
      case '--m': settings.defaultM = integer(flag, value(), 1); break;
      case '--max-m': settings.maxM = integer(flag, value(), 1); break;
      case '--timeout-ms': settings.timeoutMs = integer(flag, value(), 1); break;
      default:
        throw new FlagError(`unknown flag ${flag}`);
    }
  });
  if (settings.defaultM > settings.maxM) throw new FlagError(`--m ${settings.defaultM} is more than --max-m ${settings.maxM}`);
  if (env.NEXTSTATE_JUDGE_TOKEN) settings.token = env.NEXTSTATE_JUDGE_TOKEN;
  if (env.NEXTSTATE_JUDGE_UPSTREAM_URL) {
    if (!env.NEXTSTATE_JUDGE_UPSTREAM_MODEL) throw new FlagError('NEXTSTATE_JUDGE_UPSTREAM_URL is set but NEXTSTATE_JUDGE_UPSTREAM_MODEL is not');
    settings.upstream = { baseUrl: env.NEXTSTATE_JUDGE_UPSTREAM_URL, model: env.NEXTSTATE_JUDGE_UPSTREAM_MODEL };
    if (env.NEXTSTATE_JUDGE_UPSTREAM_KEY) settings.upstream.apiKey = env.NEXTSTATE_JUDGE_UPSTREAM_KEY;
  }
  return settings;
}
