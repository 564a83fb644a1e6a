/**
 * The command-line flags every NextState server shares (the judge server, the policy server): where it
 * listens and its guards. Each server's own flags file handles the rest.
 */
import type { RateLimit } from './rate-limit.ts';

export interface GuardSettings {
  host: string;
  port: number;
  corsOrigins: string[];
  bodyLimitBytes: number;
  rateLimit: RateLimit | null;
  logBodies: boolean;
}

export class FlagError extends Error {
  override name = 'FlagError';
}

export function integer(flag: string, text: string | undefined, min: number): number {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < min) throw new FlagError(`${flag} wants an integer >= ${min}, got ${text ?? 'nothing'}`);
  return value;
}

export function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * Applies `flag` if it is a shared one (reading its value with `value()`) and says whether it was;
 * `cors.fromFlags` collects --cors-origin values, which replace the default list.
 */
export function applyGuardFlag(flag: string, value: () => string, settings: GuardSettings, cors: { fromFlags?: string[] }, defaultBurst: number): boolean {
  switch (flag) {
    case '--host': settings.host = value(); return true;
    case '--port': settings.port = integer(flag, value(), 0); return true;
    case '--cors-origin': (cors.fromFlags ??= []).push(...splitList(value())); return true;
    case '--body-limit': settings.bodyLimitBytes = integer(flag, value(), 1); return true;
    case '--rate-limit': {
      const perMinute = integer(flag, value(), 0);
      settings.rateLimit = perMinute === 0 ? null : { perMinute, burst: settings.rateLimit?.burst ?? defaultBurst };
      return true;
    }
    case '--rate-burst': {
      const burst = integer(flag, value(), 1);
      if (settings.rateLimit) settings.rateLimit.burst = burst;
      return true;
    }
    case '--log-bodies': settings.logBodies = true; return true;
    case '--key': case '--api-key': case '--token':
      throw new FlagError(`${flag} is not a flag: secrets come from the environment (see --help)`);
    default:
      return false;
  }
}

/**
 * Reads `argv`: the shared flags go to `settings` (--cors-origin values replace its default list), every other
 * flag to `ownFlag` with a reader for its value, which throws on a flag it does not know.
 */
export function parseServerFlags(
  argv: readonly string[],
  settings: GuardSettings,
  defaultBurst: number,
  ownFlag: (flag: string, value: () => string) => void,
): void {
  const cors: { fromFlags?: string[] } = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new FlagError(`${flag} wants a value`);
      return v;
    };
    if (!applyGuardFlag(flag, value, settings, cors, defaultBurst)) ownFlag(flag, value);
  }
  if (cors.fromFlags) settings.corsOrigins = cors.fromFlags;
}
