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

/**
 * Finds lexicon phrases in the tokens, longest phrase first at each position, without overlaps. Words
 * match by their stems ("capitalizing" ~ "capitalize"); a single-word entry also matches a token one edit away (same first letter, both at least
 * `typos.minLength` long) unless that token is itself a lexicon word or a `known` word.
 */
export function findPhrases<T>(tokens: readonly Token[], lexicon: readonly LexiconEntry<T>[], typos: TypoTolerance): LexiconHit<T>[] {
  const entries = lexicon
    .map((e) => ({ words: e.phrase.split(' '), meaning: e.meaning }))
    .sort((a, b) => b.words.length - a.words.length);
  const stemmable = new Set(entries.flatMap((e) => e.words).filter((w) => /^[a-z]{4,}/.test(w)));
  const exact = new Set([...entries.flatMap((e) => e.words), ...(typos.known ?? [])]);
  // Each word is stemmed once per call, not once per (token, entry) pair.
  const stems = new Map<string, string>();
  const stemOf = (w: string) => stems.get(w) ?? stems.set(w, stem(w)).get(w)!;
  const matches = (token: string, word: string, single: boolean): boolean =>
    token === word ||
    (stemmable.has(word) && stemOf(token) === stemOf(word)) ||
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
