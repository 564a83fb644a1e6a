/**
 * Hindsight hints for a user's corrective next state (METHOD §3): concrete, one to three sentences,
 * stating the correction itself when the user gave one.
 */
import { withoutFeedback } from './feedback.ts';
import { quote } from './reading.ts';
import { hasTopic, keysOf } from './request.ts';
import { tokenize } from './text.ts';

// "I meant Peru", "I said Australia, not Austria"; "I asked what the capital of Peru is";
// "it's Canberra", "should be 7", "the capital is Bern"; "wellington is".
const MEANT = /\bi(?:'d)?\s+(?:meant|mean|said|was asking about|was talking about)\s+(.+)$/i;
const ASKED = /\bi\s+(?:asked|was asking|wanted to know)(?:\s+(?:for|about))?\s+(.+)$/i;
const ANSWER_IS = /(?:\bit's|\bit is|\bit was|\bshould be|\bis actually|\bis really|\bequals)\s+(.+)$/i;
// Apart, because a case-insensitive Unicode pattern is slow to search: this one is tried at the start only.
const THE_X_IS = /^the(?: \p{L}+){1,2} is\s+(.+)$/iu;
const SUBJECT_IS = /^((?!i\b)[\p{L}\d][\p{L}\d'-]*(?: [\p{L}\d'-]+)?)\s+is$/iu;

// Every scan here is linear: a run of punctuation or spaces is tried from its first character only (the
// lookbehinds), never again from each character inside it; line breaks read as spaces (as the tokenizer
// reads them), so the `(.+)$` above always reaches the end of its clause instead of backing off from one.
const TRAILING_PUNCTUATION = /(?<![\s.!?,;:])[\s.!?,;:]+$/;
const CLAUSE_BREAK = /(?<![.;!?:,])[.;!?:,]+(?=\s|$)\s*|(?<!\s)\s+but\s+/i;
const LINE_BREAKS = /[\n\r\u2028\u2029]/g;

const trimEnd = (s: string) => s.trim().replace(TRAILING_PUNCTUATION, '');

/** The answer a clause asserts ("it's Ottawa", "the capital is Bern"): the first of these phrases in it wins. */
const answerIn = (clause: string) => THE_X_IS.exec(clause) ?? ANSWER_IS.exec(clause);

/** The parts of the message that state something beyond feedback words ("3+4 is 7" of "no, 3+4 is 7"). */
export function statedContent(message: string): string[] {
  return message
    .replace(LINE_BREAKS, ' ')
    .split(CLAUSE_BREAK)
    .map(trimEnd)
    .filter((clause) => hasTopic(keysOf(withoutFeedback(tokenize(clause)))));
}

/**
 * The answer the user asserts ("Toronto? It's Ottawa.", "the capital is Bern"), when the reply did not
 * give it; null when the message asserts nothing new.
 */
export function assertedAnswer(message: string, reply: string): string | null {
  const said = keysOf(tokenize(reply));
  const saidNumbers = new Set(said.numbers);
  for (const clause of statedContent(message)) {
    const answer = answerIn(clause);
    if (!answer) continue;
    const keys = keysOf(tokenize(answer[1]));
    const fresh = [...keys.words].some((w) => !said.words.has(w)) || keys.numbers.some((n) => !saidNumbers.has(n));
    if (fresh) return trimEnd(answer[1]);
  }
  return null;
}

/** A hint for a correction; it states the user's correction when there is one. */
export function correctionHint(message: string, reply: string, previousRequest: string | undefined): string {
  for (const clause of statedContent(message)) {
    const meant = MEANT.exec(clause);
    if (meant) return `The user meant ${trimEnd(meant[1])}. Answer the question about ${trimEnd(meant[1])}, not a different one.`;
    const asked = ASKED.exec(clause);
    if (asked) return `The user asked ${trimEnd(asked[1])}. Answer exactly that, with the specific fact requested.`;
    const answer = answerIn(clause) ?? SUBJECT_IS.exec(clause);
    if (answer) return `The correct answer is ${trimEnd(answer[1])}. Give that answer, not ${quote(reply)}.`;
  }
  const stated = statedContent(message);
  if (stated.length > 0) return `The user corrected the reply: ${quote(stated.join(', '))}. Give the corrected answer.`;
  const question = previousRequest ? ` to ${quote(previousRequest)}` : '';
  return `The answer ${quote(reply)}${question} was wrong. Work it out again carefully and give the correct answer.`;
}

/** A hint for a complaint that says something beyond its verdict ("seriously? it is simple addition"). */
export function complaintHint(reply: string, previousRequest: string | undefined): string {
  const request = previousRequest ? `Answer ${quote(previousRequest)}` : 'Answer the request';
  return `The reply ${quote(reply)} did not give the user what they asked for. ${request} directly, with the specific fact requested.`;
}
