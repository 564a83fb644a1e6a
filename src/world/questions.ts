/**
 * The questions of the world and their deterministic train/heldout split.
 *
 * A question is one phrasing of one fact. About one question text in five is held out: it never appears
 * in the pretraining corpus (split 'train'), so simulated users can ask questions the policy has not seen
 * verbatim. The split is by (fact, phrasing) rather than by fact, so that held-out questions stay answerable:
 * every capital and description is learnt from its other phrasings.
 */
import { pick, pickWeighted, randomInt, type Rng } from '../model/rng.ts';
import { ARITHMETIC } from './topics/arithmetic.ts';
import { CAPITAL_FACTS } from './topics/capitals.ts';
import { DESCRIPTIONS } from './topics/descriptions.ts';
import type { ToolCall } from './tools.ts';
import type { AnswerForms, Topic, TopicTable } from './topics/topic.ts';
import { UNITS } from './topics/units.ts';

export type { AnswerForms, Topic } from './topics/topic.ts';

export type Split = 'train' | 'heldout';

export interface Question {
  /** `topic:fact:phrasing`, unique per question text. */
  id: string;
  topic: Topic;
  /** What the user writes. */
  text: string;
  /** The canonical answer. */
  answer: string;
  split: Split;
  /** The wording replies are rendered from. */
  forms: AnswerForms;
  /** True when the reply states the right answer. */
  check(reply: string): boolean;
  /** The tool call that answers it, when a tool can (see tools.ts). */
  toolCall?: ToolCall;
  /** Shorthand texts of the same fact in the same split (casual.ts types them the way visitors do). */
  shorthands: readonly string[];
}

interface WeightedTopic {
  table: TopicTable<any>;
  weight: number;
}

/** How often each topic is asked. */
const TOPICS: readonly WeightedTopic[] = [
  { table: ARITHMETIC, weight: 0.35 },
  { table: UNITS, weight: 0.2 },
  { table: CAPITAL_FACTS, weight: 0.25 },
  { table: DESCRIPTIONS, weight: 0.2 },
];

/** Share of question texts held out of the pretraining corpus. */
export const HELDOUT_EVERY = 5;

/** FNV-1a, 32 bits: a stable hash that does not depend on any random stream. */
function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function splitOf(id: string): Split {
  return stableHash(id) % HELDOUT_EVERY === 0 ? 'heldout' : 'train';
}

function build<I>(table: TopicTable<I>, item: I, phrasing: number): Question {
  const fact = `${table.topic}:${table.key(item)}`;
  const id = `${fact}:${phrasing}`;
  const split = splitOf(id);
  return {
    id,
    topic: table.topic,
    text: table.phrasings(item)[phrasing],
    answer: table.answer(item),
    split,
    forms: table.forms(item),
    check: (reply) => table.check(item, reply),
    toolCall: table.toolCall?.(item),
    shorthands: (table.shorthands?.(item) ?? []).filter((_, i) => splitOf(`${fact}:s${i}`) === split),
  };
}


/** A random question of the split: topic by weight, then fact, then phrasing. */
export function sampleQuestion(rng: Rng, split: Split): Question {
  for (;;) {
    const { table } = pickWeighted(rng, TOPICS, (t) => t.weight);
    const item = table.sampleItem ? table.sampleItem(rng) : pick(rng, table.items);
    const q = build(table, item, randomInt(rng, table.phrasings(item).length));
    if (q.split === split) return q;
  }
}

/** The held-out question generator: questions that never appear in the pretraining corpus. */
export function sampleHeldoutQuestion(rng: Rng): Question {
  return sampleQuestion(rng, 'heldout');
}

/** The same fact asked another way, within the same split (the same question when no other phrasing is). */
export function rephrase(q: Question, rng: Rng): Question {
  const others = (phrasingsOfFact().get(factOf(q)) ?? []).filter((o) => o.id !== q.id && o.split === q.split);
  return others.length > 0 ? pick(rng, others) : q;
}

function factOf(q: Question): string {
  return q.id.slice(0, q.id.lastIndexOf(':'));
}

let everyQuestion: Question[] | undefined;
let byFact: Map<string, Question[]> | undefined;

/** Every question of the world, both splits. */
export function allQuestions(): readonly Question[] {
  everyQuestion ??= TOPICS.flatMap(({ table }) =>
    (table.items as unknown[]).flatMap((item) =>
      table.phrasings(item).map((_: string, i: number) => build(table, item, i))));
  return everyQuestion;
}

function phrasingsOfFact(): Map<string, Question[]> {
  if (!byFact) {
    byFact = new Map();
    for (const q of allQuestions()) byFact.set(factOf(q), [...(byFact.get(factOf(q)) ?? []), q]);
  }
  return byFact;
}
