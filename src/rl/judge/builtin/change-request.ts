/**
 * Change requests that name none of the six styles (METHOD §2: a change request is negative, never
 * neutral): something missing the user wants added (a unit, a reason, an example, the steps, a source),
 * another tone, spelling or language, or one word in place of another ("metres, not meters"). A cue table
 * names what is asked; the words around it say whether it is asked of the reply. Each kind has the hint
 * (METHOD §3) that says what to change.
 */
import type { FeedbackHit } from './feedback.ts';
import { quote } from './reading.ts';
import { hasTopic, keysOf } from './request.ts';
import { findPhrases, stem, tokenize, type LexiconEntry, type Token } from './text.ts';

/** What a change request asks for. */
export type ChangeKind = 'unit' | 'reason' | 'example' | 'steps' | 'source' | 'missing' | 'kinder' | 'cheerful' | 'spelling' | 'language';

interface ChangeCue {
  kind: ChangeKind;
  /** Complaint cues ("rude", "misspelled", "you forgot") ask for a change by themselves; wish cues only of the reply. */
  complaint: boolean;
  /** The language a language cue names, or the spelling a spelling cue names. */
  language?: string;
}

type CueMeaning = ChangeCue | 'not-a-cue' | 'frame' | 'reply';

const cues = (kind: ChangeKind, complaint: boolean, phrases: string[]): LexiconEntry<CueMeaning>[] =>
  phrases.map((phrase) => ({ phrase, meaning: { kind, complaint } }));
const words = (meaning: 'not-a-cue' | 'frame' | 'reply', phrases: string[]): LexiconEntry<CueMeaning>[] =>
  phrases.map((phrase) => ({ phrase, meaning }));

const LANGUAGES = ['english', 'french', 'spanish', 'german', 'italian', 'portuguese', 'polish', 'dutch', 'swedish', 'norwegian',
  'danish', 'finnish', 'greek', 'turkish', 'russian', 'ukrainian', 'chinese', 'mandarin', 'japanese', 'korean', 'arabic', 'hindi',
  'swahili', 'latin', 'hebrew', 'czech', 'hungarian', 'romanian', 'vietnamese', 'indonesian', 'thai', 'esperanto'];

const CHANGE_CUES: LexiconEntry<CueMeaning>[] = [
  // The same words as a topic of a new request ("an example of a conversion", "what kind of bird").
  ...words('not-a-cue', ['example of', 'examples of', 'unit conversion', 'unit conversions', 'kind of', 'kinds of', 'reason for',
    'spell out', 'in other words', 'i forgot', 'i forget']),
  ...cues('unit', false, ['unit', 'units', 'which unit', 'what unit', 'what units', 'the measurement']),
  ...cues('reason', false, ['reason', 'reasons', 'why', 'reasoning', 'justify', 'justification']),
  ...cues('example', false, ['example', 'examples', 'for instance']),
  ...cues('steps', false, ['steps', 'step by step', 'working', 'workings', 'work it out', 'how you got', 'how did you get',
    'how did you work', 'how did you figure', 'how did you calculate', 'how did you know', 'the math', 'the maths', 'the calculation']),
  ...cues('source', false, ['source', 'sources', 'reference', 'citation', 'cite', 'where is that from', 'where does that come from']),
  ...cues('missing', true, ['you forgot', 'you forget', 'forgot to', 'left out', 'leave out', 'you missed', 'missing', 'omitted',
    'incomplete', 'half the answer', 'only half']),
  ...cues('kinder', false, ['nicer', 'kinder', 'friendlier', 'warmer', 'gentler', 'softer', 'friendly', 'nicely', 'kindly',
    'empathy', 'empathetic', 'sympathetic', 'attitude']),
  ...cues('kinder', true, ['rude', 'rudely', 'impolite', 'unfriendly', 'blunt', 'harsh', 'curt', 'snippy', 'snarky', 'sarcastic',
    'sarcasm', 'condescending', 'patronising', 'patronizing', 'smug', 'arrogant', 'dismissive', 'passive aggressive', 'obnoxious', 'cocky',
    'grumpy', 'cranky', 'moody']),
  ...cues('cheerful', false, ['cheerful', 'cheerier', 'enthusiasm', 'enthusiastic', 'upbeat', 'happier', 'livelier', 'more fun']),
  ...cues('spelling', false, ['spelling', 'spell', 'spelled', 'spelt']),
  ...['british', 'british spelling', 'uk spelling', 'british english', 'uk english'].map((phrase) => ({ phrase, meaning: { kind: 'spelling' as const, complaint: false, language: 'British' } })),
  ...['american', 'american spelling', 'us spelling', 'american english', 'us english'].map((phrase) => ({ phrase, meaning: { kind: 'spelling' as const, complaint: false, language: 'American' } })),
  ...cues('spelling', true, ['misspelled', 'misspelt', 'misspelling', 'misspell', 'spelling mistake', 'spelling error', 'spelled wrong',
    'spelt wrong', 'typos']),
  ...LANGUAGES.map((language) => ({ phrase: language, meaning: { kind: 'language' as const, complaint: false, language } })),
  ...['my language', 'another language', 'a different language', 'other language'].map((phrase) => ({ phrase, meaning: { kind: 'language' as const, complaint: false } })),
  // Words that ask for something of the reply: a wish cue near them is a change request.
  ...words('frame', ['add', 'include', 'give', 'show', 'mention', 'state', 'put', 'provide', 'use', 'write', 'answer', 'reply',
    'respond', 'say', 'tell', 'translate', 'switch', 'be', 'sound', 'try', 'more', 'less', 'bit', 'little', 'need', 'needs', 'want',
    'please', 'pls', 'plz', 'could', 'can', 'would', 'should', 'check', 'fix', 'correct', 'with', 'where', 'what about', 'and the',
    'next time', 'from now on', 'forget', "don't", 'so', 'too', 'in', 'into', 'speak', 'tone', 'wrong', 'you', 'come', 'across',
    'a', 'an', 'the', 'your', 'me', 'at', 'though', 'tho', 'would help', 'would be nice', 'would be good', 'would be great']),
  // Words that point at the reply itself.
  ...words('reply', ['it', "it's", 'that', "that's", 'this', 'your answer', 'the answer', 'your reply', 'the reply']),
];

const CHANGE_TYPOS = { minLength: 8, known: new Set(['spelling', 'reference', 'referenced', 'missions', 'attitudes', 'sourced', 'examine']) };

// Words that deny a complaint cue ("not rude at all"); "don't be so rude" still asks for a change.
const DENIERS = new Set(['not', 'never', "isn't", "wasn't", "weren't", "aren't", 'nothing', 'no']);

/** What the built-in judge reads as a change request: its kind and the hint that says what to change. */
export interface ChangeRequest {
  kind: ChangeKind | 'wording';
  because: string;
  hint: string;
}

const HINTS: Record<Exclude<ChangeKind, 'language' | 'spelling'>, string> = {
  unit: 'The user wants the unit written with the number (for example "3000 metres", not "3000").',
  reason: 'The user wants a reason: after the answer, add one sentence saying why it is so.',
  example: 'The user wants an example: after the answer, add one short example.',
  steps: 'The user wants the working shown: give the steps that lead to the answer, then the answer.',
  source: 'The user wants to know where the fact comes from: say what the answer is based on.',
  missing: 'The reply left out something the user needed. Give the complete answer, with every part the question asks for.',
  kinder: 'The user wants a warmer, kinder tone: answer gently and never sound dismissive.',
  cheerful: 'The user wants a more cheerful, enthusiastic tone.',
};

/**
 * The change request in a user's next state, or null. A complaint cue counts unless denied ("not rude");
 * a wish cue counts when the rest of its clause is only words that ask something of the reply, or points
 * at the reply ("it's spelt with an i"), and never next to praise ("great reason, thanks"). Neither counts
 * inside a new question with a topic of its own ("how do you say thanks in spanish?"). Linear in the tokens.
 */
export function readChangeRequest(tokens: readonly Token[], feedback: readonly FeedbackHit[], reply: string): ChangeRequest | null {
  const hits = findPhrases(tokens, CHANGE_CUES, CHANGE_TYPOS);
  const inHit = new Set<number>();
  for (const h of hits) for (let i = h.start; i < h.end; i++) inHit.add(i);
  // A word read as a cue or frame is not also praise ("show your working", "an example would help").
  const praised = feedback.some((h) => h.kind === 'praise' && !inHit.has(h.start));
  // "3000 what?": the number came without its unit.
  if (tokens.some((t, i) => /^\d/.test(t.text) && tokens[i + 1]?.text === 'what' && (tokens[i + 2] === undefined || tokens[i + 2].text === '?' || tokens[i + 2].clause !== t.clause))) {
    return request({ kind: 'unit', complaint: true }, hits, reply);
  }
  // Per clause: the words no cue table covers, whether it asks a question, whether it points at the reply.
  const clauses = new Map<number, { rest: Token[]; question: boolean; ofTheReply: boolean }>();
  const clauseOf = (i: number) => clauses.get(tokens[i].clause) ?? clauses.set(tokens[i].clause, { rest: [], question: false, ofTheReply: false }).get(tokens[i].clause)!;
  tokens.forEach((t, i) => {
    const c = clauseOf(i);
    if (t.text === '?') c.question = true;
    else if (!inHit.has(i)) c.rest.push(t);
  });
  for (const h of hits) if (h.meaning === 'reply') clauseOf(h.start).ofTheReply = true;
  for (const hit of hits) {
    if (typeof hit.meaning === 'string') continue;
    const cue = hit.meaning;
    const { rest, question, ofTheReply } = clauseOf(hit.start);
    const otherTopic = hasTopic(keysOf(rest));
    if (question && (otherTopic || (!cue.complaint && rest.length > 0 && !ofTheReply))) continue;
    if (cue.complaint ? denied(tokens, hit.start) : praised) continue;
    if (cue.complaint || !otherTopic || ofTheReply) return request(cue, hits, reply);
  }
  return insteadOf(tokens, reply);
}

function denied(tokens: readonly Token[], start: number): boolean {
  for (let i = start - 1; i >= 0 && i >= start - 3 && tokens[i].clause === tokens[start].clause; i--) if (DENIERS.has(tokens[i].text)) return true;
  return false;
}

function request(cue: ChangeCue, hits: readonly { meaning: CueMeaning }[], reply: string): ChangeRequest {
  // "I don't speak English, use Polish": the last language (or spelling) named is the one wanted.
  const named = hits.flatMap((h) => (typeof h.meaning !== 'string' && h.meaning.kind === cue.kind && h.meaning.language ? [h.meaning.language] : [])).at(-1);
  if (cue.kind === 'language') {
    const language = named ? named[0].toUpperCase() + named.slice(1) : 'the language the user writes in';
    return { kind: 'language', because: 'The user asks for the reply in another language.', hint: `The user wants the reply written in ${language}.` };
  }
  if (cue.kind === 'spelling') return { kind: 'spelling', because: 'The user asks for other spelling.', hint: spellingHint(named, reply) };
  const because = cue.kind === 'kinder' || cue.kind === 'cheerful' ? 'The user asks for another tone.' : `The user asks for something the reply left out (${cue.kind}).`;
  return { kind: cue.kind, because, hint: HINTS[cue.kind] };
}

function spellingHint(variant: string | undefined, reply: string): string {
  if (variant === 'British') return 'The user wants British spelling (metres, litres, colour), not American.';
  if (variant === 'American') return 'The user wants American spelling (meters, liters, color), not British.';
  return `The user says the reply ${quote(reply)} has a spelling mistake. Spell every name and unit correctly.`;
}

/**
 * "metres, not meters", "Lima not Lama": a word the reply used, after "not", with another word before it in
 * the same message that the reply did not use. The user wants the one in place of the other.
 */
function insteadOf(tokens: readonly Token[], reply: string): ChangeRequest | null {
  const said = new Set(keysOf(tokenize(reply)).words);
  for (let i = 1; i + 1 < tokens.length; i++) {
    if (tokens[i].text !== 'not') continue;
    const unwanted = keysOf(tokens.slice(i + 1, i + 3)).words;
    const wanted = keysOf(tokens.slice(Math.max(0, i - 2), i)).words;
    const out = [...unwanted].find((w) => said.has(w));
    const instead = [...wanted].find((w) => !said.has(w));
    if (out && instead) {
      const [a, b] = [tokens.slice(0, i).map((t) => t.text).filter((t) => stem(t) === instead).at(-1) ?? instead,
        tokens.slice(i + 1).map((t) => t.text).find((t) => stem(t) === out) ?? out];
      return { kind: 'wording', because: `The user wants "${a}" in place of "${b}".`, hint: `The user wants "${a}", not "${b}". Write it that way.` };
    }
  }
  return null;
}

