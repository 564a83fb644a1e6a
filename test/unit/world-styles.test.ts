import { describe, expect, it } from 'vitest';
import { HINT_PHRASINGS, JUDGE_HINTS, STYLE_DIMENSIONS, STYLE_IDS, styleDimension, styleOf, type StyleId } from '../../src/world/index.ts';

const examples: Record<StyleId, { yes: string[]; no: string[] }> = {
  lowercase: {
    yes: ['the capital of peru is lima.', "- it's 12 🙂", 'certainly, here is the answer:\n- you get 288 hours.'],
    no: ['The capital of Peru is Lima.', 'the answer is 12, says Bob.', '12 + 5 = 17', 'it is LIMA'],
  },
  emoji: {
    yes: ['It is 12. 🙂', 'It is 12 🙂\n', 'Would you like another one? 🙂'],
    no: ['🙂 It is 12.', 'It is 12.', 'It is 12 :)'],
  },
  brief: {
    yes: ['The answer is 12.', 'The answer is 12. Would you like another one?', 'Here is the answer:\n- The answer is 12.',
      "That's 12! 🙂", 'It is Lima'],
    no: ['The answer is 12. That is the sum.', '- The answer is 12.\n- That is the sum.', 'Sure! It is 12.',
      'One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty twentyone.'],
  },
  formal: {
    yes: ['Certainly, the capital of Peru is Lima.', 'I am glad to help: it comes to 12. Would you like another one?',
      'of course, here it is:\n- the answer is 12. 🙂'],
    no: ['Certainly! The capital of Peru is Lima.', "Certainly, it's Lima.", 'The capital of Peru is Lima.',
      'Of course, yep, it is Lima.', 'Certainly, that is cool.'],
  },
  list: {
    yes: ['- The answer is 12.', 'Here it is:\n- Lima', '- one\n- two\nWant more?'],
    no: ['The answer is 12 - 5.', '-5 is the answer.', 'The answer is 12.'],
  },
  followup: {
    yes: ['It is 12. Want another one?', 'It is 12. Would you like more? 🙂', '- Lima\nWhat next?'],
    no: ['Is it 12? Yes, it is 12.', 'It is 12.', 'It is 12. 🙂'],
  },
};

describe('style dimensions', () => {
  it('has the six contract ids, in order', () => {
    expect(STYLE_DIMENSIONS.map((d) => d.id)).toEqual(['lowercase', 'emoji', 'brief', 'formal', 'list', 'followup']);
    expect(STYLE_IDS).toEqual(STYLE_DIMENSIONS.map((d) => d.id));
  });

  for (const id of Object.keys(examples) as StyleId[]) {
    it(`${id}: checker accepts the positives and rejects the negatives`, () => {
      const d = styleDimension(id);
      for (const r of examples[id].yes) expect(d.check(r), JSON.stringify(r)).toBe(true);
      for (const r of examples[id].no) expect(d.check(r), JSON.stringify(r)).toBe(false);
      for (const r of examples[id].yes) expect(styleOf(r)[id]).toBe(true);
    });
  }

  it('holds the canonical built-in judge hints verbatim among each dimension\'s hints', () => {
    const canonical: Record<StyleId, string> = {
      lowercase: 'The user wants the reply written entirely in lowercase letters.',
      emoji: 'The user likes a friendly emoji at the end of the reply.',
      brief: 'The user wants a short answer: one sentence, no extra explanation.',
      formal: 'The user wants a formal, polite tone with no exclamation marks or slang.',
      list: 'The user wants the answer as a bulleted list.',
      followup: 'The user wants the reply to end by offering a follow-up question.',
    };
    for (const d of STYLE_DIMENSIONS) {
      expect(d.judgeHint).toBe(canonical[d.id]);
      expect(JUDGE_HINTS[d.id]).toBe(canonical[d.id]);
      expect(d.hints).toContain(canonical[d.id]);
    }
  });

  it('has at least eight distinct hint phrasings per dimension, imperative and declarative', () => {
    for (const id of STYLE_IDS) {
      const hints = HINT_PHRASINGS[id];
      expect(new Set(hints).size).toBe(hints.length);
      expect(hints.length).toBeGreaterThanOrEqual(8);
      expect(hints.some((h) => h.startsWith('The user'))).toBe(true);
      expect(hints.some((h) => !h.startsWith('The user'))).toBe(true);
      // METHOD §3 keeps only hints longer than 10 characters.
      for (const h of hints) expect(h.trim().length).toBeGreaterThan(10);
    }
  });
});
