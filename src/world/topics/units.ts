/** Unit conversion: a whole number of a larger unit into a smaller one. */
import { numbersIn, statementsOf } from '../text.ts';
import type { AnswerForms, TopicTable } from './topic.ts';

interface UnitPair {
  from: string;
  fromPlural: string;
  to: string;
  toPlural: string;
  factor: number;
  /** The short forms visitors type: [from, to], e.g. ['km', 'm']. */
  short: readonly [string, string];
}

export interface Conversion {
  pair: UnitPair;
  value: number;
}

export const UNIT_PAIRS: readonly UnitPair[] = [
  { from: 'kilometre', fromPlural: 'kilometres', to: 'metre', toPlural: 'metres', factor: 1000, short: ['km', 'm'] },
  { from: 'metre', fromPlural: 'metres', to: 'centimetre', toPlural: 'centimetres', factor: 100, short: ['m', 'cm'] },
  { from: 'kilogram', fromPlural: 'kilograms', to: 'gram', toPlural: 'grams', factor: 1000, short: ['kg', 'g'] },
  { from: 'litre', fromPlural: 'litres', to: 'millilitre', toPlural: 'millilitres', factor: 1000, short: ['l', 'ml'] },
  { from: 'hour', fromPlural: 'hours', to: 'minute', toPlural: 'minutes', factor: 60, short: ['h', 'min'] },
  { from: 'minute', fromPlural: 'minutes', to: 'second', toPlural: 'seconds', factor: 60, short: ['min', 'sec'] },
  { from: 'day', fromPlural: 'days', to: 'hour', toPlural: 'hours', factor: 24, short: ['days', 'hrs'] },
  { from: 'week', fromPlural: 'weeks', to: 'day', toPlural: 'days', factor: 7, short: ['wks', 'days'] },
  { from: 'foot', fromPlural: 'feet', to: 'inch', toPlural: 'inches', factor: 12, short: ['ft', 'in'] },
];

const VALUES = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

function phrasings({ pair: p, value: v }: Conversion): string[] {
  const from = `${v} ${p.fromPlural}`;
  const to = p.toPlural;
  return [`How many ${to} are in ${from}?`, `How many ${to} is ${from}?`, `Convert ${from} to ${to}.`,
    `What is ${from} in ${to}?`, `${from} is how many ${to}?`, `Can you convert ${from} into ${to}?`,
    `Please turn ${from} into ${to}.`, `How many ${to} make ${from}?`, `I have ${from}. How many ${to} is that?`];
}

function shorthands({ pair: p, value: v }: Conversion): string[] {
  const [from, to] = p.short;
  return [`${v} ${from} in ${to}`, `${v}${from} to ${to}?`, `${v} ${from} = ? ${to}`, `how many ${to} in ${v} ${from}`,
    `${v} ${p.fromPlural} in ${p.toPlural}?`, `${v} ${p.fromPlural} to ${p.toPlural}`, `convert ${v} ${from} to ${to}`,
    `${v} ${p.fromPlural} = how many ${p.toPlural}`];
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
  shorthands,
  toolCall: (c) => ({ tool: 'calculator', argument: `${c.value} * ${c.pair.factor}` }),
};
