/**
 * The experiment is deterministic and paired (issue 17), checked through the real online loop and engines
 * on a small random policy: the same seed, checkpoint and settings give the same JSON bit for bit (random
 * hint selection included); every arm of a seed meets the same questions, user draws and sampling seeds;
 * the reply cache and the diagnostic probes change nothing the run records.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Policy } from '../../src/model/policy.ts';
import { encodeCheckpoint } from '../../src/model/checkpoint.ts';
import { defaultTokenizer } from '../../src/model/tokenizer.ts';
import type { ModelConfig } from '../../src/model/presets.ts';
import type { Settings } from '../../src/rl/settings.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { PolicyEngine } from '../../src/workers/policy-engine.ts';
import { SignalEngine } from '../../src/workers/signal-engine.ts';
import { TrainerEngine } from '../../src/workers/trainer-engine.ts';
import type { CheckpointBlob, ReplyResult } from '../../src/workers/protocol.ts';
import { runExperiment, type ExperimentEngines, type RunResult, type RunSpec } from '../../src/experiments/index.ts';
import { drawsAgree } from '../../src/experiments/comparisons.ts';

const tokenizer = defaultTokenizer();
const config: ModelConfig = { vocabSize: tokenizer.vocabSize, dModel: 32, nLayers: 2, nHeads: 2, dFF: 64, maxLen: 192, ropeBase: 10000 };
const base: Partial<Settings> = { batchSize: 1, lr: 1e-2, epochsPerBatch: 1, maxTokens: 24 };
let initial: CheckpointBlob;
let engines: ExperimentEngines & { teacher: PolicyEngine };

beforeAll(async () => {
  await tf.setBackend('wasm');
  const policy = Policy.create(config, 23);
  initial = await encodeCheckpoint(policy.getWeights(), {
    preset: 'test', config, tokenizer: tokenizer.toJSON(), corpusVersion: null, tokensSeen: 0, finalLoss: null,
  });
  policy.dispose();
  engines = { policy: new PolicyEngine(), signal: new SignalEngine(builtinJudgeBackend), trainer: new TrainerEngine(), teacher: new PolicyEngine() };
  await Promise.all([engines.policy.init('wasm'), engines.signal.init('wasm'), engines.trainer.init('wasm'), engines.teacher.init('wasm')]);
});

/** A run's JSON without its wall time (the one field that is a measurement, not an outcome). */
const outcome = (r: RunResult) => JSON.stringify({ ...r, wallMs: 0 });

/** The engines without the teacher probe, recording the sampling seed of every policy reply. */
function recording(seeds: number[]): ExperimentEngines {
  return {
    ...engines,
    teacher: undefined,
    policy: { ...engines.policy, init: (b) => engines.policy.init(b), load: (c, v) => engines.policy.load(c, v), publish: (u) => engines.policy.publish(u), info: () => engines.policy.info(),
      reply: (request, onToken) => {
        seeds.push(request.sampling.seed!);
        return engines.policy.reply(request, onToken);
      } },
  };
}

describe('the experiment is deterministic', () => {
  it('gives the same JSON bit for bit for the same seed, checkpoint and settings (random hint selection included)', async () => {
    const spec: RunSpec = { arm: 'selection=random', preference: 'lowercase+emoji', seed: 4, cap: 5 };
    const first = await runExperiment(recording([]), initial, spec, { base });
    // The varied-hint judge gives several candidates, so random selection really draws.
    expect(first.sessions.filter((s) => s.hint !== null).length).toBeGreaterThan(1);
    const again = await runExperiment(recording([]), initial, spec, { base });
    expect(outcome(again)).toBe(outcome(first));
    const hybrid = { ...spec, arm: 'hybrid' };
    expect(outcome(await runExperiment(recording([]), initial, hybrid, { base }))).toBe(outcome(await runExperiment(recording([]), initial, hybrid, { base })));
  });
});

describe('the arms of a seed are paired', () => {
  it('meet the same questions, user draws and policy sampling seeds; another seed meets others', async () => {
    const seeds: Record<string, number[]> = {};
    const runs: Record<string, RunResult> = {};
    for (const arm of ['hybrid', 'grpo', 'opd', 'none']) {
      seeds[arm] = [];
      runs[arm] = await runExperiment(recording(seeds[arm]), initial, { arm, preference: 'brief', seed: 8, cap: 5 }, { base });
    }
    const replies = Object.values(runs).map((r) => r.sessions.map((s) => s.reply));
    // The arms learned different things (else pairing would be trivially true).
    expect(new Set(replies.map((r) => JSON.stringify(r))).size).toBeGreaterThan(1);
    for (const arm of ['grpo', 'opd', 'none']) {
      expect(drawsAgree(runs.hybrid, runs[arm])).toBe(true);
      const n = Math.min(seeds.hybrid.length, seeds[arm].length);
      expect(seeds[arm].slice(0, n)).toEqual(seeds.hybrid.slice(0, n));
      // Session 1 is the initial policy on the same question with the same seed: the same reply.
      expect(runs[arm].sessions[0].reply).toBe(runs.hybrid.sessions[0].reply);
    }
    const other = await runExperiment(recording([]), initial, { arm: 'hybrid', preference: 'brief', seed: 9, cap: 5 }, { base });
    expect(drawsAgree(runs.hybrid, other)).toBe(false);
  });
});

describe('the reply cache and the probes change nothing the run records', () => {
  it('gives the same sessions with a warm cache, a teacher probe and accuracy questions', async () => {
    const spec: RunSpec = { arm: 'hybrid', preference: 'emoji', seed: 6, cap: 4 };
    const plain = await runExperiment(recording([]), initial, spec, { base });
    const cache = new Map<string, ReplyResult>();
    const none = await runExperiment(engines, initial, { ...spec, arm: 'none', cap: 6 }, { base, replyCache: cache, accuracyQuestions: 3 });
    expect(cache.size).toBeGreaterThan(0);
    const noneAgain = await runExperiment(engines, initial, { ...spec, arm: 'none', cap: 6 }, { base, replyCache: cache, accuracyQuestions: 3 });
    expect(outcome(noneAgain)).toBe(outcome(none));
    expect(outcome(await runExperiment(recording([]), initial, { ...spec, arm: 'none', cap: 6 }, { base, accuracyQuestions: 3 }))).toBe(outcome(none));
    const probed = await runExperiment(engines, initial, spec, { base, replyCache: cache, accuracyQuestions: 3 });
    expect(probed.sessions.map((s) => ({ ...s, teacherFollowed: null }))).toEqual(plain.sessions);
    expect(probed.accuracyAfter).toMatchObject({ questions: 3 });
    expect(none.accuracyAfter).toMatchObject({ questions: 3 });
    // Every accepted style hint got a teacher probe; none without a hint.
    for (const s of probed.sessions) if (s.hint === null) expect(s.teacherFollowed).toBeNull();
  });
});
