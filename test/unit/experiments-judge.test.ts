/** The varied-hint judge of the selection ablation: the built-in verdicts, with the style hint reworded per vote. */
import { describe, it, expect } from 'vitest';
import { runJudges } from '../../src/rl/judge/run.ts';
import { builtinJudgeBackend } from '../../src/rl/judge/builtin/index.ts';
import { HINT_PHRASINGS, JUDGE_HINTS } from '../../src/world/index.ts';
import { variedHintJudge } from '../../src/experiments/index.ts';

const turn = (reply: string, next: string) => ({ kind: 'personal' as const, messages: [{ role: 'user' as const, content: 'What is 3 + 4?' }], reply, nextState: { role: 'user' as const, content: next } });

describe('variedHintJudge', () => {
  it('keeps the built-in verdicts and words the style hint with the world\'s phrasings', async () => {
    const judge = variedHintJudge(builtinJudgeBackend, 1);
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const t = turn(`The answer is ${i}. Adding counts on.`, 'Could you put the answer in bullet points?');
      const plain = await runJudges(builtinJudgeBackend, t, 3);
      const varied = await runJudges(judge, t, 3);
      expect(varied.evaluative).toEqual(plain.evaluative);
      expect(varied.directive!.accepted).toBe(true);
      for (const h of varied.directive!.hints) {
        expect(HINT_PHRASINGS.list).toContain(h);
        seen.add(h);
      }
      // Candidates are distinct and shortest first (METHOD §3).
      const hints = varied.directive!.hints;
      expect([...hints].sort((a, b) => a.length - b.length)).toEqual(hints);
      expect(new Set(hints).size).toBe(hints.length);
      // Deterministic per turn.
      expect((await runJudges(judge, t, 3)).directive).toEqual(varied.directive);
    }
    expect(seen.size).toBeGreaterThan(3);
  });

  it('rewords each style of a hint that names several', async () => {
    const t = turn('The Answer Is 7.', 'Please drop the uppercase, I prefer lower case text. Also: add an emoji at the end next time, please.');
    const plain = await runJudges(builtinJudgeBackend, t, 1);
    expect(plain.directive!.hints).toEqual([`${JUDGE_HINTS.lowercase} ${JUDGE_HINTS.emoji}`]);
    const worded = new Set<string>();
    for (let seed = 0; seed < 8; seed++) {
      const [hint] = (await runJudges(variedHintJudge(builtinJudgeBackend, seed), t, 1)).directive!.hints;
      const lowercase = HINT_PHRASINGS.lowercase.find((h) => hint.startsWith(`${h} `));
      expect(lowercase, hint).toBeDefined();
      expect(HINT_PHRASINGS.emoji, hint).toContain(hint.slice(lowercase!.length + 1));
      worded.add(hint);
    }
    expect(worded.size).toBeGreaterThan(2);
  });

  it('leaves turns without a style hint alone', async () => {
    const t = turn('The answer is 7.', 'Thanks, that is just right.');
    expect(await runJudges(variedHintJudge(builtinJudgeBackend, 2), t, 3)).toEqual(await runJudges(builtinJudgeBackend, t, 3));
  });
});
