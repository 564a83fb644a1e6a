/**
 * The built-in judge (METHOD §2–3) on hand-written labelled next states: accuracy overall and per class,
 * the style dimension of its hints, and that every hint it writes survives the hint-candidate filter.
 */
import { describe, expect, it } from 'vitest';
import { builtinJudge, hintCandidates, parseJudgeScore } from '../../src/rl/judge/index.ts';
import type { Message } from '../../src/model/chat.ts';
import { LABELLED_NEXT_STATES } from '../fixtures/judge/next-states.ts';
import { accuracyRows, judgeLabelled, JUDGE_SETS, type Judged } from '../fixtures/judge/accuracy.ts';

// The canonical "on" hints, copied from the contract so that a drift in the judge's table fails here.
const CANONICAL_HINTS: Record<string, string> = {
  lowercase: 'The user wants the reply written entirely in lowercase letters.',
  emoji: 'The user likes a friendly emoji at the end of the reply.',
  brief: 'The user wants a short answer: one sentence, no extra explanation.',
  formal: 'The user wants a formal, polite tone with no exclamation marks or slang.',
  list: 'The user wants the answer as a bulleted list.',
  followup: 'The user wants the reply to end by offering a follow-up question.',
};

// What an "off" hint must say: the opposite of the dimension, in words a reader would check for.
const OFF_HINT_WORDS: Record<string, RegExp> = {
  lowercase: /normal capitali[sz]ation|capital letters/i,
  emoji: /(no|not|without)\b.*emoji/i,
  brief: /(more|longer|fuller).*(explanation|detail)|explanation/i,
  formal: /casual|relaxed|informal/i,
  list: /prose|not a list/i,
  followup: /(no|not|without)\b.*follow-up/i,
};

function accuracyTable(name: string, judged: Judged[]): Map<string, number> {
  const rows = accuracyRows(judged);
  const lines = [...rows].map(([key, { right, total }]) => `${key.padEnd(22)} ${String(right).padStart(4)}/${String(total).padEnd(4)} ${(right / total).toFixed(3)}`);
  console.log(`\n${name}: built-in judge evaluative accuracy\n${lines.join('\n')}\n`);
  return new Map([...rows].map(([key, { right, total }]) => [key, right / total]));
}

describe('the labelled set itself', () => {
  it('has at least 150 distinct next states covering every class and all six style dimensions', () => {
    expect(LABELLED_NEXT_STATES.length).toBeGreaterThanOrEqual(150);
    expect(new Set(LABELLED_NEXT_STATES.map((c) => c.nextState.content)).size).toBe(LABELLED_NEXT_STATES.length);
    for (const label of [1, 0, -1]) expect(LABELLED_NEXT_STATES.filter((c) => c.label === label).length).toBeGreaterThanOrEqual(15);
    const dimensions = new Set(LABELLED_NEXT_STATES.flatMap((c) => (c.dimension ? [c.dimension] : [])));
    expect([...dimensions].sort()).toEqual(Object.keys(CANONICAL_HINTS).sort());
  });
});

describe.each(JUDGE_SETS.map(({ name, items }) => [name, items] as const))('built-in judge on the %s', (name, items) => {
  const judged = items.map(judgeLabelled);

  it('scores the evaluative signal with accuracy >= 0.85 overall and >= 0.75 in every class', () => {
    const accuracy = accuracyTable(name, judged);
    expect(accuracy.get('overall')).toBeGreaterThanOrEqual(0.85);
    for (const label of ['+1', '-1', '0']) expect(accuracy.get(`class ${label}`), `class ${label}`).toBeGreaterThanOrEqual(0.75);
  });

  it('names the right style dimension and direction in the hints of style complaints', () => {
    const style = judged.filter((j) => j.item.dimension);
    if (style.length === 0) return;
    const right = style.filter((j) => {
      const { dimension, direction } = j.item;
      // "on" hints must be the canonical text; "off" hints must name the opposite wish.
      if (direction === 'on') return j.hint === CANONICAL_HINTS[dimension!];
      return j.hint !== null && OFF_HINT_WORDS[dimension!].test(j.hint);
    });
    const offHints = new Map<string, Set<string>>();
    for (const j of style.filter((x) => x.item.direction === 'off' && x.hint)) {
      offHints.set(j.item.dimension!, (offHints.get(j.item.dimension!) ?? new Set()).add(j.hint!));
    }
    console.log(`${name}: style hints with the right dimension and direction: ${right.length}/${style.length}`);
    expect(right.length / style.length).toBeGreaterThanOrEqual(0.85);
    // one "off" hint per dimension, distinct across dimensions
    const flat = [...offHints.values()].map((s) => [...s]);
    for (const hints of flat) expect(hints.length).toBe(1);
    expect(new Set(flat.flat()).size).toBe(flat.length);
  });

  it('states the correction when the user gives one', () => {
    const corrections = judged.filter((j) => j.item.correction);
    if (corrections.length === 0) return;
    const stated = corrections.filter((j) => j.hint?.toLowerCase().includes(j.item.correction!.toLowerCase()));
    console.log(`${name}: correction hints that state the correction: ${stated.length}/${corrections.length}`);
    expect(stated.length / corrections.length).toBeGreaterThanOrEqual(0.85);
  });

  it('writes a hint only for negative next states, for every one that names a style, a change or a correction, and every hint passes the candidate filter', () => {
    for (const j of judged) {
      // A redo, the question asked again and a bare complaint say that the reply failed, not how (METHOD §3).
      if (j.score === -1 && j.hint === null) {
        expect(j.directiveScore, j.item.nextState.content).toBe(-1);
        expect(['redo', 'rephrase', 'complaint'], j.item.nextState.content).toContain(j.item.category);
      } else if (j.score === -1) {
        expect(j.directiveScore, j.item.nextState.content).toBe(1);
        expect(hintCandidates([{ score: j.directiveScore, hint: j.hint }])).toEqual([j.hint!.trim()]);
        const sentences = j.hint!.split(/(?<=[.!?])\s+(?=[A-Z])/).length;
        expect(sentences, j.hint!).toBeLessThanOrEqual(3);
      } else {
        expect(j.directiveScore, j.item.nextState.content).toBe(-1);
        expect(j.hint).toBeNull();
      }
    }
  });
});

describe('built-in judge details', () => {
  it('uses the reply: a wish the reply already meets, said with praise, is positive', () => {
    const ctx: Message[] = [{ role: 'user', content: 'capital of peru?' }];
    const wish = { role: 'user' as const, content: 'love the bullet points, perfect' };
    expect(parseJudgeScore(builtinJudge('- Lima is the capital of Peru.', wish, 'personal', ctx).evaluative)).toBe(1);
    expect(parseJudgeScore(builtinJudge('Lima is the capital of Peru.', wish, 'personal', ctx).evaluative)).toBe(-1);
  });

  it('needs the previous request to see a rephrased repeat', () => {
    const next = { role: 'user' as const, content: 'how many grams make up one kilogram' };
    const reply = 'Grams are small.';
    const ctx: Message[] = [{ role: 'user', content: 'How many grams are in a kilogram?' }, { role: 'assistant', content: 'old' }];
    expect(parseJudgeScore(builtinJudge(reply, next, 'personal', ctx).evaluative)).toBe(-1);
    expect(parseJudgeScore(builtinJudge(reply, next, 'personal', [{ role: 'user', content: 'What is the capital of Peru?' }]).evaluative)).toBe(1);
  });

  it('reads a tool result whatever the kind, and a user message in an environment like in chat', () => {
    for (const kind of ['personal', 'terminal', 'tool-call', 'gui', 'swe'] as const) {
      expect(parseJudgeScore(builtinJudge('ls', { role: 'tool', content: 'ls: cannot access x: No such file or directory' }, kind).evaluative)).toBe(-1);
      expect(parseJudgeScore(builtinJudge('ls', { role: 'tool', content: 'a.txt\nb.txt' }, kind).evaluative)).toBe(1);
    }
    expect(parseJudgeScore(builtinJudge('ls', { role: 'user', content: 'thanks, that is what I needed' }, 'terminal').evaluative)).toBe(1);
  });
});

describe('change requests that name no style (issue 14)', () => {
  const ctx: Message[] = [{ role: 'user', content: 'how many minutes in 2 hours' }];
  const read = (content: string, reply = 'That is 120.') => {
    const texts = builtinJudge(reply, { role: 'user', content }, 'personal', ctx);
    return { score: parseJudgeScore(texts.evaluative), hint: parseJudgeScore(texts.directive) === 1 ? texts.directive : null };
  };

  it('are negative, with a hint that says what to change', () => {
    const cases: [string, RegExp][] = [
      ['what units?', /unit/], ['please include the unit', /unit/], ['why though?', /reason/],
      ['an example would help', /example/], ['how did you work that out', /steps/], ['you sound grumpy', /kinder/],
      ['a more upbeat tone please', /cheerful/], ['spell it the british way', /British spelling/],
      ['american spelling for us please', /American spelling/], ['check the spelling for us', /spelling mistake/], ['you have a typo in there', /./],
      ['can you write that in dutch', /in Dutch/], ['respond in english', /in English/], ['I only read Spanish, not English', /in English|in Spanish/],
    ];
    for (const [message, hint] of cases) {
      const r = read(message);
      expect(r.score, message).toBe(-1);
      expect(r.hint, message).toMatch(hint);
    }
  });

  it('asking for a redo or a regeneration is negative and reveals nothing to hint (METHOD §3)', () => {
    for (const message of ['could you regenerate it', 'try again', 'give me a different answer', 'Same question: how many minutes in 2 hours?']) {
      const r = read(message);
      expect(r.score, message).toBe(-1);
      expect(r.hint, message).toBeNull();
    }
  });

  it('leave the same words alone in a new question, in praise or denied', () => {
    for (const message of ['thanks, great example', 'nice reasoning, thanks', 'how do you say thanks in spanish?', 'which unit is bigger, a foot or an inch?',
      'give me an example of a capital', 'not rude at all, thanks', 'is it warm in cairo?', 'how do you spell penguin?', 'what is the german word for dog?',
      'i forgot the capital of peru, what is it?']) {
      expect(read(message).score, message).not.toBe(-1);
    }
  });

  it('reads "X, not Y" as a wish for X when the reply said Y', () => {
    expect(read('litres, not liters', 'That is 2000 liters.').hint).toMatch(/"litres", not "liters"/);
    expect(read('litres, not liters', 'That is 2000 ml.').score).not.toBe(-1);
  });
});

describe('style wishes and complaints as the simulated users word them (issue 17)', () => {
  const read = (content: string, reply: string, question = 'Can you add 7 and 3?') => {
    const texts = builtinJudge(reply, { role: 'user', content }, 'personal', [{ role: 'user', content: question }]);
    return { score: parseJudgeScore(texts.evaluative), hint: parseJudgeScore(texts.directive) === 1 ? /\[HINT_START\]([\s\S]*)\[HINT_END\]/.exec(texts.directive)![1] : null };
  };

  it('reads a complaint that the reply is not how the user likes it as negative, and the same words said of it as praise', () => {
    for (const message of ['That is not the way I want it.', 'Hmm, that is not really how I like my answers.', 'I keep telling you, that is not how I like it.',
      'nope, not how i want it']) {
      const r = read(message, 'That makes 10! Adding counts on.');
      expect(r.score, message).toBe(-1);
      // It says the reply missed, not what the user wants: no hint (METHOD §3; a generic one read as "be brief").
      expect(r.hint, message).toBeNull();
    }
    for (const message of ['That is exactly how I like it, thanks.', 'yes, that is the way i want it']) expect(read(message, 'It is 10.').score, message).toBe(1);
  });

  it('still hints a complaint or correction that says something: the fact, what was missing, that the answer was wrong', () => {
    const reply = 'That makes 10! Adding counts on.';
    expect(read('not quite, it is 11', reply).hint).toMatch(/correct answer is 11/);
    expect(read('nope, the sum is 11', reply).hint).toMatch(/11/);
    expect(read('are you sure? that does not look right', reply).hint).toMatch(/wrong/);
    expect(read('seriously? it is simple addition', reply).hint).toMatch(/specific fact/);
    for (const message of ['not quite the style i am after', 'nope, not how i want it', 'the answer is fine but i dislike the way it looks']) {
      expect(read(message, reply), message).toEqual({ score: -1, hint: null });
    }
  });

  it('reads "formally", "politely" and a closing "that would help me" as a wish, not as praise', () => {
    // The reply has no "!" and no contraction, so the judge's rough check would call it formal already.
    for (const message of ['please talk to me formally and politely', 'Could you be a bit more formal with me? That would help me.',
      'Small request: please keep a more professional tone. That would help me.']) {
      const r = read(message, 'Okay so the answer is 10 and you can count on to check it');
      expect(r.score, message).toBe(-1);
      expect(r.hint, message).toBe(CANONICAL_HINTS.formal);
    }
    expect(read('thanks, that helps', 'It is 10.').score).toBe(1);
  });

  it('reads "same question:" before the question asked again as a redo', () => {
    // Read as a new request (+1) before: the rephrased question shares too few words with "Calculate 7 + 3."
    expect(read('Same question: Can you add 7 and 3?', '- It comes to 10.\n- That is the sum of the two numbers.', 'Calculate 7 + 3.').score).toBe(-1);
  });

  it('names every style the user asks for in one hint, each in its canonical words', () => {
    const cases: [string, string[]][] = [
      ['Okay, but please drop the uppercase, I prefer lower case text. Also: add an emoji at the end next time, please.', ['lowercase', 'emoji']],
      ['Shorter please, I only want the fact. Plus, please keep a more professional tone.', ['brief', 'formal']],
      ['Could you put the answer in bullet points? And offer a follow-up question when you are done.', ['list', 'followup']],
      ['Put a smiley at the end of your answers, I enjoy that.', ['emoji']],
    ];
    for (const [message, dims] of cases) {
      const r = read(message, 'That makes 10! Adding two numbers gives their total, you can count on from the larger one.');
      expect(r.score, message).toBe(-1);
      expect(r.hint!.split(/(?<=\.) /).sort(), message).toEqual(dims.map((d) => CANONICAL_HINTS[d]).sort());
      expect(hintCandidates([{ score: 1, hint: r.hint }]), message).toEqual([r.hint]);
    }
  });
});
