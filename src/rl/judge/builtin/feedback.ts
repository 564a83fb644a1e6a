/**
 * The feedback lexicon: words and phrases by which a user's next state says a reply worked (thanks,
 * praise) or did not (a redo, a correction, a complaint), with negation handling (METHOD §2).
 */
import { findPhrases, type LexiconEntry, type Token } from './text.ts';

/** What a feedback phrase signals. Negative kinds decide which hindsight hint fits. */
export type FeedbackKind = 'praise' | 'redo' | 'correction' | 'complaint';

const entries = (kind: FeedbackKind | 'filler', phrases: string[]): LexiconEntry<FeedbackKind | 'filler'>[] =>
  phrases.map((phrase) => ({ phrase, meaning: kind }));

const FEEDBACK_LEXICON: LexiconEntry<FeedbackKind | 'filler'>[] = [
  ...entries('praise', ['thanks', 'thank', 'thx', 'thnx', 'ty', 'tysm', 'ta', 'cheers', 'appreciated', 'appreciate', 'perfect', 'great',
    'awesome', 'excellent', 'brilliant', 'nice', 'good', 'correct', 'right', 'exactly', 'helpful', 'love', 'sweet', 'cool', 'works',
    'worked', 'well done', 'yes', 'yep', 'yeah', 'yup', 'got it', 'makes sense', 'spot on', 'amazing', 'fantastic', 'wonderful',
    'neat', 'lovely', 'true', 'accurate', 'superb', 'bravo', 'impressive', 'much better', "that's better", 'thumbs up', 'no worries', 'no problem',
    'thanks again', 'not bad', 'nailed it', 'just what i needed', 'that helps', 'helps', 'no thanks', 'no thank you',
    // Taking up the reply's offer of more is moving on.
    'another one', 'next one', 'next question', 'another question']),
  ...entries('redo', ['again', 'same question', 'redo', 'rewrite', 'retry', 'try again', 'one more time', 'do it over', 'start over', 'another go',
    'another try', 'another shot', 'another attempt', 'differently', 'rephrase', 'reword', 'redo that', 'another way', 'other way', 'different way',
    // Asking to change the reply is a change request.
    'make it', 'make that', 'change it', 'change that', 'edit it', 'fix it', 'fix that', 'can you make', 'could you make', 'redo it', 'do it again', 'do over', 'once more',
    // Asking for another reply in place of this one.
    'regenerate', 'regen', 'reroll', 're roll', 'rerun', 'reconsider', 'rethink', 'think again', 'from scratch', 'one more shot', 'one more go',
    'one more try', 'one more attempt', 'another crack', 'another stab', 'different answer', 'different response', 'different reply',
    'another answer', 'another response', 'another reply', 'new answer', 'new response', 'new reply', 'other answer', 'better answer']),
  ...entries('correction', ['wrong', 'incorrect', 'nope', 'mistake', 'mistaken', 'false', 'inaccurate', 'i meant', 'i mean',
    'meant', 'i said', 'i asked', 'instead of', 'are you sure', 'actually', 'backwards', 'not quite', 'typo', 'misread',
    'misunderstood', 'not what i asked', 'not what i meant', 'thumbs down', 'off by', 'way off', 'not even close']),
  ...entries('complaint', ['useless', 'unhelpful', 'bad', 'terrible', 'awful', 'horrible', 'ugh', 'seriously', 'meh', 'nonsense',
    'confusing', "didn't answer", 'did not answer', "doesn't answer", 'not an answer', 'no answer', 'pointless', 'annoying',
    'come on', 'not helpful', 'and the answer', "what's the answer", 'what is the answer', 'repeated my', 'you repeated',
    'just repeated', 'makes no sense', 'no sense', "don't like", 'do not like', "didn't like", 'dislike', 'hate', 'stupid', 'worse', 'disappointing', 'missed', 'not what i wanted',
    // Saying the reply is not how the user likes it is a complaint, even without naming what.
    'not how i like', 'not really how i like', 'not how i want', 'not really how i want', 'not the way i like', 'not the way i want',
    'not really the way i want', 'not really the way i like']),
  // Words that say nothing either way; listed so they are never mistaken for a typo of a feedback word.
  ...entries('filler', ['ok', 'okay', 'k', 'kk', 'sure', 'alright', 'fine', 'hmm', 'hm', 'mm', 'huh', 'oh', 'ah', 'lol', 'haha',
    'well', 'maybe', 'i guess', 'i see', 'interesting', 'whatever', 'brb', 'really', 'what',
    'great deal', 'works out', 'again and again',
    // A wish's closer ("that would help me") says what would help, not that the reply did.
    'would help', 'would be helpful',
    // Insisting says how often, not what: "I keep telling you, that is not how I like it".
    'keep telling you', 'i keep telling you', 'told you', 'i told you']),
];

// "thnks", "agian", "wrnog"; real words near a feedback word are listed so they stay themselves.
const FEEDBACK_TYPOS = { minLength: 5, known: new Set(['write', 'wrote', 'rights', 'words', 'world', 'thinks', 'thing', 'things', 'grant',
  'treat', 'treats', 'means', 'meanings', 'gains', 'errors', 'tanks', 'wrongs', 'correctly', 'cheese', 'court', 'think', 'working',
  'worker', 'wording', 'regent']) };

// Words that flip the feedback word right after them ("not helpful", "don't like", "nothing wrong").
const NEGATORS = new Set(['not', 'no', 'never', "don't", "doesn't", "didn't", "isn't", "wasn't", "aren't", "can't", 'cannot',
  "won't", 'nothing', 'hardly', 'nor', "wouldn't", "shouldn't", 'neither']);
const NEGATION_REACH = 3;

/** One piece of feedback found in the next state. */
export interface FeedbackHit {
  kind: FeedbackKind;
  start: number;
  end: number;
}

/**
 * Feedback phrases in the tokens. A negator up to three words before a phrase in the same clause flips
 * it: negated praise is a complaint, a negated correction or complaint is praise. Praise words in a
 * question ("is that right?") do not count. A bare "no" that stands
 * alone or opens a clause of its own ("no, it is 7") is a correction.
 */
export function readFeedback(tokens: readonly Token[]): FeedbackHit[] {
  const hits: FeedbackHit[] = [];
  const questioned = new Set(tokens.filter((t) => t.text === '?').map((t) => t.clause));
  for (const hit of findPhrases(tokens, FEEDBACK_LEXICON, FEEDBACK_TYPOS)) {
    if (hit.meaning === 'filler') continue;
    // "is that right?" asks; it does not praise.
    if (hit.meaning === 'praise' && questioned.has(tokens[hit.start].clause)) continue;
    const negated = isNegated(tokens, hit.start);
    const kind = negated ? negatedKind(hit.meaning, tokens[hit.start].text) : hit.meaning;
    if (kind) hits.push({ kind, start: hit.start, end: hit.end });
  }
  const covered = new Array<boolean>(tokens.length).fill(false);
  for (const h of hits) covered.fill(true, h.start, h.end);
  tokens.forEach((t, i) => {
    if (t.text === 'no' && (tokens[i + 1] === undefined || tokens[i + 1].clause !== t.clause || ['i', 'it', "it's", 'that', "that's"].includes(tokens[i + 1].text))) {
      if (!covered[i]) hits.push({ kind: 'correction', start: i, end: i + 1 });
    }
  });
  return hits;
}

/** The tokens left once every feedback and filler phrase is taken out: what the message is about. */
export function withoutFeedback(tokens: readonly Token[]): Token[] {
  const covered = new Set<number>();
  for (const hit of findPhrases(tokens, FEEDBACK_LEXICON, FEEDBACK_TYPOS)) for (let i = hit.start; i < hit.end; i++) covered.add(i);
  tokens.forEach((t, i) => t.text === 'no' && covered.add(i));
  return tokens.filter((_, i) => !covered.has(i));
}

// Denying that the reply was right is a correction ("not correct"); denying other praise is a complaint.
const TRUTH_WORDS = new Set(['correct', 'right', 'exactly', 'true', 'accurate']);

function negatedKind(kind: FeedbackKind, word: string): FeedbackKind | null {
  if (kind === 'praise') return TRUTH_WORDS.has(word) ? 'correction' : 'complaint';
  return kind === 'redo' ? null : 'praise';
}

function isNegated(tokens: readonly Token[], start: number): boolean {
  for (let i = start - 1; i >= 0 && i >= start - NEGATION_REACH; i--) {
    if (tokens[i].clause !== tokens[start].clause) return false;
    if (NEGATORS.has(tokens[i].text)) return true;
  }
  return false;
}
