/** Where the judge config (keys included) lives: this browser's localStorage, under its own key. */
import type { JudgeConfig } from '../../connector/judge-config.ts';

export const JUDGE_STORAGE_KEY = 'nextstate.judge-config';

/** localStorage when the page may use it (not in Node, not when the browser blocks it). */
export function browserStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** A stored config rebuilt field by field if it is well formed; anything else is the built-in judge. */
export function parseJudgeConfig(text: string | null): JudgeConfig {
  try {
    const c = JSON.parse(text ?? 'null') as Record<string, unknown> | null;
    if (c?.kind === 'server' && typeof c.url === 'string') {
      return { kind: 'server', url: c.url, ...(typeof c.token === 'string' && c.token ? { token: c.token } : {}) };
    }
    if (c?.kind === 'openai' && typeof c.baseUrl === 'string' && typeof c.model === 'string') {
      return { kind: 'openai', baseUrl: c.baseUrl, model: c.model, ...(typeof c.apiKey === 'string' && c.apiKey ? { apiKey: c.apiKey } : {}) };
    }
  } catch {
    // A damaged entry falls back to the built-in judge.
  }
  return { kind: 'builtin' };
}
