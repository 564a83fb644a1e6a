/**
 * Reading a user's next state (METHOD §2): a style wish or any other change request is negative, never
 * neutral; thanks, praise or a new request is positive; anything else does not tell (0).
 *
 * A hint (METHOD §3) only when the next state reveals something that would have improved the reply: a
 * style, a change, a correction, the fact that the reply's answer was wrong, what a complaint says beyond its
 * verdict. A bare complaint ("that is not the way I want it"), a redo and the question asked again say that
 * the reply failed (the evaluative score) but not how: they get no hint.
 * (A generic hint there, "answer it directly, with the specific fact requested", was read by the teacher
 * as "be brief": it steered the users who wanted something else away from it; issue 17.)
 */
import { readChangeRequest } from './change-request.ts';
import { readFeedback, withoutFeedback } from './feedback.ts';
import { quote, type NextStateReading } from './reading.ts';
import { hasTopic, isSameRequest, keysOf, requestKeys, type RequestKeys } from './request.ts';
import { STYLE_HINTS, replyHasStyle } from './style.ts';
import { readStyleWishes } from './style-complaint.ts';
import { asksQuestion, tokenize, type Token } from './text.ts';
import { assertedAnswer, complaintHint, correctionHint, statedContent } from './user-hints.ts';
import { complainsOfForm } from './form-complaint.ts';

// Words that open a new request without a question mark ("now do 9 × 7", "convert 5 miles to km").
const REQUEST_OPENERS = new Set(['what', "what's", 'how', 'which', 'who', 'where', 'when', 'why', 'tell', 'give', 'convert', 'calculate',
  'compute', 'now', 'next', 'new', 'and', 'also', 'another', 'then', 'do', 'show', 'find', 'list', 'translate', 'explain', 'can', 'could', 'let\'s']);

/**
 * `readUserNextState(message, reply, previousRequest?)`: the score, reason and hint a careful judge would
 * give. `previousRequest` is the user message the reply answered (for rephrased repeats).
 */
export function readUserNextState(message: string, reply: string, previousRequest?: string): NextStateReading {
  const tokens = tokenize(message);
  if (tokens.length === 0) return { score: 0, because: 'The user sent nothing readable.', hint: null };

  const wishes = readStyleWishes(tokens);
  const style = wishes[0];
  if (style) {
    const wish = `a ${style.direction === 'on' ? 'wish for' : 'wish against'} the ${style.dimension} style`;
    const { dimension, direction } = style;
    // "love the bullet points!" under a bulleted reply is praise; any complaint or change request is not.
    const feedback = readFeedback(tokens);
    const praised = feedback.length > 0 && feedback.every((h) => h.kind === 'praise');
    if (praised && !style.complaint && replyHasStyle(reply, dimension) === (direction === 'on')) {
      return { score: 1, because: `The user praises the reply and expresses ${wish}, which it already meets.`, hint: null, style: { dimension, direction } };
    }
    // Every style the user names goes into the hint (at most three, one sentence each), the strongest first.
    const hint = wishes.slice(0, 3).map((w) => STYLE_HINTS[w.dimension][w.direction]).join(' ');
    return { score: -1, because: `The user asks for a change: ${wish}.`, hint, style: { dimension, direction } };
  }

  const feedback = readFeedback(tokens);
  const negative = feedback.filter((h) => h.kind !== 'praise');
  // "nope, not how i want it", "not quite the style I am after": about the reply's form, not its facts.
  if (negative.length > 0 && complainsOfForm(tokens)) {
    return { score: -1, because: 'The user dislikes how the reply is written but does not say how they want it.', hint: null };
  }
  if (negative.some((h) => h.kind === 'correction')) {
    return { score: -1, because: 'The user says the reply was wrong.', hint: correctionHint(message, reply, previousRequest) };
  }
  // A change the rules can name ("add the units", "in French please") gets its own hint, before a generic redo.
  const change = readChangeRequest(tokens, feedback, reply);
  if (change) return { score: -1, because: change.because, hint: change.hint };
  if (negative.length > 0) {
    if (negative.some((h) => h.kind === 'redo')) {
      const again = previousRequest && isSameRequest(requestKeys(message), requestKeys(previousRequest));
      return { score: -1, because: again ? `The user asks ${quote(previousRequest)} again.` : 'The user asks for the reply to be redone.', hint: null };
    }
    // "seriously? it is simple addition" says something; "useless answer" does not.
    const says = statedContent(message).length > 0 && !(previousRequest && isSameRequest(requestKeys(message), requestKeys(previousRequest)));
    return says
      ? { score: -1, because: 'The user complains about the reply.', hint: complaintHint(reply, previousRequest) }
      : { score: -1, because: 'The user complains about the reply without saying what is wrong.', hint: null };
  }

  const keys = keysOf(withoutFeedback(tokens));
  if (previousRequest && isSameRequest(keys, requestKeys(previousRequest))) {
    return { score: -1, because: `The user repeats the request ${quote(previousRequest)} in other words.`, hint: null };
  }
  if (contradictsReply(message, tokens, keys, reply) || assertsFact(message, reply)) {
    return { score: -1, because: 'The user states a different figure than the reply gave.', hint: correctionHint(message, reply, previousRequest) };
  }
  // "right..." trails off: hesitation, not praise.
  if (feedback.length > 0 && !(TRAILS_OFF.test(message) && !hasTopic(keys))) return { score: 1, because: 'The user thanks or praises the reply.', hint: null };
  // The request may open after a filler: "ok and sudan".
  const opens = [tokens[0].text, tokens[1]?.text ?? '', withoutFeedback(tokens)[0]?.text ?? ''].some((w) => REQUEST_OPENERS.has(w));
  if (hasTopic(keys) && (asksQuestion(message) || opens || keys.numbers.length > 0)) {
    return { score: 1, because: 'The user moves on to a new request.', hint: null };
  }
  return { score: 0, because: 'The next message does not say whether the reply worked.', hint: null };
}

const TRAILS_OFF = /(?:\.\.\.|…)\s*$/;

/** An answer the user asserts that is more than praise ("the spelling is perfect too" asserts nothing). */
function assertsFact(message: string, reply: string): boolean {
  const asserted = assertedAnswer(message, reply);
  return asserted !== null && hasTopic(keysOf(withoutFeedback(tokenize(asserted))));
}

// Words that make a statement an assertion of fact ("6+7 = 13", "a week has 7 days").
const ASSERTING = new Set(['=', 'is', 'are', 'was', 'equals', 'equal', 'makes', 'gives', 'has', 'have', 'not']);

/**
 * An assertion about the reply's topic (a shared word or number) with a number the reply did not give:
 * a correction ("6+7 = 13, not 12" under "6 + 7 = 12").
 */
function contradictsReply(message: string, tokens: readonly Token[], keys: RequestKeys, reply: string): boolean {
  if (asksQuestion(message) || keys.numbers.length === 0 || REQUEST_OPENERS.has(tokens[0].text)) return false;
  if (!tokens.some((t) => ASSERTING.has(t.text))) return false;
  const said = requestKeys(reply);
  const saidNumbers = new Set(said.numbers);
  const shared = [...keys.words].some((w) => said.words.has(w)) || keys.numbers.some((n) => saidNumbers.has(n));
  return said.numbers.length > 0 && shared && keys.numbers.some((n) => !saidNumbers.has(n));
}
