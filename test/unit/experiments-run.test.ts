/**
 * A tiny end-to-end run of the experiment through the real online loop and engines in Node (small random
 * policy, few sessions): sessions are recorded as the user saw them, updates land before the next session,
 * runs are reproducible for a seed, and the learning path never sees the preference.
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
import type { JudgeBackend } from '../../src/rl/judge/types.ts';
import { PolicyEngine } from '../../src/workers/policy-engine.ts';
import { SignalEngine } from '../../src/workers/signal-engine.ts';
import { TrainerEngine } from '../../src/workers/trainer-engine.ts';
import type { CheckpointBlob, ReplyRequest, SignalRequest } from '../../src/workers/protocol.ts';
import { EXPERIMENT_SETTINGS, meetsPreference, preferenceById, runExperiment, type ExperimentEngines, type RunResult } from '../../src/experiments/index.ts';

const tokenizer = defaultTokenizer();
const config: ModelConfig = { vocabSize: tokenizer.vocabSize, dModel: 32, nLayers: 2, nHeads: 2, dFF: 64, maxLen: 192, ropeBase: 10000 };
const base: Partial<Settings> = { batchSize: 1, lr: 1e-2, epochsPerBatch: 1, maxTokens: 24 };
let initial: CheckpointBlob;
let engines: ExperimentEngines;

beforeAll(async () => {
  await tf.setBackend('wasm');
  const policy = Policy.create(config, 11);
  initial = await encodeCheckpoint(policy.getWeights(), {
    preset: 'test', config, tokenizer: tokenizer.toJSON(), corpusVersion: null, tokensSeen: 0, finalLoss: null,
  });
  policy.dispose();
  engines = { policy: new PolicyEngine(), signal: new SignalEngine(builtinJudgeBackend), trainer: new TrainerEngine() };
  await Promise.all([engines.policy.init('wasm'), engines.signal.init('wasm'), engines.trainer.init('wasm')]);
});

/** The real policy engine, each reply request shown to `see` first and its result after. */
function watchedPolicy(see: (request: ReplyRequest, text?: string) => void): ExperimentEngines['policy'] {
  return {
    init: (b) => engines.policy.init(b),
    load: (c, v) => engines.policy.load(c, v),
    publish: (u) => engines.policy.publish(u),
    info: () => engines.policy.info(),
    reply: async (request: ReplyRequest, onToken) => {
      see(request);
      const result = await engines.policy.reply(request, onToken);
      see(request, result.text);
      return result;
    },
  };
}

/** The engines, recording what the learning path is given. */
function spied(seen: { settings: Settings[]; userTexts: string[]; judges: string[] }): ExperimentEngines {
  return {
    policy: watchedPolicy((r, text) => {
      if (text === undefined) seen.userTexts.push(...r.messages.filter((m) => m.role === 'user').map((m) => m.content));
    }),
    signal: {
      init: (b) => engines.signal.init(b),
      load: (i, s) => engines.signal.load(i, s),
      publish: (u) => engines.signal.publish(u),
      setJudge: (j: JudgeBackend) => {
        seen.judges.push(j.name);
        engines.signal.setJudge(j);
      },
      process: (r: SignalRequest, s) => {
        seen.settings.push(s);
        seen.userTexts.push(r.nextState.content, ...r.messages.filter((m) => m.role === 'user').map((m) => m.content));
        return engines.signal.process(r, s);
      },
      proximal: (r, s) => engines.signal.proximal(r, s),
      drift: (samples, s) => engines.signal.drift(samples, s),
    },
    trainer: {
      init: (b) => engines.trainer.init(b),
      load: (i, s, v) => engines.trainer.load(i, s, v),
      proximal: (samples, s) => engines.trainer.proximal(samples, s),
      update: (samples, s, version) => {
        seen.settings.push(s);
        return engines.trainer.update(samples, s, version);
      },
    },
  };
}

/** The engines, recording every reply request and the text it got. */
function recordingReplies(log: { request: ReplyRequest; text: string }[]): ExperimentEngines {
  return { ...engines, policy: watchedPolicy((request, text) => { if (text !== undefined) log.push({ request, text }); }) };
}

describe('runExperiment through the real engines', () => {
  let first: RunResult;

  it('records each session as the user saw it, and each update lands before the next session', async () => {
    first = await runExperiment(engines, initial, { arm: 'hybrid', preference: 'list', seed: 5, cap: 4 }, { base });
    const pref = preferenceById('list');
    expect(first.sessions.length === 4 || !first.hitCap).toBe(true);
    let sampled = 0;
    for (const s of first.sessions) {
      expect(s.met).toBe(meetsPreference(pref, s.reply));
      expect([-1, 0, 1]).toContain(s.reward);
      // B = 1: every sample so far has been trained on, and the reply came from the newest version.
      expect(s.version).toBe(sampled);
      if (s.sampled) sampled++;
      expect(s.replyTokens).toBeGreaterThan(0);
      expect(s.replyTokens).toBeLessThanOrEqual(24);
    }
    expect(first.updates).toBe(sampled);
    // Each session waits for its update: no sample trains more than one version behind or goes stale (METHOD §7).
    expect(first.staleness).toEqual({ proximalSamples: 0, staleSamples: 0 });
    expect(sampled).toBeGreaterThan(0);
    expect(first.sessionsToSatisfy).toBe(first.hitCap ? 4 : first.sessions.length);
  });

  it('is reproducible for a seed', async () => {
    const again = await runExperiment(engines, initial, { arm: 'hybrid', preference: 'list', seed: 5, cap: 4 }, { base });
    expect(again.sessions).toEqual(first.sessions);
    const other = await runExperiment(engines, initial, { arm: 'hybrid', preference: 'list', seed: 6, cap: 2 }, { base });
    expect(other.sessions.map((s) => s.question)).not.toEqual(first.sessions.slice(0, 2).map((s) => s.question));
  });

  it('never updates in the no-update arm', async () => {
    const none = await runExperiment(engines, initial, { arm: 'none', preference: 'list', seed: 5, cap: 3 }, { base });
    expect(none.updates).toBe(0);
    expect(none.sessions.every((s) => s.version === 0)).toBe(true);
    // Same seed, same starting policy: the first reply is the hybrid run's first reply.
    expect(none.sessions[0].reply).toBe(first.sessions[0].reply);
  });

  it('updates an OPD-only run only on hinted turns: a turn without a hint has no loss there and makes no sample', async () => {
    const trained: { hints: number; case: string }[] = [];
    const arm = { ...engines, trainer: { ...spied({ settings: [], userTexts: [], judges: [] }).trainer, update: (samples: Parameters<typeof engines.trainer.update>[0], s: Settings, version: number) => {
      trained.push(...samples.map((x) => ({ hints: x.hints.length, case: x.case })));
      return engines.trainer.update(samples, s, version);
    } } } as ExperimentEngines;
    const opd = await runExperiment(arm, initial, { arm: 'opd', preference: 'brief+formal', seed: 3, cap: 6 }, { base });
    const hybrid = await runExperiment(engines, initial, { arm: 'hybrid', preference: 'brief+formal', seed: 3, cap: 6 }, { base });
    expect(trained.length).toBe(opd.updates);
    expect(trained.every((t) => t.hints > 0 && t.case !== 'grpo')).toBe(true);
    expect(opd.sessions.filter((s) => s.sampled).every((s) => s.hinted)).toBe(true);
    // the same first turn: in the hybrid its GRPO-only sample trains; OPD only makes none of it
    const unhinted = hybrid.sessions.findIndex((s) => !s.hinted && s.reward !== 0);
    expect(unhinted).toBeGreaterThanOrEqual(0);
    expect(hybrid.sessions[unhinted].sampled).toBe(true);
    if (unhinted === 0) expect(opd.sessions[0].sampled).toBe(false);
  });

  it('gives the learning path the user\'s words and the arm\'s settings, never the preference', async () => {
    const runs: Record<string, { settings: Settings[]; userTexts: string[]; judges: string[]; result?: RunResult }> = {};
    for (const preference of ['lowercase', 'brief+formal']) {
      const seen = (runs[preference] = { settings: [] as Settings[], userTexts: [] as string[], judges: [] as string[] });
      runs[preference].result = await runExperiment(spied(seen), initial, { arm: 'opd', preference, seed: 9, cap: 3 }, { base });
    }
    const [a, b] = Object.values(runs);
    expect(a.settings.length).toBeGreaterThan(0);
    for (const s of [...a.settings, ...b.settings]) expect(s).toEqual({ ...a.settings[0] });
    expect(a.settings[0]).toMatchObject({ wRL: 0, wOPD: 1, seed: 9, batchSize: 1 });
    expect(a.judges).toEqual(['builtin']);
    for (const run of [a, b]) {
      const spoken = new Set(run.result!.sessions.flatMap((s) => [s.question, s.userText]));
      for (const text of run.userTexts) expect(spoken.has(text), text).toBe(true);
    }
  });

  it("draws every reply from the settings' top-p nucleus: EXPERIMENT_SETTINGS' 0.5 by default", async () => {
    const byDefault: { request: ReplyRequest; text: string }[] = [];
    await runExperiment(recordingReplies(byDefault), initial, { arm: 'none', preference: 'brief', seed: 2, cap: 1 }, { accuracyQuestions: 2 });
    expect(EXPERIMENT_SETTINGS.topP).toBe(0.5);
    expect(byDefault.length).toBeGreaterThan(1); // the session's reply and the accuracy probes after it
    for (const { request } of byDefault) expect(request.sampling.topP).toBe(0.5);
    // A nucleus of almost no mass holds the most likely token alone: every reply, the probes' included, is the
    // greedy one (re-decoded at temperature 0 from the same request); with the whole distribution some are not.
    const greedyShare = async (topP: number) => {
      const log: { request: ReplyRequest; text: string }[] = [];
      await runExperiment(recordingReplies(log), initial, { arm: 'none', preference: 'list', seed: 5, cap: 3 }, { base: { ...base, topP }, accuracyQuestions: 2 });
      let same = 0;
      for (const { request, text } of log) {
        const greedy = await engines.policy.reply({ ...request, sampling: { ...request.sampling, temperature: 0 } });
        if (greedy.text === text) same++;
      }
      return same / log.length;
    };
    expect(await greedyShare(1e-9)).toBe(1);
    expect(await greedyShare(1)).toBeLessThan(1);
  });

  it('uses the varied-hint judge for the selection arms', async () => {
    const seen = { settings: [] as Settings[], userTexts: [] as string[], judges: [] as string[] };
    await runExperiment(spied(seen), initial, { arm: 'selection=token', preference: 'emoji', seed: 3, cap: 1 }, { base });
    expect(seen.judges).toEqual(['builtin+varied-hints']);
    expect(seen.settings[0].selection).toBe('token');
  });
});
