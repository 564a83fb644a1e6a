import { describe, expect, it } from 'vitest';
import { createRng, pick } from '../../src/model/rng.ts';
import {
  allQuestions, randomStyles, renderReply, sampleQuestion, STYLE_DIMENSIONS, STYLE_IDS, styleOf, type Question,
  type Styles,
} from '../../src/world/index.ts';

function question(id: string): Question {
  const q = allQuestions().find((x) => x.id === id);
  if (!q) throw new Error(`no question ${id}`);
  return q;
}

describe('questions', () => {
  it('arithmetic: right when the first numbered statement ends on the result and no stray number appears', () => {
    const q = question('arithmetic:7+5:0');
    expect(q.text).toBe('What is 7 + 5?');
    expect(q.answer).toBe('12');
    for (const r of ['The answer is 12.', '7 plus 5 is 12.', 'i am glad to help: the sum of 7 and 5 is 12.', '- 12'])
      expect(q.check(r), r).toBe(true);
    for (const r of ['The answer is 13.', '7 plus 5 is 7.', 'It is 12 or 13.', 'I do not know.', '12 - 5 = 7'])
      expect(q.check(r), r).toBe(false);
  });

  it('units: right on the converted value, with the factor allowed in the explanation', () => {
    const q = question('units:3kilometres>metres:0');
    expect(q.text).toBe('How many metres are in 3 kilometres?');
    expect(q.check('That is 3000 metres. There are 1000 metres in one kilometre.')).toBe(true);
    expect(q.check('That is 300 metres.')).toBe(false);
    expect(q.check('There are 1000 metres in one kilometre.')).toBe(false);
  });

  it('capitals: right when naming this capital and no other', () => {
    const q = question('capitals:Peru:0');
    expect(q.check('it is lima.')).toBe(true);
    expect(q.check('The capital of Peru is Paris.')).toBe(false);
    expect(q.check('Lima or Paris.')).toBe(false);
    expect(q.check('Limassol.')).toBe(false);
  });

  it('descriptions: right when the main fact is mentioned', () => {
    const q = question('descriptions:camel:0');
    expect(q.check('A camel can go days without water.')).toBe(true);
    expect(q.check('A camel has a hump.')).toBe(false);
  });

  it('every question text is unique and every canonical wording answers its question', () => {
    const qs = allQuestions();
    expect(new Set(qs.map((q) => q.text)).size).toBe(qs.length);
    for (const q of qs) {
      for (const s of [...q.forms.statements, ...q.forms.casualStatements]) expect(q.check(s), `${q.id}: ${s}`).toBe(true);
    }
  });
});

describe('renderReply agrees with every checker', () => {
  it('for all 64 style combinations on questions of every topic', () => {
    const rng = createRng(11);
    for (let combo = 0; combo < 64; combo++) {
      const styles = Object.fromEntries(STYLE_IDS.map((id, i) => [id, ((combo >> i) & 1) === 1])) as Styles;
      for (let k = 0; k < 12; k++) {
        const q = sampleQuestion(rng, k % 2 ? 'train' : 'heldout');
        const reply = renderReply(q, styles, rng);
        expect(styleOf(reply), reply).toEqual(styles);
        expect(q.check(reply), `${q.text} -> ${reply}`).toBe(true);
      }
    }
  });

  it('per dimension, on and off, with random others, over many seeds', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = createRng(seed * 7919);
      const q = sampleQuestion(rng, 'train');
      const d = pick(rng, STYLE_DIMENSIONS);
      for (const on of [true, false]) {
        const styles = randomStyles(rng, 0.5, { [d.id]: on });
        const reply = renderReply(q, styles, rng);
        expect(d.check(reply), `${d.id}=${on}: ${reply}`).toBe(on);
        expect(styleOf(reply)).toEqual(styles);
      }
    }
  });

  it('matches independent surface tests of each style', () => {
    const rng = createRng(5);
    for (let i = 0; i < 500; i++) {
      const q = sampleQuestion(rng, 'train');
      const s = randomStyles(rng, 0.5);
      const r = renderReply(q, s, rng);
      expect(r === r.toLowerCase(), r).toBe(s.lowercase);
      expect(r.endsWith(' 🙂'), r).toBe(s.emoji);
      expect(r.includes('🙂'), r).toBe(s.emoji);
      expect(r.split('\n').some((line) => line.startsWith('- ')), r).toBe(s.list);
      expect(r.replace(' 🙂', '').endsWith('?'), r).toBe(s.followup);
      if (s.formal) expect(/!|'/.test(r), r).toBe(false);
      // Not brief: the answer plus exactly one more sentence.
      const declarative = (r.replace(' 🙂', '').match(/[.!](\s|$)/g) ?? []).length;
      if (!s.list) expect(declarative, r).toBe(s.brief ? 1 : 2);
    }
  });

  it('treats missing dimensions as off and is deterministic for a seed', () => {
    const q = question('capitals:Peru:0');
    const a = renderReply(q, { emoji: true }, createRng(3));
    expect(a).toBe(renderReply(q, { emoji: true }, createRng(3)));
    expect(styleOf(a)).toEqual({ lowercase: false, emoji: true, brief: false, formal: false, list: false, followup: false });
  });
});
