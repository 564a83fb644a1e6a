/**
 * Reading a style complaint or wish from a user's next state (METHOD §2: a change request is negative):
 * a cue table names what is talked about, and the words around a cue say whether the user wants it.
 */
import type { StyleDimension, StyleDirection, StyleWish } from './style.ts';
import { findPhrases, type LexiconEntry, type Token } from './text.ts';

interface StyleCue {
  dimension: StyleDimension;
  /** Which side of the dimension the cue's words describe: "caps" describe lowercase-off. */
  describes: StyleDirection;
  /** Weak cues ("proper") only count together with another cue. */
  weight: number;
  /** Words that already complain by themselves: "shouting", "wordy", "tl;dr". */
  complaint?: boolean;
}

type CueMeaning = StyleCue | 'not-a-cue';

const cue = (dimension: StyleDimension, describes: StyleDirection, phrases: string[], extra: Partial<StyleCue> = {}): LexiconEntry<CueMeaning>[] =>
  phrases.map((phrase) => ({ phrase, meaning: { dimension, describes, weight: 1, ...extra } }));

const STYLE_CUES: LexiconEntry<CueMeaning>[] = [
  // Phrases that look like cues but are about the question itself.
  ...['capital of', 'capitals of', 'capital city', 'the capital', 'how long', 'as long as', 'long time', 'explain why', 'explain how',
    'word for', 'words for']
    .map((phrase) => ({ phrase, meaning: 'not-a-cue' as const })),
  ...cue('lowercase', 'on', ['lowercase', 'lower case', 'small letters']),
  // "capitals" alone is geography in this world; only letter-ish phrases count.
  ...cue('lowercase', 'off', ['caps', 'all caps', 'in capitals', 'all capitals', 'capital letters', 'capital letter', 'uppercase', 'upper case',
    'capitalisation', 'capitalization', 'capitalise', 'capitalize', 'capitalised', 'capitalized']),
  ...cue('lowercase', 'off', ['shouting', 'shout', 'yelling', 'yell'], { complaint: true }),
  ...cue('emoji', 'on', ['emoji', 'emojis', 'emoticon', 'emoticons', 'smiley', 'smileys', 'smilies', 'smiley face', 'smiley faces']),
  ...cue('brief', 'on', ['short', 'shorter', 'brief', 'briefer', 'concise', 'one sentence', 'single sentence', 'just the answer',
    'only the answer', 'to the point', 'one liner', 'one line', 'just the number', 'only the number', 'only wanted', 'only want',
    'just wanted the']),
  ...cue('brief', 'off', ['long', 'longer', 'words', 'explanation', 'explain', 'elaborate', 'detail', 'details', 'more context',
    'ask for all that', 'ask for all this']),
  ...cue('brief', 'off', ['wordy', 'verbose', 'rambling', 'ramble', 'essay', 'tldr', 'too much text', 'wall of text'], { complaint: true }),
  ...cue('formal', 'on', ['formal', 'professional', 'polite', 'courteous', 'respectful', 'businesslike', 'formally', 'politely',
    'professionally', 'courteously', 'respectfully']),
  ...cue('formal', 'on', ['proper'], { weight: 0.5 }),
  ...cue('formal', 'on', ['robot', 'robotic', 'stiff', 'stuffy'], { complaint: true }),
  ...cue('formal', 'off', ['slang', 'casual', 'informal', 'chatty', 'exclamation', 'exclamation marks', 'exclamation points',
    'exclamation mark', 'relax', 'loosen up', 'chill']),
  ...cue('list', 'on', ['bullet', 'bullets', 'bullet point', 'bullet points', 'bulleted', 'dashes', 'a list', 'as a list',
    'in a list', 'list format', 'list form', 'one per line', 'point per line', 'its own line', 'itemize', 'itemise']),
  ...cue('list', 'off', ['prose', 'paragraph', 'a sentence', 'full sentences', 'plain text']),
  ...cue('followup', 'on', ['follow up', 'followup', 'follow up question', 'ask me', 'ask if', 'ask whether', 'asking me',
    'asking if', 'asking whether', 'offer', 'offering', 'question at the end', 'questions at the end', 'end with a question']),
];

// Only long cue words tolerate a typo ("emoticns", "shorer" is too risky: "normal" is one edit from "formal").
const STYLE_TYPOS = { minLength: 7, known: new Set(['capital', 'capitol', 'shorten', 'bullet', 'listing', 'offered']) };

// Words that turn a cue into an unwanted thing; an even number cancels ("don't forget the emoji").
const REMOVERS = new Set(['no', 'not', "don't", "doesn't", "didn't", 'never', 'stop', 'lose', 'drop', 'remove', 'without', 'less',
  'fewer', 'quit', 'omit', 'skip', 'forget', 'ditch', 'cut', 'avoid', 'instead', "can't", 'cannot', "won't", 'down', 'reduce', 'rid']);
// Words that complain about what follows; several still make one complaint ("why so many").
const COMPLAINERS = new Set(['why', 'too', 'hate', 'annoying', 'unnecessary', 'weird', 'overkill']);

/** A style wish as read from a message: `complaint` when the user speaks against something in the reply. */
export interface StyleReading extends StyleWish {
  complaint: boolean;
}

/** The style wish in the text, or null when it talks about no style: the dimension with the most cue weight. */
export function readStyleWish(tokens: readonly Token[]): StyleReading | null {
  return readStyleWishes(tokens)[0] ?? null;
}

/**
 * Every style wish in the text, the one with the most cue weight first (ties in the order the text names
 * them): "drop the uppercase. Also: add an emoji at the end" is two wishes. A dimension needs cue weight 1.
 */
export function readStyleWishes(tokens: readonly Token[]): StyleReading[] {
  const hits = findPhrases(tokens, STYLE_CUES, STYLE_TYPOS).filter((h): h is typeof h & { meaning: StyleCue } => h.meaning !== 'not-a-cue');
  if (hits.length === 0) return [];
  const weights = new Map<StyleDimension, number>();
  for (const h of hits) weights.set(h.meaning.dimension, (weights.get(h.meaning.dimension) ?? 0) + h.meaning.weight);
  const clauses = clauseCounts(tokens);
  const wishes: StyleReading[] = [];
  for (const [dimension, weight] of [...weights].sort((a, b) => b[1] - a[1])) {
    if (weight < 1) continue;
    const votes = { on: 0, off: 0 };
    let complaint = false;
    for (const h of hits.filter((x) => x.meaning.dimension === dimension)) {
      const unwanted = isUnwanted(clauses, h.start, h.end, h.meaning.complaint === true);
      complaint ||= unwanted;
      const direction: StyleDirection = unwanted === (h.meaning.describes === 'on') ? 'off' : 'on';
      votes[direction] += h.meaning.weight;
    }
    wishes.push({ dimension, direction: votes.off > votes.on ? 'off' : 'on', complaint });
  }
  return wishes;
}

/**
 * Running counts over the tokens, so that what a cue's clause says around it is read in constant time
 * (a message of many cues in one clause stays linear): `removers[i]` counts removers before token i,
 * `complainsBefore[i]` complaints that look forward, `complainsAfter[i]` complaints that look back;
 * `clauseStart[i]` and `clauseEnd[i]` bound token i's clause.
 */
interface ClauseCounts {
  removers: number[];
  complainsBefore: number[];
  complainsAfter: number[];
  clauseStart: number[];
  clauseEnd: number[];
}

function clauseCounts(tokens: readonly Token[]): ClauseCounts {
  const n = tokens.length;
  const counts: ClauseCounts = {
    removers: [0], complainsBefore: [0], complainsAfter: [0], clauseStart: new Array<number>(n), clauseEnd: new Array<number>(n),
  };
  for (let i = 0; i < n; i++) {
    const word = tokens[i].text;
    const next = tokens[i + 1]?.text ?? '';
    // "not too long" is still a wish for brevity: a remover right before "too" belongs to it.
    const remover = REMOVERS.has(word) && next !== 'too';
    const before = COMPLAINERS.has(word) || (word === 'so' && ['many', 'much'].includes(next));
    const after = COMPLAINERS.has(word) || (word === 'go' && ['to', 'must'].includes(tokens[i - 1]?.text ?? '')); // "the smiley has to go"
    counts.removers.push(counts.removers[i] + (remover ? 1 : 0));
    counts.complainsBefore.push(counts.complainsBefore[i] + (before ? 1 : 0));
    counts.complainsAfter.push(counts.complainsAfter[i] + (after ? 1 : 0));
    counts.clauseStart[i] = i > 0 && tokens[i - 1].clause === tokens[i].clause ? counts.clauseStart[i - 1] : i;
  }
  for (let i = n - 1; i >= 0; i--) counts.clauseEnd[i] = i < n - 1 && tokens[i + 1].clause === tokens[i].clause ? counts.clauseEnd[i + 1] : i + 1;
  return counts;
}

/** Whether the words of the cue's clause say the user does not want the cued thing. */
function isUnwanted(c: ClauseCounts, start: number, end: number, complaint: boolean): boolean {
  const from = c.clauseStart[start];
  const to = c.clauseEnd[start];
  const removers = c.removers[start] - c.removers[from];
  const complains = complaint || c.complainsBefore[start] - c.complainsBefore[from] > 0 || (end < to && c.complainsAfter[to] - c.complainsAfter[end] > 0);
  return (removers % 2 === 1) !== complains;
}
