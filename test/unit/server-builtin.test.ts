/**
 * The judge server with the built-in backend (issue 7) on 127.0.0.1: what crosses HTTP equals what the
 * vote path computes in this process on the same turn, for the hand-labelled next states, one at a time
 * and 50 at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, randomInt } from '../../src/model/rng.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { runJudges } from '../../src/rl/judge/run.ts';
import type { JudgeTurn } from '../../src/rl/judge/types.ts';
import { judgeWireRequest } from '../../src/connector/judge-wire.ts';
import { LABELLED_NEXT_STATES, type LabelledNextState } from '../fixtures/judge/next-states.ts';
import { listenJudgeServer, postJudge, type LoopbackJudgeServer } from '../support/judge-server-on-loopback.ts';

let server: LoopbackJudgeServer;

function turnOf(c: LabelledNextState): JudgeTurn {
  return {
    kind: c.kind ?? 'personal',
    messages: c.previousUser ? [{ role: 'user', content: c.previousUser }] : [],
    reply: c.reply,
    nextState: c.nextState,
    ...(c.kind && c.kind !== 'personal' ? { task: c.previousUser ?? 'the task', history: [] } : {}),
  };
}

beforeAll(async () => {
  server = await listenJudgeServer({ backend: builtinJudgeBackend, rateLimit: null });
});
afterAll(async () => {
  await server?.close();
});

describe('judge server with the built-in judge', () => {
  it('answers every labelled next state exactly as the vote path does in-process', async () => {
    for (const c of LABELLED_NEXT_STATES) {
      const turn = turnOf(c);
      const m = 1 + (c.reply.length % 4);
      const r = await postJudge(server.url, judgeWireRequest(turn, ['evaluative', 'directive'], m));
      expect(r.status).toBe(200);
      const local = await runJudges(builtinJudgeBackend, turn, m);
      expect(r.json.backend).toBe('builtin');
      expect(r.json.evaluative).toEqual(local.evaluative);
      expect(r.json.directive).toEqual(local.directive);
      expect(r.json.evaluative.votes).toHaveLength(m);
    }
  });

  it('gives thanks a positive score and an explicit redo a negative one', async () => {
    const base: JudgeTurn = { kind: 'personal', messages: [{ role: 'user', content: 'What is 7 times 8?' }], reply: '7 times 8 is 54.', nextState: { role: 'user', content: '' } };
    const score = async (content: string) =>
      (await postJudge(server.url, judgeWireRequest({ ...base, nextState: { role: 'user', content } }, ['evaluative']))).json;
    const thanks = await score('thanks, that is exactly right!');
    expect(thanks.evaluative.score).toBe(1);
    expect(thanks.directive).toBeUndefined();
    expect((await score('That is wrong. Please try again.')).evaluative.score).toBe(-1);
  });

  it('answers 50 concurrent requests, each with its own turn', async () => {
    const rng = createRng(2026);
    const cases = Array.from({ length: 50 }, () => LABELLED_NEXT_STATES[randomInt(rng, LABELLED_NEXT_STATES.length)]);
    const answers = await Promise.all(
      cases.map((c, i) => postJudge(server.url, { ...judgeWireRequest(turnOf(c), ['evaluative', 'directive']), session_id: `s-${i}`, turn: 1 })),
    );
    for (const [i, r] of answers.entries()) {
      expect(r.status).toBe(200);
      expect(r.json.session_id).toBe(`s-${i}`);
      const local = await runJudges(builtinJudgeBackend, turnOf(cases[i]), 3);
      expect({ evaluative: r.json.evaluative, directive: r.json.directive }).toEqual(local);
    }
    expect(server.logs.filter((l) => l.includes('POST /v1/judge 200')).length).toBeGreaterThanOrEqual(50);
  });
});
