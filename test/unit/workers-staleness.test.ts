/**
 * Bounded staleness through the real engines and loop (METHOD §7, NextState extension): a sample written three
 * versions back is recomputed with the weights being trained (checked against an independent scoring of that
 * version's checkpoint), weighted by its behaviour importance weight (checked in float64), and a −1 combined
 * one lowers its reply's log-prob; with maxStaleness = 1 the loop keeps it stale; and on fresh samples the
 * update is bit for bit the one before bounded staleness existed.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createHash } from 'node:crypto';
import { validateSettings, type Settings } from '../../src/rl/settings.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { PolicyEngine } from '../../src/workers/policy-engine.ts';
import { SignalEngine } from '../../src/workers/signal-engine.ts';
import { TrainerEngine } from '../../src/workers/trainer-engine.ts';
import { OnlineLoop, type QueueState } from '../../src/workers/online-loop.ts';
import { planBatch, prepareBatch } from '../../src/workers/bounded-staleness.ts';
import { loadPolicy } from '../../src/model/checkpoint.ts';
import type { Policy } from '../../src/model/policy.ts';
import type { CheckpointBlob, UpdateMetrics, UpdateResult } from '../../src/workers/protocol.ts';
import type { SampleRecord } from '../../src/rl/records.ts';
import type { Message } from '../../src/model/chat.ts';
import type { StoredSample, StoredTurn } from '../../src/store/types.ts';
import { MemoryStore } from '../../src/store/index.ts';
import { randomCheckpoint } from '../support/random-checkpoint.ts';

const CONVERSATION: [string, string][] = [
  ['What is the capital of Peru?', 'why is it in capitals? use lowercase'],
  ['What is 7 times 8?', 'no, that is wrong'],
  ['Describe a cat.', 'too long, one short sentence please'],
];

interface Engines {
  policy: PolicyEngine;
  signal: SignalEngine;
  trainer: TrainerEngine;
}

async function engines(initial: CheckpointBlob): Promise<Engines> {
  const e = { policy: new PolicyEngine(), signal: new SignalEngine(builtinJudgeBackend), trainer: new TrainerEngine() };
  await Promise.all([e.policy.init('wasm'), e.signal.init('wasm'), e.trainer.init('wasm')]);
  await Promise.all([e.policy.load(initial, 0), e.signal.load(initial, null), e.trainer.load(initial, null, 0)]);
  return e;
}

/** One judged turn of the current version: the reply (seeded), its stored turn and its sample. */
async function judgedTurn(e: Engines, settings: Settings, turn: number, [question, correction]: [string, string], version: number) {
  const reply = await e.policy.reply({ sessionId: 's', messages: [{ role: 'user', content: question }], sampling: { temperature: 0.6, topP: 1, maxTokens: settings.maxTokens, seed: 100 + turn - 1 } });
  const out = await e.signal.process(
    { sessionId: 's', turn, kind: 'personal', messages: reply.contextMessages, reply: reply.text, nextState: { role: 'user', content: correction }, promptIds: reply.promptIds, responseIds: reply.responseIds, responseLogprobs: reply.responseLogprobs, policyVersion: version },
    settings,
  );
  const stored: StoredTurn = {
    session_id: 's', turn, timestamp: 0, messages: reply.contextMessages, prompt_text: reply.promptText, response_text: reply.text, tool_calls: [],
    next_state: { role: 'user', content: correction }, policy_version: version, prompt_ids: reply.promptIds, response_ids: reply.responseIds,
    response_logprobs: reply.responseLogprobs, status: 'sampled',
  };
  return { sample: out.sample!, turn: stored, messages: reply.contextMessages as Message[] };
}

function weightsHash(weights: Record<string, Float32Array>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(weights).sort()) h.update(name).update(new Uint8Array(weights[name].buffer, weights[name].byteOffset, weights[name].byteLength));
  return h.digest('hex').slice(0, 16);
}

async function publish(e: Engines, result: UpdateResult): Promise<void> {
  await Promise.all([e.policy.publish({ version: result.version, weights: result.weights }), e.signal.publish({ version: result.version, weights: result.weights })]);
}

/** The summed log-prob of a reply under a checkpoint, scored on its own (independent of the engines). */
async function replyLogprob(checkpoint: CheckpointBlob, sample: SampleRecord): Promise<number> {
  const { policy } = await loadPolicy(checkpoint.bytes, checkpoint.manifest);
  const scored = await policy.score(sample.prompt_ids, sample.response_ids, { temperature: 0.6 });
  policy.dispose();
  return scored.tokenLogprobs.reduce((a, b) => a + b, 0);
}

let initial: CheckpointBlob;

beforeAll(async () => {
  await tf.setBackend('wasm');
  initial = await randomCheckpoint(5);
});

describe('bounded staleness (METHOD §7)', () => {
  it('maxStaleness = 1: fresh samples update bit for bit as before bounded staleness (recorded at 1b36a02, main just before bounded staleness, with the batched attention products; re-recorded when wasm took 2-D ones, the first values checked to hold with the batched products)', async () => {
    const settings = validateSettings({ batchSize: 3, maxTokens: 24, lr: 1e-3, maxStaleness: 1 });
    const e = await engines(initial);
    const turns = [];
    for (const [i, pair] of CONVERSATION.entries()) turns.push(await judgedTurn(e, settings, i + 1, pair, 0));
    expect(turns.map((t) => t.sample.case)).toEqual(['combined', 'combined', 'combined']);
    const pending: StoredSample[] = turns.map((t) => ({ ...t.sample, id: `s/${t.sample.turn}`, status: 'pending' }));
    const plan = planBatch(pending, [0], settings);
    const prepared = await prepareBatch(plan, 0, settings, e, async () => []);
    const result = await e.trainer.update(prepared.samples, settings, 1);
    // The same three samples and settings through the trainer as it was before this change.
    expect(result.metrics.loss).toBe(1.0007539987564087);
    expect(weightsHash(result.weights)).toBe('8eacf6c45c6ddcc8');
    expect(result.metrics.proximalSamples).toBe(0);
    // Three epochs at a large lr: the ratio-clip metric (now read from the loss's own forward pass) is unchanged too.
    const trainer = new TrainerEngine();
    await trainer.load(initial, null, 0);
    const epochs = await trainer.update(prepared.samples, { ...settings, lr: 3e-2, epochsPerBatch: 3 }, 1);
    expect(epochs.metrics.fractionRatioClipped).toBe(0.8793103448275862);
    // The drift, measured by the signal engine once the version is published: the exact KL over the vocabulary since
    // it replaced the k3 estimate on the sampled tokens (which gave 5.2756 here, most of it from a few tokens).
    const signal = new SignalEngine(builtinJudgeBackend);
    await signal.init('wasm');
    await signal.load(initial, null);
    await signal.publish({ version: 1, weights: epochs.weights });
    expect((await signal.drift(prepared.samples, settings)).klToFrozen).toBe(0.5609130233833268);
    expect(weightsHash(epochs.weights)).toBe('3dd8dc854ff12c80');
  });

  it('a sample three versions old trains: recomputed with the current weights, behaviour-weighted, and a −1 lowers its reply', async () => {
    const settings = validateSettings({ batchSize: 1, maxTokens: 24, lr: 3e-3 });
    const e = await engines(initial);
    const old = await judgedTurn(e, settings, 1, CONVERSATION[0], 0);
    expect(old.sample.case).toBe('combined');
    expect(old.sample.reward.score).toBe(-1);
    // Three updates on other turns make v1, v2, v3; each is published to the serving and signal engines.
    let latest: UpdateResult | null = null;
    for (let v = 1; v <= 3; v++) {
      const other = await judgedTurn(e, settings, 1 + v, CONVERSATION[v % 3 === 0 ? 1 : v % 3], v - 1);
      latest = await e.trainer.update([{ ...other.sample, id: `other-${v}` }], settings, v);
      await publish(e, latest);
    }
    const v3 = latest!.checkpoint!;
    const lineage = [3, 2, 1, 0];
    const pending: StoredSample = { ...old.sample, id: 's/1', status: 'pending' };

    // maxStaleness = 1: kept stale, never trained.
    expect(planBatch([pending], lineage, { ...settings, maxStaleness: 1 })).toMatchObject({ staleIds: ['s/1'], batch: [] });

    // The default (4): recomputed with v3's weights, by the loop's path, and by each engine's own.
    const plan = planBatch([pending], lineage, settings);
    expect(plan.batch.map((b) => b.proximal)).toEqual([true]);
    const prepared = await prepareBatch(plan, 3, settings, e, async () => old.messages);
    const bySignal = await e.signal.proximal({ sample: old.sample, messages: old.messages }, settings);
    const byTrainer = await e.trainer.proximal([old.sample], settings);
    expect([bySignal.version, byTrainer.version]).toEqual([3, 3]);
    // The frozen teacher's rows of this reply were kept when it was signalled: recomputing it again scores no
    // teacher, and gives what an engine that never saw the reply gives (it scores the teacher, once per hint).
    const teacherPasses = (engine: SignalEngine) => {
      const frozen = (engine as unknown as { frozen: Policy }).frozen;
      const forward = frozen.forward.bind(frozen);
      const count = { passes: 0 };
      frozen.forward = (...args) => (count.passes++, forward(...args));
      return count;
    };
    const kept = teacherPasses(e.signal);
    const again = await e.signal.proximal({ sample: old.sample, messages: old.messages }, settings);
    const other = new SignalEngine(builtinJudgeBackend);
    await other.init('wasm');
    await other.load(initial, { checkpoint: v3, version: 3 });
    const scoredAgain = teacherPasses(other);
    const unseen = await other.proximal({ sample: old.sample, messages: old.messages }, settings);
    expect(kept.passes).toBe(0);
    expect(scoredAgain.passes).toBe(old.sample.hints.length);
    expect(again.sample).toEqual(unseen.sample);
    expect(again.sample).toEqual(bySignal.sample);
    const { policy: fresh } = await loadPolicy(v3.bytes, v3.manifest);
    const scored = await fresh.score(old.sample.prompt_ids, old.sample.response_ids, { temperature: 0.6, k: settings.k });
    fresh.dispose();
    const T = old.sample.response_ids.length;
    const topIds = (i: number) => Array.from(scored.topIds.subarray(i * settings.k, (i + 1) * settings.k));
    const setsMoved = Array.from({ length: T }, (_, i) => topIds(i).some((id) => !old.sample.support_ids[i].includes(id))).some(Boolean);
    // The trainer recomputes it alone exactly when v3's top-k sets are v0's (then the frozen teacher's numbers stand).
    expect(byTrainer.samples[0] === null).toBe(setsMoved);
    // Under the frozen teacher the loop sends a hinted sample straight to the signal engine (its teacher rows kept).
    expect(prepared.rescored).toBe(1);
    expect(prepared.samples[0]).toEqual({ ...bySignal.sample, id: 's/1' });
    const recomputations = [prepared.samples[0], bySignal.sample!, ...(byTrainer.samples[0] ? [byTrainer.samples[0]] : [])];
    for (const recomputed of recomputations) {
      let changed = 0;
      for (let i = 0; i < T; i++) {
        // π_old's top-k (the student support) and its log-probs there are v3's own.
        const ids = topIds(i);
        expect([...recomputed.support_ids[i]].sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
        recomputed.support_ids[i].forEach((id, j) => {
          expect(recomputed.old_logprobs_at_support[i][j]).toBeCloseTo(scored.topLogprobs[i * settings.k + ids.indexOf(id)], 4);
        });
        if (old.sample.old_logprobs_at_support[i].some((l, j) => Math.abs(l - recomputed.old_logprobs_at_support[i][j]) > 1e-3)) changed++;
        // l_prox and the behaviour weight against a float64 reference from the independent scoring.
        expect(recomputed.proximal_logprobs![i]).toBeCloseTo(scored.tokenLogprobs[i], 4);
        const reference = Math.min(Math.exp(scored.tokenLogprobs[i] - old.sample.response_logprobs[i]), settings.behaviourWeightCap);
        expect(Math.abs(recomputed.behaviour_weights![i] - reference)).toBeLessThan(1e-4 * reference + 1e-7);
      }
      expect(changed).toBeGreaterThan(0); // v3 is not v0: the recorded numbers were out of date
      expect(recomputed.response_logprobs).toEqual(old.sample.response_logprobs);
      expect(recomputed.teacher_logprobs_at_support.every((row, i) => row.length === recomputed.support_ids[i].length)).toBe(true);
    }
    // A sample v3 signalled itself: its top-k sets stand, and the trainer alone recomputes it.
    const own = await judgedTurn(e, settings, 9, CONVERSATION[0], 3);
    const ownByTrainer = (await e.trainer.proximal([own.sample], settings)).samples[0]!;
    expect(ownByTrainer.support_ids).toEqual(own.sample.support_ids);
    ownByTrainer.old_logprobs_at_support.forEach((row, i) => row.forEach((l, j) => expect(l).toBeCloseTo(own.sample.old_logprobs_at_support[i][j], 4)));
    ownByTrainer.behaviour_weights!.forEach((w) => expect(w).toBeCloseTo(1, 3));

    const before = await replyLogprob(v3, old.sample);
    const result = await e.trainer.update(prepared.samples, settings, 4);
    expect(result.metrics.proximalSamples).toBe(1);
    expect(result.metrics.meanBehaviourWeight).toBeGreaterThan(0);
    expect(await replyLogprob(result.checkpoint!, old.sample)).toBeLessThan(before);
  });

  it('the loop: a pending sample three versions behind trains with the default, stays stale with maxStaleness = 1', async () => {
    const settings = validateSettings({ batchSize: 1, maxTokens: 24, lr: 3e-3 });
    // The store a tab left: v1–v3 saved (each trained from the one before), serving v3, and a v0 sample pending.
    const e = await engines(initial);
    const old = await judgedTurn(e, settings, 1, CONVERSATION[0], 0);
    const checkpoints: CheckpointBlob[] = [];
    for (let v = 1; v <= 3; v++) {
      const other = await judgedTurn(e, settings, 1 + v, CONVERSATION[v % 3], v - 1);
      const result = await e.trainer.update([{ ...other.sample, id: `other-${v}` }], settings, v);
      await publish(e, result);
      checkpoints.push(result.checkpoint!);
    }
    for (const maxStaleness of [1, 4]) {
      const store = await MemoryStore.open();
      await store.putCheckpoint(0, initial.bytes, initial.manifest);
      for (const [i, c] of checkpoints.entries()) await store.putCheckpoint(i + 1, c.bytes, c.manifest);
      await store.setServingVersion(3);
      await store.putSession({ id: 's', title: 'stale', createdAt: 0, updatedAt: 0, kind: 'chat' });
      await store.putTurn(old.turn);
      await store.putSample({ ...old.sample, id: 's/1', status: 'pending' });
      const updates: UpdateMetrics[] = [];
      const staleIds: string[] = [];
      const queues: QueueState[] = [];
      const loop = new OnlineLoop(await engines(initial), store, { ...settings, maxStaleness }, { update: (m) => updates.push(m), stale: (ids) => staleIds.push(...ids), queue: (q) => queues.push(q) });
      await loop.start(initial);
      await loop.idle();
      await new Promise((r) => setTimeout(r, 50)); // the last queue event reads the store
      const [sample] = await store.listSamples();
      if (maxStaleness === 1) {
        expect(sample.status).toBe('stale');
        expect(staleIds).toEqual(['s/1']);
        expect(updates).toHaveLength(0);
        expect((await store.getTurn('s', 1))?.status).toBe('stale');
        // The page is told how many and why.
        expect(queues.at(-1)).toMatchObject({ staleSamples: 1, staleReason: expect.stringMatching(/^more than one version behind/) });
      } else {
        expect(sample.status).toBe('trained');
        expect(sample.trained_in_update).toBe(4);
        expect(updates.map((m) => [m.version, m.proximalSamples])).toEqual([[4, 1]]);
        expect((await store.getCheckpoint(4))?.manifest.training?.parentVersion).toBe(3);
        expect(queues.at(-1)).toMatchObject({ staleSamples: 0, servingVersion: 4 });
      }
    }
  });
});
