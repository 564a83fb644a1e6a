/**
 * An environment episode through the real online loop and engines on the shipped policy (Node, wasm): the
 * tool call is run, its result is the next state of that main turn and is judged by the step judge with the
 * task (METHOD §2); the agent goes on to answer; the checker's outcome is added to the last step's reward.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { validateSettings, ENVIRONMENT_C } from '../../src/rl/settings.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { stepReward } from '../../src/rl/judge/vote.ts';
import { PolicyEngine } from '../../src/workers/policy-engine.ts';
import { SignalEngine } from '../../src/workers/signal-engine.ts';
import { TrainerEngine } from '../../src/workers/trainer-engine.ts';
import { OnlineLoop } from '../../src/workers/online-loop.ts';
import { runEpisode } from '../../src/workers/environment-episode.ts';
import type { CheckpointBlob, SignalRequest } from '../../src/workers/protocol.ts';
import { MemoryStore } from '../../src/store/index.ts';
import { MAX_ACTIONS, TOOL_USE, type Environment, type ToolTask } from '../../src/world/environments/index.ts';
import { validateRecord } from '../../src/rl/record-validate.ts';

let initial: CheckpointBlob;
const base = 'public/models/nextstate-tiny';

beforeAll(async () => {
  await tf.setBackend('wasm');
  initial = { bytes: new Uint8Array(readFileSync(`${base}.safetensors`)), manifest: JSON.parse(readFileSync(`${base}.json`, 'utf8')) };
});

describe('runEpisode (tool use)', () => {
  it('runs the call, judges each step with the task, and adds the outcome to the last step', async () => {
    const requests: SignalRequest[] = [];
    class SeenSignalEngine extends SignalEngine {
      override process(r: SignalRequest, s: Parameters<SignalEngine['process']>[1]) {
        requests.push(r);
        return super.process(r, s);
      }
    }
    const engines = { policy: new PolicyEngine(), signal: new SeenSignalEngine(builtinJudgeBackend), trainer: new TrainerEngine() };
    await Promise.all([engines.policy.init('wasm'), engines.signal.init('wasm'), engines.trainer.init('wasm')]);
    const store = await MemoryStore.open();
    const loop = new OnlineLoop(engines, store, validateSettings({ batchSize: 256, maxTokens: 120, C: ENVIRONMENT_C }));
    await loop.start(initial);
    const task: ToolTask = { id: 'capital:Peru', environment: 'tool-use', kind: 'capital', factors: [], prompt: 'What is the capital of Peru?', expected: 'Lima', correction: 'The answer is Lima.' };
    const result = await runEpisode(loop, TOOL_USE, task);
    await loop.idle();

    // The shipped policy looks the capital up (it does so in every sampled reply we have seen).
    expect(result.steps[0].turn.response_text).toBe('call lookup: capital of Peru');
    expect(result.steps[0].nextState).toEqual({ role: 'tool', content: 'result: Lima' });
    const session = await store.getSession(result.sessionId);
    expect(session?.kind).toBe('tool-call');
    const turns = await store.listTurns(result.sessionId);
    expect(turns[0].messages[0]).toEqual({ role: 'system', content: TOOL_USE.systemPrompt });
    expect(turns[0].next_state).toEqual({ role: 'tool', content: 'result: Lima' });
    expect(turns[1].messages.at(-1)).toEqual({ role: 'tool', content: 'result: Lima' });
    expect(result.success).toBe(TOOL_USE.start(task).check(turns[1].response_text));
    expect(turns[1].next_state?.content).toBe(result.success ? "Thanks, that's right." : "That's not right. The answer is Lima.");

    expect(requests.map((r) => r.kind)).toEqual(['tool-call', 'tool-call']);
    expect(requests.map((r) => r.task)).toEqual([task.prompt, task.prompt]);
    expect(requests.map((r) => r.outcome)).toEqual([0, result.success ? 1 : -1]);
    const judges = await store.listJudges(result.sessionId);
    const votes = judges.filter((j) => !('accepted' in j)).sort((a, b) => a.turn - b.turn).map((j) => (j as { votes: (number | null)[] }).votes);
    const samples = (await store.listSamples()).sort((a, b) => a.turn - b.turn);
    expect(samples.map((s) => s.reward.step)).toEqual([stepReward(0, votes[0]), stepReward(result.success ? 1 : -1, votes[1])]);
    for (const s of samples) {
      expect(s.reward.score).toBe(Math.sign(s.reward.step!));
      const { status: _s, id: _i, trained_in_update: _t, ...record } = s;
      expect(validateRecord('sample', record)).toBeNull();
    }
  }, 120_000);
});

describe('runEpisode (a run of actions is capped)', () => {
  it('stops a run of MAX_ACTIONS actions as failed; each action keeps its output as next state, judged with outcome 0', async () => {
    const requests: SignalRequest[] = [];
    class SeenSignalEngine extends SignalEngine {
      override process(r: SignalRequest, s: Parameters<SignalEngine['process']>[1]) {
        requests.push(r);
        return super.process(r, s);
      }
    }
    const engines = { policy: new PolicyEngine(), signal: new SeenSignalEngine(builtinJudgeBackend), trainer: new TrainerEngine() };
    await Promise.all([engines.policy.init('wasm'), engines.signal.init('wasm'), engines.trainer.init('wasm')]);
    const store = await MemoryStore.open();
    const loop = new OnlineLoop(engines, store, validateSettings({ batchSize: 256, maxTokens: 40, C: ENVIRONMENT_C }));
    await loop.start(initial);
    // Tool use whose sandbox takes every reply for a call: the agent never gets to answer.
    let calls = 0;
    const endless: Environment = { ...TOOL_USE, start: (task) => ({ step: () => ({ nextState: `result: ${++calls}` }), check: TOOL_USE.start(task).check }) };
    const task: ToolTask = { id: 'product:13x7', environment: 'tool-use', kind: 'product', factors: [13, 7], prompt: 'What is 13 x 7?', expected: '91', correction: 'The answer is 91.' };
    const result = await runEpisode(loop, endless, task);
    await loop.idle();

    expect(result).toMatchObject({ success: false, capped: true });
    expect(result.steps.map((s) => [s.action, s.nextState])).toEqual(Array.from({ length: MAX_ACTIONS }, (_, i) => [true, { role: 'tool', content: `result: ${i + 1}` }]));
    const turns = await store.listTurns(result.sessionId);
    expect(turns.map((t) => t.next_state)).toEqual(Array.from({ length: MAX_ACTIONS }, (_, i) => ({ role: 'tool', content: `result: ${i + 1}` })));
    expect(requests.map((r) => r.outcome)).toEqual(Array(MAX_ACTIONS).fill(0));
    // A smaller cap from the hooks.
    const short = await runEpisode(loop, endless, task, { maxActions: 2 });
    expect([short.steps.length, short.capped, short.success]).toEqual([2, true, false]);
  }, 120_000);
});
