/**
 * The three engines of the online loop in Node, on a small random policy: serve → judge and teach → update →
 * publish, with the built-in judge. The same classes run in the page's workers.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Policy } from '../../src/model/policy.ts';
import { defaultTokenizer } from '../../src/model/tokenizer.ts';
import { DEFAULT_SETTINGS, validateSettings } from '../../src/rl/settings.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { PolicyEngine, fitContext } from '../../src/workers/policy-engine.ts';
import { SignalEngine } from '../../src/workers/signal-engine.ts';
import { TrainerEngine } from '../../src/workers/trainer-engine.ts';
import type { CheckpointBlob } from '../../src/workers/protocol.ts';
import type { Message } from '../../src/model/chat.ts';
import { randomCheckpoint, smallConfig } from '../support/random-checkpoint.ts';

const tokenizer = defaultTokenizer();
const config = smallConfig({ maxLen: 192 });
let initial: CheckpointBlob;

beforeAll(async () => {
  await tf.setBackend('wasm');
  initial = await randomCheckpoint(7, config);
});

const sampling = { temperature: 0.6, topP: 1, maxTokens: 24, seed: 3 };

describe('PolicyEngine', () => {
  it('streams a reply whose pieces concatenate to its text, with one sampling log-prob per token', async () => {
    const engine = new PolicyEngine();
    await engine.init('wasm');
    const info = await engine.load(initial, 0);
    expect(info.vocabSize).toBe(tokenizer.vocabSize);
    const pieces: string[] = [];
    const r = await engine.reply({ sessionId: 's', messages: [{ role: 'user', content: 'what is 2 plus 3?' }], sampling }, (p) => pieces.push(p));
    expect(r.responseIds.length).toBeGreaterThan(0);
    expect(r.responseLogprobs).toHaveLength(r.responseIds.length);
    expect(r.responseLogprobs.every((x) => x <= 0 && Number.isFinite(x))).toBe(true);
    expect(pieces.join('')).toBe(r.text);
    expect(r.policyVersion).toBe(0);
    expect(r.promptIds).toEqual(tokenizer.encodePrompt(r.contextMessages));
  });

  it('applies a published version only at the next reply', async () => {
    const engine = new PolicyEngine();
    await engine.init('wasm');
    await engine.load(initial, 0);
    const other = Policy.create(config, 99);
    const messages: Message[] = [{ role: 'user', content: 'hello' }];
    const before = await engine.reply({ sessionId: 's', messages, sampling });
    await engine.publish({ version: 1, weights: other.getWeights() });
    const after = await engine.reply({ sessionId: 's', messages, sampling });
    expect(before.policyVersion).toBe(0);
    expect(after.policyVersion).toBe(1);
    // Same seed and prompt, different weights: the sampling log-probs differ.
    expect(after.responseLogprobs[0]).not.toBeCloseTo(before.responseLogprobs[0], 6);
    other.dispose();
  });

  it('drops the oldest messages of a long session so the prompt fits with room to reply', () => {
    const long: Message[] = Array.from({ length: 30 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `message number ${i} with some words` }));
    const fitted = fitContext(tokenizer, long, 192, 64);
    expect(fitted.ids.length).toBeLessThanOrEqual(192 - 64);
    expect(fitted.messages.at(-1)).toEqual(long.at(-1));
    expect(fitted.messages.length).toBeLessThan(long.length);
  });
});

describe('SignalEngine and TrainerEngine', () => {
  it('turns a style complaint into a hinted sample, and one update publishes version 1', async () => {
    const signal = new SignalEngine(builtinJudgeBackend);
    await signal.init('wasm');
    await signal.load(initial, null);
    const serving = new PolicyEngine();
    await serving.init('wasm');
    await serving.load(initial, 0);
    const messages: Message[] = [{ role: 'user', content: 'What is the capital of Peru?' }];
    const reply = await serving.reply({ sessionId: 's1', messages, sampling });
    const settings = validateSettings({ batchSize: 1 });
    const result = await signal.process(
      {
        sessionId: 's1', turn: 1, kind: 'personal', messages: reply.contextMessages, reply: reply.text,
        nextState: { role: 'user', content: 'way too long, just give me one short sentence please' },
        promptIds: reply.promptIds, responseIds: reply.responseIds, responseLogprobs: reply.responseLogprobs, policyVersion: 0,
      },
      settings,
    );
    expect(result.evaluative.score).toBe(-1);
    expect(result.directive.accepted).toBe(true);
    expect(result.sample?.case).toBe('combined');
    expect(result.report?.overlap[0]).toHaveLength(reply.responseIds.length);
    expect(result.sample!.support_ids.every((s) => s.length === DEFAULT_SETTINGS.k)).toBe(true);

    const trainer = new TrainerEngine();
    await trainer.init('wasm');
    await trainer.load(initial, null, 0);
    // The sample's store id (an import may have renamed it) is what the result names, not its turn.
    const sample = { ...result.sample!, id: 's1/1-3f9a0c1e' };
    const update = await trainer.update([sample], { ...settings, lr: 1e-2 }, 1);
    expect(update.version).toBe(1);
    expect(update.trainedSamples).toEqual(['s1/1-3f9a0c1e']);
    expect(Number.isFinite(update.metrics.loss)).toBe(true);
    expect(update.metrics.cases.combined).toBe(1);
    // The drift is measured once the version is published, by the signal engine (published and frozen policy).
    expect(update.metrics).not.toHaveProperty('klToFrozen');
    expect((await signal.drift([sample], settings)).klToFrozen).toBe(0); // v0 is the frozen policy
    await signal.publish({ version: 1, weights: update.weights });
    const drift = await signal.drift([sample], settings);
    expect(drift.version).toBe(1);
    expect(drift.klToFrozen).toBeGreaterThan(0);
    // The combined sample with r = −1 pushes the sampled reply's probability down.
    const policy = new PolicyEngine();
    await policy.init('wasm');
    await policy.load(update.checkpoint!, 1);
    const before = await (await import('../../src/model/checkpoint.ts')).loadPolicy(initial.bytes, initial.manifest);
    const after = await (await import('../../src/model/checkpoint.ts')).loadPolicy(update.checkpoint!.bytes, update.checkpoint!.manifest);
    const lpBefore = (await before.policy.score(reply.promptIds, reply.responseIds)).tokenLogprobs.reduce((a, b) => a + b, 0);
    const lpAfter = (await after.policy.score(reply.promptIds, reply.responseIds)).tokenLogprobs.reduce((a, b) => a + b, 0);
    expect(lpAfter).toBeLessThan(lpBefore);

    // The optimizer resumes: a trainer loaded at version 1 with the Adam state saved by update 1 makes the same
    // version 2 as the trainer that kept going; with no state, or another version's, Adam starts over.
    const next = { ...settings, lr: 1e-2 };
    const kept = await trainer.update([sample], next, 2);
    const version2 = async (optimizer: typeof update.optimizer | null) => {
      const t = new TrainerEngine();
      await t.init('wasm');
      await t.load(initial, update.checkpoint!, 1, optimizer);
      return (await t.update([sample], next, 2)).weights;
    };
    const maxDiff = (a: Record<string, Float32Array>, b: Record<string, Float32Array>) =>
      Math.max(...Object.keys(a).map((k) => Math.max(...Array.from(a[k], (x, i) => Math.abs(x - b[k][i])))));
    expect(update.optimizer.version).toBe(1);
    expect(maxDiff(kept.weights, await version2(update.optimizer))).toBeLessThan(1e-6);
    expect(maxDiff(kept.weights, await version2(null))).toBeGreaterThan(1e-4);
    expect(maxDiff(kept.weights, await version2({ ...update.optimizer, version: 7 }))).toBeGreaterThan(1e-4);
  });

  it('makes no sample from a neutral next state without a hint', async () => {
    const signal = new SignalEngine(builtinJudgeBackend);
    await signal.init('wasm');
    await signal.load(initial, null);
    const result = await signal.process(
      {
        sessionId: 's2', turn: 1, kind: 'personal', messages: [{ role: 'user', content: 'hi' }], reply: 'hello',
        nextState: { role: 'user', content: 'hmm' },
        promptIds: tokenizer.encodePrompt([{ role: 'user', content: 'hi' }]), responseIds: tokenizer.encodeText('hello'),
        responseLogprobs: [-1, -1, -1, -1, -1], policyVersion: 0,
      },
      DEFAULT_SETTINGS,
    );
    expect(result.evaluative.score).toBe(0);
    expect(result.sample).toBeNull();
  });
});
