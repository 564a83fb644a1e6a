/** The signal engine as its worker exposes it, with the judge chosen in settings. */
import { SignalEngine } from './signal-engine.ts';
import { yieldToServing } from './serving-gate.ts';
import { builtinJudgeBackend } from '../rl/judge/builtin/index.ts';
import { createJudgeBackend, type JudgeConfig } from '../connector/judge-config.ts';

export class SignalWorker extends SignalEngine {
  constructor() {
    super(builtinJudgeBackend);
  }

  /** This worker's kernels yield to decoding (serving-gate.ts); after `init`. */
  async useServingGate(buffer: SharedArrayBuffer): Promise<void> {
    yieldToServing(buffer);
  }

  async setJudgeConfig(config: JudgeConfig): Promise<void> {
    this.setJudge(createJudgeBackend(config, { builtin: builtinJudgeBackend }));
  }
}
