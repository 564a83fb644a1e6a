/**
 * The judge in use (issue 7): built-in, our judge server, or an OpenAI-compatible endpoint. The config,
 * keys included, stays in this browser's localStorage under its own key; it never enters the URL, the
 * settings object in IndexedDB, an export or a log (only `redactJudgeConfig` is ever shown).
 */
import { redactJudgeConfig, type JudgeConfig, type RedactedJudgeConfig } from '../../connector/judge-config.ts';

export const JUDGE_STORAGE_KEY = 'nextstate.judge-config';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** A stored config if it is well formed, else the built-in judge. */
export function parseJudgeConfig(text: string | null): JudgeConfig {
  try {
    const c = JSON.parse(text ?? 'null') as Partial<JudgeConfig> & Record<string, unknown> | null;
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

export class JudgeConfigState {
  config = $state.raw<JudgeConfig>(parseJudgeConfig(storage()?.getItem(JUDGE_STORAGE_KEY) ?? null));
  /** What the page may show about the judge. */
  redacted: RedactedJudgeConfig = $derived(redactJudgeConfig(this.config));
  applying = $state(false);
  problem = $state<string | null>(null);
  private apply: ((config: JudgeConfig) => Promise<void>) | null = null;

  /** `apply` hands a config to the signal worker. */
  connect(apply: (config: JudgeConfig) => Promise<void>): Promise<void> {
    this.apply = apply;
    return apply(this.config);
  }

  async set(config: JudgeConfig): Promise<void> {
    this.applying = true;
    this.problem = null;
    try {
      await this.apply?.(config);
      this.config = config;
      storage()?.setItem(JUDGE_STORAGE_KEY, JSON.stringify(config));
    } catch (e) {
      this.problem = (e as Error).message;
    } finally {
      this.applying = false;
    }
  }
}
