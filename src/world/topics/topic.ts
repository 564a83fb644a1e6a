/** What every topic of the world provides: its items, question phrasings, answer wording and checker. */
import type { Rng } from '../../model/rng.ts';
import type { ToolCall } from '../tools.ts';

export type Topic = 'arithmetic' | 'units' | 'capitals' | 'descriptions';

/** The wording the reply renderer builds an answer from (see replies.ts). */
export interface AnswerForms {
  /** Neutral one-sentence answers: start with a capital letter; no '!', apostrophe, slang or polite marker. */
  statements: readonly string[];
  /** Casual one-sentence answers, each with a contraction. */
  casualStatements: readonly string[];
  /** One neutral sentence of explanation, added when the reply is not brief. */
  explanations: readonly string[];
}

export interface TopicTable<I> {
  topic: Topic;
  items: readonly I[];
  /** A stable identifier of the fact (used by the train/heldout split). */
  key(item: I): string;
  /** Ways a user asks the question; the index is part of the split. */
  phrasings(item: I): readonly string[];
  answer(item: I): string;
  forms(item: I): AnswerForms;
  /** True when the reply states the right answer. */
  check(item: I, reply: string): boolean;
  /** The tool call that answers the question, when a tool can. */
  toolCall?(item: I): ToolCall;
  /** Shorthand ways a visitor types the question ("12*3?", "5 km in m"); each has its own place in the split. */
  shorthands?(item: I): readonly string[];
  /** How the world draws an item (default: uniform). */
  sampleItem?(rng: Rng): I;
}
