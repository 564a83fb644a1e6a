/**
 * The built-in judge on hostile next states (issue 18 item 7): every scan is linear (the time at 8n stays
 * within a generous 24 times the time at n; a quadratic scan takes 64 times as long), what it reads of a
 * text is bounded, and a megabyte is judged in milliseconds. The indexed lexicon matcher is compared with
 * the plain scan it replaced on random lexicons and tokens.
 */
import { describe, expect, it } from 'vitest';
import { createRng, pick, randomInt } from '../../src/model/rng.ts';
import { boundedText, JUDGE_TEXT_CHARS } from '../../src/rl/judge/bounded-text.ts';
import { builtinJudge } from '../../src/rl/judge/builtin/judge.ts';
import { STYLE_DIMENSIONS, replyHasStyle } from '../../src/rl/judge/builtin/style.ts';
import { editDistance, findPhrases, stem, type LexiconEntry, type LexiconHit, type Token, type TypoTolerance } from '../../src/rl/judge/builtin/text.ts';
import { readToolResult } from '../../src/rl/judge/builtin/tool-reading.ts';
import { readUserNextState } from '../../src/rl/judge/builtin/user-reading.ts';
import { parseJudgeScore } from '../../src/rl/judge/parse.ts';

const ENGLISH = 'No, that is wrong: I asked about the capital of Peru, not Chile. It is Lima, but thanks anyway! Could you make it shorter? ';

/**
 * The fastest of seven runs of each, taken in turns after a warm-up, in ms: the runs least disturbed by
 * whatever else shares the CPU, and both sizes see the same disturbances.
 */
function fastestPair(small: () => unknown, large: () => unknown): [number, number] {
  small();
  large();
  const best: [number, number] = [Infinity, Infinity];
  for (let i = 0; i < 7; i++) {
    [small, large].forEach((run, k) => {
      const started = performance.now();
      run();
      best[k] = Math.min(best[k], performance.now() - started);
    });
  }
  return best;
}

function fastest(run: () => unknown): number {
  return fastestPair(run, () => {})[0];
}

/**
 * Linear: eight times the input takes at most 24 times as long, above a floor of noise. A quadratic scan
 * takes 64 times as long, so the bound tells the two apart even on a CPU shared with other work.
 */
function expectLinear([tSmall, tLarge]: [number, number]): void {
  expect(tLarge, `${tSmall.toFixed(2)} ms at n, ${tLarge.toFixed(2)} ms at 8n`).toBeLessThan(24 * Math.max(tSmall, 5));
}

const fill = (piece: string, n: number) => piece.repeat(Math.ceil(n / piece.length)).slice(0, n);

// Inputs that made a scan go back over a run from each of its characters, and ordinary English.
const USER_FAMILIES: [string, (n: number) => string][] = [
  ['dots', (n) => `${'.'.repeat(n)}x`],
  ['spaces', (n) => `a${' '.repeat(n)}x`],
  ['punctuation runs', (n) => fill('.,;:!? ', n) + 'x'],
  ['English', (n) => fill(ENGLISH, n)],
  ['"i meant" and a long blank', (n) => `no, i meant ${' '.repeat(n)}x\ny`],
  ['"it is" over and over on one line', (n) => `${fill('it is ', n)}\n.`],
  ['spaces before "but"', (n) => fill('wrong     ', n) + 'butt'],
  ['"no" in every clause', (n) => fill('no, ', n)],
  ['style cues in one clause', (n) => `too ${fill('short ', n)}`],
  ['numbers against numbers', (n) => `${fill('7 is 8 ', n)}`],
];
const TOOL_FAMILIES: [string, (n: number) => string][] = [
  ['blank lines', (n) => `${'\n'.repeat(n)}x`],
  ['indented blank lines', (n) => fill(' \n', n) + 'x'],
  ['spaces', (n) => `${' '.repeat(n)}x`],
  ['HTTP/HTTP/', (n) => fill('HTTP/', n)],
  ['hunk hunk', (n) => fill('hunk ', n)],
  ['exit code and a long blank', (n) => `exit code${' '.repeat(n)}x`],
  ['colons and digits', (n) => `a${fill(':1', n)}`],
  ['"error" keys', (n) => fill('"error"  ', n)],
  ['a long stack trace', (n) => fill('    at f (file.js:1:2)\n', n) + 'TypeError: x is not a function'],
];

// A timing can lose to a busy CPU or a collection once; a quadratic scan loses every time: two retries.
describe('every scan of the built-in judge is linear', { retry: 2 }, () => {
  const n = 3_000;
  it.each(USER_FAMILIES)('user next state: %s', (_, make) => {
    const [small, large] = [make(n), make(8 * n)];
    const read = (text: string) => () => readUserNextState(text, 'Santiago is the capital of Chile. 7 8 9', 'what is the capital of peru?');
    expectLinear(fastestPair(read(small), read(large)));
  });

  it.each([
    ['question marks and blanks', (k: number) => fill('?    🙂 ', k)],
    ["contractions that aren't", (k: number) => fill("aaaa'x ", k)],
    ['sentences', (k: number) => fill('A. B! C? ', k)],
    ['list lines', (k: number) => fill('\n  - ', k)],
  ])('what the reply already does: %s', (_, make) => {
    const read = (text: string) => () => STYLE_DIMENSIONS.map((d) => replyHasStyle(text, d));
    expectLinear(fastestPair(read(make(n)), read(make(8 * n))));
  });

  it.each(TOOL_FAMILIES)('tool result: %s', (_, make) => {
    const [small, large] = [make(n), make(8 * n)];
    const read = (text: string) => () => readToolResult(text, 'run the tests');
    expectLinear(fastestPair(read(small), read(large)));
  });
});

describe('what the built-in judge reads is bounded', () => {
  it('judges 20,000 dots, 400 kB of English and a 1 MiB tool output in well under a second each', () => {
    const cases: [string, { role: 'user' | 'tool'; content: string }][] = [
      ['dots', { role: 'user', content: '.'.repeat(20_000) }],
      ['English', { role: 'user', content: fill(ENGLISH, 400_000) }],
      ['blank lines', { role: 'tool', content: '\n'.repeat(1 << 20) }],
      ['hostile mix', { role: 'user', content: fill('no, i meant  .  ..  but  it is  HTTP/ hunk ', 1 << 20) }],
    ];
    for (const [name, nextState] of cases) {
      const ms = fastest(() => builtinJudge(fill(ENGLISH, 1 << 20), nextState, nextState.role === 'user' ? 'personal' : 'terminal', [{ role: 'user', content: fill(ENGLISH, 1 << 20) }]));
      expect(ms, name).toBeLessThan(250);
    }
  }, 120_000);

  it('keeps both ends of a long text: the feedback that opens it and the error that closes it', () => {
    const middle = fill('lorem ipsum dolor sit amet ', 1 << 20);
    const corrected = builtinJudge('Santiago.', { role: 'user', content: `No, it's Lima. ${middle}` }, 'personal');
    expect(parseJudgeScore(corrected.evaluative)).toBe(-1);
    expect(corrected.directive).toContain('The correct answer is Lima');
    const failed = builtinJudge('node app.js', { role: 'tool', content: `${middle}\nTypeError: x is not a function` }, 'terminal');
    expect(parseJudgeScore(failed.evaluative)).toBe(-1);
    expect(failed.directive).toContain('TypeError: x is not a function');
  });

  it('boundedText: whole up to the bound, else both halves around a marker, never half an emoji', () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 300; trial++) {
      const length = randomInt(rng, 2 * JUDGE_TEXT_CHARS);
      const text = Array.from({ length }, () => pick(rng, ['a', ' ', '\n', '🙂', 'é'])).join('');
      const out = boundedText(text);
      if (text.length <= JUDGE_TEXT_CHARS) {
        expect(out).toBe(text);
        continue;
      }
      expect(out.length).toBeLessThanOrEqual(JUDGE_TEXT_CHARS + "\n[…]\n".length);
      const [head, tail] = out.split('\n[…]\n');
      expect(text.startsWith(head)).toBe(true);
      expect(text.endsWith(tail)).toBe(true);
      expect(head.length).toBeGreaterThanOrEqual(JUDGE_TEXT_CHARS / 2 - 1);
      expect(tail.length).toBeGreaterThanOrEqual(JUDGE_TEXT_CHARS / 2 - 1);
      expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
  });
});

/** The plain scan the indexed matcher replaced: at each position, the first entry (longest first) whose words all match. */
function referencePhrases<T>(tokens: readonly Token[], lexicon: readonly LexiconEntry<T>[], typos: TypoTolerance): LexiconHit<T>[] {
  const entries = lexicon.map((e) => ({ words: e.phrase.split(' '), meaning: e.meaning })).sort((a, b) => b.words.length - a.words.length);
  const exact = new Set([...entries.flatMap((e) => e.words), ...(typos.known ?? [])]);
  const matches = (token: string, word: string, single: boolean): boolean =>
    token === word ||
    (/^[a-z]{4,}/.test(word) && stem(token) === stem(word)) ||
    (single && typos.minLength > 0 && word.length >= typos.minLength && token.length >= typos.minLength &&
      token[0] === word[0] && !exact.has(token) && editDistance(token, word) <= 1);
  const hits: LexiconHit<T>[] = [];
  for (let i = 0; i < tokens.length; ) {
    const hit = entries.find((e) => e.words.every((w, k) => i + k < tokens.length && matches(tokens[i + k].text, w, e.words.length === 1)));
    if (hit) {
      hits.push({ meaning: hit.meaning, start: i, end: i + hit.words.length });
      i += hit.words.length;
    } else i++;
  }
  return hits;
}

describe('findPhrases', () => {
  it('finds what the plain scan finds, on random lexicons and tokens', () => {
    const rng = createRng(2026);
    const vocabulary = ['thanks', 'thank', 'thnaks', 'great', 'grate', 'again', 'agian', 'shorter', 'short', 'shortening', 'no', 'not',
      'list', 'lists', 'listing', 'bullet', 'bulet', 'bullets', 'capital', 'capitals', 'capitalize', 'capitalizing', 'make', 'it', 'a', 'redo',
      'redone', 'emoji', 'emojis', 'formal', 'normal', 'words', 'world', 'cheers', 'cheese'];
    for (let trial = 0; trial < 400; trial++) {
      const lexicon: LexiconEntry<number>[] = Array.from({ length: 1 + randomInt(rng, 25) }, (_, meaning) => ({
        phrase: Array.from({ length: 1 + randomInt(rng, 3) }, () => pick(rng, vocabulary)).join(' '),
        meaning,
      }));
      const typos: TypoTolerance = { minLength: pick(rng, [0, 4, 5, 7]), known: new Set(Array.from({ length: randomInt(rng, 3) }, () => pick(rng, vocabulary))) };
      const tokens = Array.from({ length: randomInt(rng, 40) }, (_, i) => ({ text: pick(rng, vocabulary), clause: Math.floor(i / 5) }));
      expect(findPhrases(tokens, lexicon, typos)).toEqual(referencePhrases(tokens, lexicon, typos));
    }
  });
});
