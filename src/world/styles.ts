/**
 * The six style dimensions: the fixed contract shared by the world, the built-in judge and the simulated
 * users. Each dimension is checked on the surface of a reply, independently of the others.
 *
 * Combination rules (how the world renders several dimensions at once; the checkers accept them):
 * - A trailing emoji is ignored by every other checker.
 * - `brief` counts statements (sentences and bullet points), not lines: a closing follow-up question and a
 *   list lead-in ending with ':' are not statements. So a brief list is a single bullet point, and a brief
 *   reply may still end with a follow-up question.
 * - `formal` is a polite marker ("Certainly", "Of course", "I am glad ...") with no exclamation mark, no
 *   contraction or other apostrophe inside a word, and no slang; a neutral reply (no marker) is not formal.
 * - `lowercase` needs at least one letter and no capital letter anywhere.
 */
import { HINT_PHRASINGS, JUDGE_HINTS } from './hints.ts';
import { endsWithEmoji, statementsOf, withoutTrailingEmoji, wordCount } from './text.ts';

export type StyleId = 'lowercase' | 'emoji' | 'brief' | 'formal' | 'list' | 'followup';

export const STYLE_IDS: readonly StyleId[] = ['lowercase', 'emoji', 'brief', 'formal', 'list', 'followup'];

export type Styles = Record<StyleId, boolean>;

export interface StyleDimension {
  id: StyleId;
  description: string;
  /** True when the reply shows this style. */
  check(reply: string): boolean;
  /** Hint phrasings asking for this style (METHOD §3); includes `judgeHint`. */
  hints: readonly string[];
  /** The built-in judge's canonical hint for this dimension. */
  judgeHint: string;
}

/** Most words a `brief` statement may have. */
export const BRIEF_MAX_WORDS = 20;

export const POLITE_MARKERS: readonly string[] = [
  'certainly', 'of course', 'i am glad', 'i am happy', 'i would be glad', 'i would be happy', 'with pleasure',
  'it is my pleasure',
];

export const SLANG_WORDS: readonly string[] = [
  'yep', 'yeah', 'yup', 'okay', 'ok', 'cool', 'awesome', 'gonna', 'wanna', 'kinda', 'nope', 'stuff', 'super',
  'totally', 'btw', 'sure thing', 'no worries', 'easy peasy',
];

/** Signs of a casual register: an exclamation mark, a contraction (any apostrophe inside a word), slang. */
export function isCasual(reply: string): boolean {
  if (reply.includes('!')) return true;
  if (/\p{L}['’]\p{L}/u.test(reply)) return true;
  const lower = reply.toLowerCase();
  return SLANG_WORDS.some((w) => new RegExp(`(^|[^a-z])${w}($|[^a-z])`).test(lower));
}

export function hasPoliteMarker(reply: string): boolean {
  const lower = reply.toLowerCase();
  return POLITE_MARKERS.some((m) => new RegExp(`(^|[^a-z])${m}($|[^a-z])`).test(lower));
}

const checks: Record<StyleId, (reply: string) => boolean> = {
  lowercase: (r) => /\p{Ll}/u.test(r) && !/\p{Lu}/u.test(r),
  emoji: (r) => endsWithEmoji(r),
  brief: (r) => {
    const statements = statementsOf(r);
    return statements.length === 1 && wordCount(statements[0]) <= BRIEF_MAX_WORDS;
  },
  formal: (r) => hasPoliteMarker(r) && !isCasual(r),
  list: (r) => /^[ \t]*- \S/m.test(r),
  followup: (r) => withoutTrailingEmoji(r).endsWith('?'),
};

const descriptions: Record<StyleId, string> = {
  lowercase: 'The whole reply is in lowercase letters (off: normal sentence capitalisation).',
  emoji: 'The reply ends with a friendly emoji, " 🙂" (off: no emoji anywhere).',
  brief: 'The reply is one short sentence with no extra explanation (off: the answer plus one more sentence).',
  formal: 'Formal, polite register: no exclamation marks, no contractions, no slang (off: casual or neutral).',
  list: 'The answer is given as a bulleted list, lines starting with "- " (off: prose).',
  followup: 'The reply ends by offering a follow-up, e.g. "Would you like another one?" (off: no closing question).',
};

export const STYLE_DIMENSIONS: readonly StyleDimension[] = STYLE_IDS.map((id) => ({
  id,
  description: descriptions[id],
  check: checks[id],
  hints: HINT_PHRASINGS[id],
  judgeHint: JUDGE_HINTS[id],
}));

export function styleDimension(id: StyleId): StyleDimension {
  const d = STYLE_DIMENSIONS.find((s) => s.id === id);
  if (!d) throw new Error(`unknown style dimension: ${id}`);
  return d;
}

/** Which styles a reply shows, one checker per dimension. */
export function styleOf(reply: string): Styles {
  const out = {} as Styles;
  for (const d of STYLE_DIMENSIONS) out[d.id] = d.check(reply);
  return out;
}
