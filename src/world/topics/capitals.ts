/** Facts from a small table: the capital city of each country. */
import { containsPhrase } from '../text.ts';
import type { AnswerForms, TopicTable } from './topic.ts';

export interface CapitalRow {
  country: string;
  capital: string;
}

export const CAPITALS: readonly CapitalRow[] = [
  ['France', 'Paris'], ['Germany', 'Berlin'], ['Italy', 'Rome'], ['Spain', 'Madrid'], ['Portugal', 'Lisbon'],
  ['Peru', 'Lima'], ['Japan', 'Tokyo'], ['Egypt', 'Cairo'], ['Kenya', 'Nairobi'], ['Canada', 'Ottawa'],
  ['Brazil', 'Brasilia'], ['Argentina', 'Buenos Aires'], ['Norway', 'Oslo'], ['Sweden', 'Stockholm'],
  ['Poland', 'Warsaw'], ['Greece', 'Athens'], ['Turkey', 'Ankara'], ['Australia', 'Canberra'], ['Chile', 'Santiago'],
  ['Ireland', 'Dublin'], ['Austria', 'Vienna'], ['Finland', 'Helsinki'],
].map(([country, capital]) => ({ country, capital }));

function phrasings({ country: c }: CapitalRow): string[] {
  return [`What is the capital of ${c}?`, `What's the capital of ${c}?`, `Which city is the capital of ${c}?`,
    `Name the capital of ${c}.`, `Capital of ${c}?`, `Tell me the capital of ${c}.`, `Do you know the capital of ${c}?`,
    `What city is the capital of ${c}?`, `I forgot the capital of ${c}. What is it?`, `Which city is ${c}'s capital?`];
}

function shorthands({ country: c }: CapitalRow): string[] {
  return [`capital of ${c}`, `${c} capital?`, `${c} capital city`, `capitol of ${c}?`, `whats the capitol of ${c}`,
    `${c}'s capital`, `capital city of ${c}?`, `the capital of ${c} is?`, `captial of ${c}`, `${c}: capital?`];
}

function forms({ country: c, capital: k }: CapitalRow): AnswerForms {
  return {
    statements: [`The capital of ${c} is ${k}.`, `It is ${k}.`, `That is ${k}.`, `The answer is ${k}.`,
      `${k} is the capital of ${c}.`],
    casualStatements: [`It's ${k}.`, `That's ${k}.`, `${c}'s capital is ${k}.`],
    explanations: [`The government of ${c} sits in ${k}.`, 'It is the seat of the national government.',
      `It is one of the best known cities in ${c}.`, `The parliament of ${c} meets there.`],
  };
}

/** Right when the reply names this capital and no other capital of the table. */
function check(row: CapitalRow, reply: string): boolean {
  return containsPhrase(reply, row.capital)
    && CAPITALS.every((other) => other === row || !containsPhrase(reply, other.capital));
}

export const CAPITAL_FACTS: TopicTable<CapitalRow> = {
  topic: 'capitals',
  items: CAPITALS,
  key: (r) => r.country,
  phrasings,
  answer: (r) => r.capital,
  forms,
  check,
  shorthands,
  toolCall: (r) => ({ tool: 'lookup', argument: `capital of ${r.country}` }),
};
