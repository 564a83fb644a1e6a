/**
 * A complaint about the reply's form that names no style (METHOD §2–3): "not quite the style I am after",
 * "nope, not how i want it", "I dislike the way it looks". Negative, but it reveals nothing about what the
 * user wants instead, and its "nope" or "not quite" is not a factual correction.
 */
import { withoutFeedback } from './feedback.ts';
import { hasTopic, keysOf } from './request.ts';
import { findPhrases, type LexiconEntry, type Token } from './text.ts';

// Words for how a reply is written, as opposed to what it says.
const FORM_WORDS: LexiconEntry<true>[] = ['style', 'after', 'i am after', 'answers', 'my answers', 'differently', 'the way', 'how i like', 'how i want', 'how i prefer', 'how that is written',
  'how it is written', "how it's written", 'how that looks', 'how it looks', 'the way it looks', 'answer is fine', 'written', 'wording', 'format', 'formatting',
  'like that', 'presented', 'presentation'].map((phrase) => ({ phrase, meaning: true as const }));

// Exact words only: "written" is one edit from "writer", "style" from "styles" (stems match already).
const EXACT = { minLength: 0 };

/**
 * The message speaks of how the reply is written and of nothing else: once its feedback and form words are
 * taken out, no topic is left (its caller checks that it is negative). "Not quite, it is 11" states a fact.
 */
export function complainsOfForm(tokens: readonly Token[]): boolean {
  const hits = findPhrases(tokens, FORM_WORDS, EXACT);
  if (hits.length === 0) return false;
  const form = new Set(hits.flatMap((h) => Array.from({ length: h.end - h.start }, (_, i) => tokens[h.start + i])));
  return !hasTopic(keysOf(withoutFeedback(tokens.filter((t) => !form.has(t)))));
}
