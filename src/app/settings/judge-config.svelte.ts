/**
 * The judge in use (issue 7): built-in, our judge server, or an OpenAI-compatible endpoint. The config,
 * keys included, stays in this browser's localStorage under its own key; it never enters the URL, the
 * settings object in IndexedDB, an export or a log (only `redactJudgeConfig` is ever shown).
 */
import { redactJudgeConfig, type JudgeConfig, type RedactedJudgeConfig } from '../../connector/judge-config.ts';
import { JUDGE_STORAGE_KEY, browserStorage, parseJudgeConfig } from './judge-storage.ts';

export class JudgeConfigState {
  config = $state.raw<JudgeConfig>(parseJudgeConfig(browserStorage()?.getItem(JUDGE_STORAGE_KEY) ?? null));
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
      browserStorage()?.setItem(JUDGE_STORAGE_KEY, JSON.stringify(config));
    } catch (e) {
      this.problem = (e as Error).message;
    } finally {
      this.applying = false;
    }
  }
}
