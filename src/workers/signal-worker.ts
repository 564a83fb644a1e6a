/** Comlink glue: the signal engine in its own worker, with the judge chosen in settings. */
import * as Comlink from 'comlink';
import './browser-backends.ts';
import { SignalEngine } from './signal-engine.ts';
import { builtinJudgeBackend } from '../rl/judge/builtin/index.ts';
import { createJudgeBackend, type JudgeConfig } from '../connector/judge-config.ts';

class SignalWorker extends SignalEngine {
  async setJudgeConfig(config: JudgeConfig): Promise<void> {
    this.setJudge(createJudgeBackend(config, { builtin: builtinJudgeBackend }));
  }
}

Comlink.expose(new SignalWorker(builtinJudgeBackend));
export type { SignalWorker };
