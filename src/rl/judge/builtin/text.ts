/**
 * Word-level reading of free-form English for the built-in judge (METHOD §2): tokens, clauses,
 * a lexicon matcher that prefers the longest phrase and tolerates one-letter typos.
 */

/** A token: a lower-cased word, a number, an arithmetic operator, or a clause boundary. */
export interface Token {
  text: string;
  /** Index of the clause the token is in (clauses end at . , ; : ! ? and "but"). */
  clause: number;
}

const BOUNDARY = /^[.,;:!?]$/;
// A few symbols people type instead of words.
const SYMBOL_WORDS: Record<string, string> = { '👍': ' thumbs up ', '👎': ' thumbs down ', '🙏': ' thanks ', '❤️': ' love ', '❤': ' love ' };
// Contractions typed without the apostrophe.
const APOSTROPHE_FREE: Record<string, string> = {
  dont: "don't", doesnt: "doesn't", didnt: "didn't", isnt: "isn't", wasnt: "wasn't", arent: "aren't",
  cant: "can't", wont: "won't", thats: "that's", whats: "what's", im: "i'm", ive: "i've", youre: "you're",
};

/** Lower-cases, unifies quotes and hyphens, and splits into tokens with clause indices. */
export function tokenize(input: string): Token[] {
  let s = input.toLowerCase().replace(/[‘’`´]/g, "'").replace(/[“”]/g, '"');
  for (const [symbol, words] of Object.entries(SYMBOL_WORDS)) s = s.split(symbol).join(words);
  s = s.replace(/\btl;?dr\b/g, 'tldr').replace(/([a-z])-([a-z])/g, '$1 $2');
  const raw = s.match(/\d+(?:[.,]\d+)?|[a-z]+(?:'[a-z]+)?|[+\-×*/÷=^²³]|[.,;:!?]/g) ?? [];
  const tokens: Token[] = [];
  let clause = 0;
  for (const piece of raw) {
    if (BOUNDARY.test(piece) || piece === 'but') {
      if (tokens.length > 0 && tokens[tokens.length - 1].clause === clause) clause++;
      if (piece === '?') tokens.push({ text: '?', clause: clause - 1 });
      continue;
    }
    tokens.push({ text: APOSTROPHE_FREE[piece] ?? piece, clause });
  }
  return tokens;
}

/** Whether the raw text asks a question. */
export function asksQuestion(input: string): boolean {
  return input.includes('?');
}

/** Optimal-string-alignment distance (edits, with adjacent swaps), stopping early above `limit`. */
export function editDistance(a: string, b: string, limit = 1): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** One lexicon entry: a phrase (space-separated tokens) and what it means. */
export interface LexiconEntry<T> {
  phrase: string;
  meaning: T;
}

/** A lexicon hit: the entry and the token span it covers. */
export interface LexiconHit<T> {
  meaning: T;
  start: number;
  end: number;
}

/** How far a lexicon matcher trusts one-letter typos. */
export interface TypoTolerance {
  /** Words (and tokens) shorter than this only match exactly; 0 turns typo matching off. */
  minLength: number;
  /** Real words that must never be read as a typo of a lexicon word ("works" is not "words"). */
  known?: ReadonlySet<string>;
}

/** A lexicon prepared for matching: entries longest first, and where each may start. */
interface PreparedLexicon<T> {
  entries: { words: string[]; stems: string[]; meaning: T }[];
  exact: Set<string>;
  /** Entries by their first word, by the stem of a first word of four letters or more, by the first letter of a typo-tolerant one. */
  byWord: Map<string, number[]>;
  byStem: Map<string, number[]>;
  byLetter: Map<string, number[]>;
}

// Prepared once per lexicon and tolerance (both are module constants of their readers).
const prepared = new WeakMap<readonly LexiconEntry<unknown>[], WeakMap<TypoTolerance, PreparedLexicon<unknown>>>();

const STEMMABLE = /^[a-z]{4,}/;

function prepare<T>(lexicon: readonly LexiconEntry<T>[], typos: TypoTolerance): PreparedLexicon<T> {
  const cached = prepared.get(lexicon)?.get(typos);
  if (cached) return cached as PreparedLexicon<T>;
  const entries = lexicon
    .map((e) => ({ words: e.phrase.split(' '), meaning: e.meaning }))
    .sort((a, b) => b.words.length - a.words.length)
    .map((e) => ({ ...e, stems: e.words.map(stem) }));
  const index = (map: Map<string, number[]>, k: string, i: number) => {
    const list = map.get(k);
    if (list) list.push(i);
    else map.set(k, [i]);
  };
  const lex: PreparedLexicon<T> = {
    entries,
    exact: new Set([...entries.flatMap((e) => e.words), ...(typos.known ?? [])]),
    byWord: new Map(),
    byStem: new Map(),
    byLetter: new Map(),
  };
  entries.forEach((e, i) => {
    const first = e.words[0];
    index(lex.byWord, first, i);
    if (STEMMABLE.test(first)) index(lex.byStem, e.stems[0], i);
    if (e.words.length === 1 && typos.minLength > 0 && first.length >= typos.minLength) index(lex.byLetter, first[0], i);
  });
  if (!prepared.has(lexicon)) prepared.set(lexicon, new WeakMap());
  prepared.get(lexicon)?.set(typos, lex as PreparedLexicon<unknown>);
  return lex;
}

/**
 * Finds lexicon phrases in the tokens, longest phrase first at each position, without overlaps. Words
 * match by their stems ("capitalizing" ~ "capitalize"); a single-word entry also matches a token one edit away (same first letter, both at least
 * `typos.minLength` long) unless that token is itself a lexicon word or a `known` word. Linear in the
 * tokens: at each position only the entries that can start with that token are tried, in lexicon order.
 */
export function findPhrases<T>(tokens: readonly Token[], lexicon: readonly LexiconEntry<T>[], typos: TypoTolerance): LexiconHit<T>[] {
  const lex = prepare(lexicon, typos);
  const stems = tokens.map((t) => stem(t.text));
  const matches = (at: number, word: string, wordStem: string, single: boolean): boolean => {
    const token = tokens[at].text;
    return token === word ||
      (STEMMABLE.test(word) && stems[at] === wordStem) ||
      (single && typos.minLength > 0 && word.length >= typos.minLength && token.length >= typos.minLength &&
        token[0] === word[0] && !lex.exact.has(token) && editDistance(token, word) <= 1);
  };
  const hits: LexiconHit<T>[] = [];
  for (let i = 0; i < tokens.length; ) {
    const text = tokens[i].text;
    const typo = typos.minLength > 0 && text.length >= typos.minLength && !lex.exact.has(text);
    const candidates = [...(lex.byWord.get(text) ?? []), ...(lex.byStem.get(stems[i]) ?? []), ...((typo && lex.byLetter.get(text[0])) || [])];
    if (candidates.length > 1) candidates.sort((a, b) => a - b);
    const hit = candidates
      .map((c) => lex.entries[c])
      .find((e) => e.words.every((w, k) => i + k < tokens.length && matches(i + k, w, e.stems[k], e.words.length === 1)));
    if (hit) {
      hits.push({ meaning: hit.meaning, start: i, end: i + hit.words.length });
      i += hit.words.length;
    } else i++;
  }
  return hits;
}

/** A crude stem so that "meters"/"meter" and "divided"/"divide" compare equal. */
export function stem(word: string): string {
  let w = word.replace(/'s$/, '');
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}
