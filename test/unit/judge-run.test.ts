/** The shared vote path `runJudges` and the judge prompts (METHOD §2–3). */
import { describe, expect, it } from 'vitest';
import {
  builtinJudgeBackend,
  directivePrompt,
  evaluativePrompt,
  runJudges,
  type JudgeBackend,
  type JudgeRequest,
  type JudgeTurn,
} from '../../src/rl/judge/index.ts';

const turn: JudgeTurn = {
  kind: 'personal',
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'What is the capital of Peru?' },
  ],
  reply: 'The capital of Peru is Lima. Lima is also the largest city in the country.',
  nextState: { role: 'user', content: 'too long, one sentence is enough' },
};

/** A backend that replays fixed texts per signal and records what it was asked. */
function scripted(texts: Record<'evaluative' | 'directive', string[]>): JudgeBackend & { calls: { request: JudgeRequest; m: number }[] } {
  const calls: { request: JudgeRequest; m: number }[] = [];
  return {
    name: 'scripted',
    calls,
    async complete(request, m) {
      calls.push({ request, m });
      return texts[request.signal].slice(0, m);
    },
  };
}

describe('runJudges with the built-in backend', () => {
  it('turns a style complaint into score -1 and the canonical hint, with m votes each', async () => {
    const result = await runJudges(builtinJudgeBackend, turn, 3);
    expect(result.evaluative).toEqual({ score: -1, votes: [-1, -1, -1] });
    expect(result.directive).toEqual({
      accepted: true,
      hints: ['The user wants a short answer: one sentence, no extra explanation.'],
      votes: Array(3).fill({ score: 1, hint: 'The user wants a short answer: one sentence, no extra explanation.' }),
    });
  });

  it('scores thanks +1 with no hint, and asks only for the signals requested', async () => {
    const thanks: JudgeTurn = { ...turn, nextState: { role: 'user', content: 'thank you, perfect' } };
    expect(await runJudges(builtinJudgeBackend, thanks, 5, ['evaluative'])).toEqual({ evaluative: { score: 1, votes: [1, 1, 1, 1, 1] } });
    const directive = await runJudges(builtinJudgeBackend, thanks, 3, ['directive']);
    expect(directive.evaluative).toBeUndefined();
    expect(directive.directive).toEqual({ accepted: false, hints: [], votes: Array(3).fill({ score: -1, hint: null }) });
  });

  it('finds a rephrased repeat through the turn context', async () => {
    const repeat: JudgeTurn = { ...turn, reply: 'Peru is in South America.', nextState: { role: 'user', content: 'capital of peru??' } };
    expect((await runJudges(builtinJudgeBackend, repeat, 3)).evaluative?.score).toBe(-1);
    const noContext: JudgeTurn = { ...repeat, messages: [] };
    expect((await runJudges(builtinJudgeBackend, noContext, 3)).evaluative?.score).toBe(1);
  });

  it('judges a failed tool step -1 with a hint naming the error', async () => {
    const step: JudgeTurn = { kind: 'terminal', task: 'count the lines of data.csv', history: [], messages: [], reply: 'wc -l data.cvs', nextState: { role: 'tool', content: 'wc: data.cvs: No such file or directory' } };
    const result = await runJudges(builtinJudgeBackend, step, 3);
    expect(result.evaluative?.score).toBe(-1);
    expect(result.directive?.hints).toHaveLength(1);
    expect(result.directive?.hints[0]).toContain('No such file or directory');
  });

  it('rejects when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runJudges(builtinJudgeBackend, turn, 3, ['evaluative'], { signal: controller.signal })).rejects.toThrow();
  });
});

describe('runJudges with malformed judge texts', () => {
  it('drops failed votes and takes the majority of the rest', async () => {
    const backend = scripted({
      evaluative: ['I think it is fine. \\boxed{1}', 'garbled output with no box', '\\boxed{2}', 'hmm \\boxed{1} no wait \\boxed{-1}', 'fine \\boxed{+1}'],
      directive: ['\\boxed{1}\n[HINT_START]Answer in one short sentence.[HINT_END]', '\\boxed{1} [HINT_START]too short[HINT_END]', '[HINT_START]no score at all, long enough[HINT_END]', '\\boxed{1}\n[HINT_START]missing its end marker', '\\boxed{1}\n[HINT_START]  Answer in one short sentence.  [HINT_END]'],
    });
    const result = await runJudges(backend, turn, 5);
    expect(result.evaluative).toEqual({ score: 1, votes: [1, null, null, -1, 1] });
    expect(result.directive?.votes).toEqual([
      { score: 1, hint: 'Answer in one short sentence.' },
      { score: 1, hint: 'too short' },
      { score: null, hint: 'no score at all, long enough' },
      { score: 1, hint: null },
      { score: 1, hint: 'Answer in one short sentence.' },
    ]);
    expect(result.directive).toMatchObject({ accepted: true, hints: ['Answer in one short sentence.'] });
    expect(backend.calls.map((c) => [c.request.signal, c.m]).sort()).toEqual([['directive', 5], ['evaluative', 5]]);
    expect(backend.calls[0].request.nextState).toEqual(turn.nextState);
  });

  it('gives 0 and no hint when every vote failed', async () => {
    const backend = scripted({ evaluative: ['', 'nothing', '\\boxed{3}'], directive: ['', '\\boxed{-1}', '[HINT_START]hint without a score[HINT_END]'] });
    const result = await runJudges(backend, turn, 3);
    expect(result.evaluative).toEqual({ score: 0, votes: [null, null, null] });
    expect(result.directive).toMatchObject({ accepted: false, hints: [] });
  });

  it('passes a backend error on', async () => {
    const failing: JudgeBackend = { name: 'down', complete: async () => { throw new Error('upstream 500'); } };
    await expect(runJudges(failing, turn, 3)).rejects.toThrow('upstream 500');
  });
});

describe('judge prompts', () => {
  const request: JudgeRequest = { ...turn, signal: 'evaluative' };

  it('show the conversation, the reply and the next state with its role, and ask for the protocol', () => {
    for (const [build, marker] of [[evaluativePrompt, '\\boxed{0}'], [directivePrompt, '[HINT_START]']] as const) {
      const messages = build(request);
      expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
      expect(messages[0].content).toContain(marker);
      expect(messages[1].content).toContain('What is the capital of Peru?');
      expect(messages[1].content).toContain(turn.reply);
      expect(messages[1].content).toContain(turn.nextState.content);
      expect(messages[1].content).toContain('(user:');
    }
  });

  it('for environments show the task, the recent steps, the step and the result', () => {
    const env: JudgeRequest = {
      signal: 'evaluative', kind: 'terminal', task: 'Make a folder named out.', messages: [],
      history: [{ role: 'assistant', content: 'ls' }, { role: 'tool', content: 'src' }],
      reply: 'mkdir out', nextState: { role: 'tool', content: 'mkdir: cannot create directory: File exists' },
    };
    const [system, user] = evaluativePrompt(env);
    expect(system.content).toContain('\\boxed{-1}');
    expect(system.content).not.toContain('\\boxed{0}');
    for (const part of ['Make a folder named out.', 'ls', 'src', 'mkdir out', 'File exists', '(tool:']) expect(user.content).toContain(part);
    expect(directivePrompt({ ...env, signal: 'directive' })[1].content).toContain('Make a folder named out.');
  });
});
