/** Unit conversion: a whole number of a larger unit into a smaller one. */
import { numbersIn, statementsOf } from '../text.ts';
import type { AnswerForms, TopicTable } from './topic.ts';

interface UnitPair {
  from: string;
  fromPlural: string;
  to: string;
  toPlural: string;
  factor: number;
}

export interface Conversion {
  pair: UnitPair;
  value: number;
}

export const UNIT_PAIRS: readonly UnitPair[] = [
  { from: 'kilometre', fromPlural: 'kilometres', to: 'metre', toPlural: 'metres', factor: 1000 },
  { from: 'metre', fromPlural: 'metres', to: 'centimetre', toPlural: 'centimetres', factor: 100 },
  { from: 'kilogram', fromPlural: 'kilograms', to: 'gram', toPlural: 'grams', factor: 1000 },
  { from: 'litre', fromPlural: 'litres', to: 'millilitre', toPlural: 'millilitres', factor: 1000 },
  { from: 'hour', fromPlural: 'hours', to: 'minute', toPlural: 'minutes', factor: 60 },
  { from: 'minute', fromPlural: 'minutes', to: 'second', toPlural: 'seconds', factor: 60 },
  { from: 'day', fromPlural: 'days', to: 'hour', toPlural: 'hours', factor: 24 },
  { from: 'week', fromPlural: 'weeks', to: 'day', toPlural: 'days', factor: 7 },
  { from: 'foot', fromPlural: 'feet', to: 'inch', toPlural: 'inches', factor: 12 },
];

const VALUES = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

function phrasings({ pair: p, value: v }: Conversion): string[] {
  const from = `${v} ${p.fromPlural}`;
  const to = p.toPlural;
  return [`How many ${to} are in ${from}?`, `How many ${to} is ${from}?`, `Convert ${from} to ${to}.`,
    `What is ${from} in ${to}?`, `${from} is how many ${to}?`, `Can you convert ${from} into ${to}?`,
    `Please turn ${from} into ${to}.`, `How many ${to} make ${from}?`, `I have ${from}. How many ${to} is that?`];
}

function forms({ pair: p, value: v }: Conversion): AnswerForms {
  const ans = `${v * p.factor} ${p.toPlural}`;
  return {
    statements: [`That is ${ans}.`, `The answer is ${ans}.`, `It comes to ${ans}.`, `You get ${ans}.`,
      `In ${v} ${p.fromPlural} there are ${ans}.`],
    casualStatements: [`That's ${ans}.`, `It's ${ans}.`, `You'd get ${ans}.`],
    explanations: [`There are ${p.factor} ${p.toPlural} in one ${p.from}.`, `Each ${p.from} has ${p.factor} ${p.toPlural}.`,
      `One ${p.from} is ${p.factor} ${p.toPlural}.`],
  };
}

/** Right when the first statement that holds a number ends on the converted value, and no stray number appears. */
function check({ pair: p, value: v }: Conversion, reply: string): boolean {
  const result = v * p.factor;
  const allowed = new Set([v, p.factor, result]);
  if (!numbersIn(reply).every((n) => allowed.has(n))) return false;
  const first = statementsOf(reply).map(numbersIn).find((ns) => ns.length > 0);
  return first !== undefined && first[first.length - 1] === result;
}

export const UNITS: TopicTable<Conversion> = {
  topic: 'units',
  items: UNIT_PAIRS.flatMap((pair) => VALUES.map((value) => ({ pair, value }))),
  key: (c) => `${c.value}${c.pair.fromPlural}>${c.pair.toPlural}`,
  phrasings,
  answer: (c) => `${c.value * c.pair.factor} ${c.pair.toPlural}`,
  forms,
  check,
  toolCall: (c) => ({ tool: 'calculator', argument: `${c.value} * ${c.pair.factor}` }),
};
