/** The judge text protocol's parsers and votes (METHOD §2–3), by hand-computed cases and seeded properties. */
import { describe, expect, it } from 'vitest';
import { hintCandidates, majorityVote, parseHint, parseJudgeScore, stepReward } from '../../src/rl/judge/index.ts';
import { createRng, pick } from '../../src/model/rng.ts';

describe('parseJudgeScore', () => {
  it.each([
    ['reasoning... \\boxed{1}', 1],
    ['\\boxed{-1}', -1],
    ['\\boxed{0}', 0],
    ['\\boxed{+1}', 1],
    ['\\boxed{ -1 }', null],
    ['\\boxed{ 1 }', null],
    ['\\boxed{01}', null],
    ['\\boxed{-01}', null],
    ['\\boxed{1} \\boxed{10}', 1],
    ['\\boxed{-1} \\boxed{ 1 }', -1],
    ['\\boxed{-0}', 0],
    ['\\boxed{--1}', null],
    ['\\boxed{+-1}', null],
    ['first \\boxed{1} then on reflection \\boxed{-1}', -1],
    ['first \\boxed{-1} then \\boxed{0}', 0],
    ['\\boxed{2}', null],
    ['\\boxed{1} but finally \\boxed{2}', null],
    ['\\boxed{10}', null],
    ['\\boxed{-2}', null],
    ['no box here, score 1', null],
    ['', null],
    ['\\boxed{yes}', null],
    ['\\boxed{1} and then \\boxed{maybe}', 1],
    ['boxed{1} without the backslash', null],
    ['The step {is} fine: \\boxed{1}.\n[HINT_START]x[HINT_END]', 1],
  ])('%j -> %j', (text, expected) => {
    expect(parseJudgeScore(text)).toBe(expected);
  });
});

/**
 * METHOD §2 written out without a regex: walk every `\\boxed{`, take a sign, one ASCII digit and `}`;
 * the last such box decides, and only 1, 0 and -1 are votes.
 */
function referenceScore(text: string): number | null {
  const open = '\\boxed{';
  let last: number | undefined;
  for (let at = text.indexOf(open); at >= 0; at = text.indexOf(open, at + 1)) {
    let i = at + open.length;
    const sign = text[i] === '-' ? -1 : 1;
    if (text[i] === '-' || text[i] === '+') i++;
    const digit = '0123456789'.indexOf(text[i] ?? '');
    if (digit >= 0 && text[i + 1] === '}') last = sign * digit;
  }
  if (last === undefined || ![1, 0, -1].includes(last)) return null;
  return last === 0 ? 0 : last;
}

describe('parseJudgeScore against the reference on random strings', () => {
  it('agrees on seeded random texts built from the pieces of a box', () => {
    const rng = createRng(20261125);
    const pieces = ['\\boxed{', '\\boxed', '}', '{', '1', '0', '2', '9', '-', '+', ' ', 'x', '\\', '\n', '１', '01'];
    for (let trial = 0; trial < 5_000; trial++) {
      const text = Array.from({ length: 1 + Math.floor(rng() * 14) }, () => pick(rng, pieces)).join('');
      expect(parseJudgeScore(text), JSON.stringify(text)).toBe(referenceScore(text));
    }
  });
});

describe('parseHint', () => {
  it.each([
    ['\\boxed{1}\n[HINT_START]Use lowercase.[HINT_END]', 'Use lowercase.'],
    ['[HINT_START]\n   padded hint text  \n[HINT_END]', 'padded hint text'],
    ['[HINT_START]first[HINT_END] later [HINT_START]second one[HINT_END]', 'second one'],
    ['[HINT_START]no end marker', null],
    ['no start marker[HINT_END]', null],
    ['\\boxed{-1}', null],
    ['[HINT_END] before [HINT_START] only', null],
    ['[HINT_START][HINT_END]', ''],
    ['[HINT_START]a hint mentioning [brackets] and \\boxed{1}[HINT_END]', 'a hint mentioning [brackets] and \\boxed{1}'],
  ])('%j -> %j', (text, expected) => {
    expect(parseHint(text)).toBe(expected);
  });
});

describe('majorityVote', () => {
  it.each([
    [[1, 1, -1], 1],
    [[-1, -1, 1], -1],
    [[1, -1, 0], 0],
    [[1, -1], 0],
    [[1, null, null], 1],
    [[null, -1, null], -1],
    [[null, null, null], 0],
    [[], 0],
    [[0, 0, 1], 0],
    [[1, 1, -1, -1, 0], 0],
    [[1, 1, -1, -1, 1], 1],
    [[null, 1, -1], 0],
  ] as [(number | null)[], number][])('%j -> %j', (votes, expected) => {
    expect(majorityVote(votes)).toBe(expected);
  });

  it('matches a brute-force count on seeded random votes', () => {
    const rng = createRng(20260311);
    for (let trial = 0; trial < 500; trial++) {
      const votes = Array.from({ length: 1 + Math.floor(rng() * 7) }, () => pick(rng, [1, 0, -1, null] as const));
      const count = (v: number) => votes.filter((x) => x === v).length;
      const counts = [1, 0, -1].map((v) => [v, count(v)] as const).sort((a, b) => b[1] - a[1]);
      const expected = counts[0][1] === 0 || counts[0][1] === counts[1][1] ? 0 : counts[0][0];
      expect(majorityVote(votes)).toBe(expected);
    }
  });
});

describe('hintCandidates', () => {
  it('keeps score-1 hints longer than 10 stripped characters, deduplicated, shortest first, at most 3', () => {
    const votes = [
      { score: 1, hint: 'A much longer hint about the answer.' },
      { score: 1, hint: '  exactly10c  ' }, // 10 characters once stripped: too short
      { score: 1, hint: 'elevenchars' }, // 11: kept
      { score: -1, hint: 'a hint from a vote that says no hindsight' },
      { score: null, hint: 'a hint from a failed vote' },
      { score: 1, hint: null },
      { score: 1, hint: '  elevenchars ' }, // duplicate once stripped
      { score: 1, hint: 'Medium length hint.' },
      { score: 1, hint: 'The longest hint of all of them, by quite a margin.' },
    ];
    expect(hintCandidates(votes)).toEqual(['elevenchars', 'Medium length hint.', 'A much longer hint about the answer.']);
  });

  it('keeps the vote order among hints of equal length', () => {
    const votes = [{ score: 1, hint: 'bbbbbbbbbbbb' }, { score: 1, hint: 'aaaaaaaaaaaa' }];
    expect(hintCandidates(votes)).toEqual(['bbbbbbbbbbbb', 'aaaaaaaaaaaa']);
  });

  it('counts characters as code points, not UTF-16 units (METHOD §3)', () => {
    const sixEmoji = '🙂🙂🙂🙂🙂🙂'; // 6 characters, 12 UTF-16 units
    const elevenEmoji = '🙂'.repeat(11); // 11 characters, 22 units
    const twelveLetters = 'abcdefghijkl';
    expect(hintCandidates([{ score: 1, hint: sixEmoji }])).toEqual([]);
    expect(hintCandidates([{ score: 1, hint: twelveLetters }, { score: 1, hint: elevenEmoji }])).toEqual([elevenEmoji, twelveLetters]);
    expect(hintCandidates([{ score: 1, hint: `${'é'.normalize('NFD')}${'🙂'.repeat(4)}` }])).toEqual([]); // 6 code points
  });

  it('returns nothing when no vote offers a usable hint', () => {
    expect(hintCandidates([])).toEqual([]);
    expect(hintCandidates([{ score: -1, hint: null }, { score: 1, hint: 'short' }])).toEqual([]);
  });

  it('matches an independent filter on seeded random votes', () => {
    const rng = createRng(7);
    const pool = ['use lowercase letters', 'short', 'The user wants a list.', '   padded but long enough   ', 'x'.repeat(11), 'y'.repeat(10),
      'Answer with one sentence only.', '🙂'.repeat(6), '🙂'.repeat(11), 'zz🙂🙂🙂🙂🙂🙂🙂🙂🙂', 'emoji 🙂🙂 ok'];
    const characters = (s: string) => Array.from(s).length;
    for (let trial = 0; trial < 300; trial++) {
      const votes = Array.from({ length: Math.floor(rng() * 6) }, () => ({ score: pick(rng, [1, 1, -1, null]), hint: pick(rng, [...pool, null]) }));
      const expected: string[] = [];
      for (const v of votes) {
        const h = v.hint?.trim();
        if (v.score === 1 && h !== undefined && characters(h) >= 11 && !expected.includes(h)) expected.push(h);
      }
      // insertion sort by length keeps the earlier of equal lengths first
      const sorted: string[] = [];
      for (const h of expected) {
        let at = sorted.length;
        while (at > 0 && characters(sorted[at - 1]) > characters(h)) at--;
        sorted.splice(at, 0, h);
      }
      expect(hintCandidates(votes)).toEqual(sorted.slice(0, 3));
    }
  });
});

describe('stepReward', () => {
  it.each([
    [0, [1, 1, -1], 1 / 3],
    [1, [1, 1, 1], 2],
    [-1, [-1, null, -1], -2],
    [0, [null, null], 0],
    [1, [], 1],
    [0, [1, -1], 0],
    [0.5, [1, null, -1, -1], 0.5 - 1 / 3],
  ] as [number, (number | null)[], number][])('outcome %j, votes %j -> %j', (outcome, votes, expected) => {
    expect(stepReward(outcome, votes)).toBeCloseTo(expected, 12);
  });
});
