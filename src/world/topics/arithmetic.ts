/** Arithmetic on small numbers: a + b, a - b (positive result), a × b. */
import { pick, type Rng } from '../../model/rng.ts';
import { numbersIn, statementsOf } from '../text.ts';
import type { AnswerForms, TopicTable } from './topic.ts';

export type Operation = '+' | '-' | 'x';

export interface Sum {
  op: Operation;
  a: number;
  b: number;
}

function resultOf({ op, a, b }: Sum): number {
  return op === '+' ? a + b : op === '-' ? a - b : a * b;
}

function range(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

const sums: Record<Operation, Sum[]> = {
  '+': range(1, 20).flatMap((a) => range(1, 20).map((b) => ({ op: '+' as const, a, b }))),
  '-': range(2, 20).flatMap((a) => range(1, a - 1).map((b) => ({ op: '-' as const, a, b }))),
  x: range(2, 12).flatMap((a) => range(2, 12).map((b) => ({ op: 'x' as const, a, b }))),
};

const WORD: Record<Operation, string> = { '+': 'plus', '-': 'minus', x: 'times' };
const NOUN: Record<Operation, string> = { '+': 'sum', '-': 'difference', x: 'product' };

function phrasings({ op, a, b }: Sum): string[] {
  if (op === '+') {
    return [`What is ${a} + ${b}?`, `What's ${a} plus ${b}?`, `How much is ${a} plus ${b}?`, `Can you add ${a} and ${b}?`,
      `Add ${a} and ${b}, please.`, `${a} + ${b} = ?`, `Quick one: ${a} plus ${b}?`, `What do you get if you add ${a} and ${b}?`,
      `Please work out ${a} + ${b}.`, `Calculate ${a} + ${b}.`];
  }
  if (op === '-') {
    return [`What is ${a} - ${b}?`, `What's ${a} minus ${b}?`, `How much is ${a} minus ${b}?`, `Can you subtract ${b} from ${a}?`,
      `Take ${b} away from ${a}, please.`, `${a} - ${b} = ?`, `Quick one: ${a} minus ${b}?`,
      `What do you get if you take ${b} from ${a}?`, `Please work out ${a} - ${b}.`, `Calculate ${a} - ${b}.`];
  }
  return [`What is ${a} x ${b}?`, `What's ${a} times ${b}?`, `How much is ${a} times ${b}?`, `Can you multiply ${a} by ${b}?`,
    `Multiply ${a} by ${b}, please.`, `${a} * ${b} = ?`, `Quick one: ${a} times ${b}?`, `What do you get if you multiply ${a} by ${b}?`,
    `Please work out ${a} x ${b}.`, `Calculate ${a} * ${b}.`];
}

function shorthands({ op, a, b }: Sum): string[] {
  const word = WORD[op];
  const signs = op === 'x' ? ['*', 'x', 'X'] : [op];
  return [...signs.flatMap((o) => [`${a}${o}${b}?`, `${a}${o}${b}=?`, `${a} ${o} ${b}`, `${a}${o}${b}`, `whats ${a}${o}${b}`]),
    `${a} ${word} ${b}?`, `${a} ${word} ${b} equals?`, `what does ${a} ${word} ${b} make`];
}

const EXPLANATIONS: Record<Operation, string[]> = {
  '+': ['Adding the two numbers gives the total.', 'That is the sum of the two numbers.',
    'You can count on from the larger number to check.'],
  '-': ['That is the difference between the two numbers.', 'Taking the smaller number away leaves that much.',
    'You can add it back to check.'],
  x: ['That is the product of the two numbers.', 'Multiplication is repeated addition.',
    'You can check it with the times table.'],
};

function forms(s: Sum): AnswerForms {
  const c = resultOf(s);
  return {
    statements: [`The answer is ${c}.`, `The result is ${c}.`, `It comes to ${c}.`, `That makes ${c}.`,
      `The ${NOUN[s.op]} of ${s.a} and ${s.b} is ${c}.`, `Working it out, ${s.a} ${WORD[s.op]} ${s.b} is ${c}.`],
    casualStatements: [`That's ${c}.`, `It's ${c}.`, `That'd be ${c}.`, `You'd get ${c}.`],
    explanations: EXPLANATIONS[s.op],
  };
}

/**
 * Right when the first statement that holds a number ends on the result, and no number other than the
 * operands and the result appears anywhere.
 */
function check(s: Sum, reply: string): boolean {
  const c = resultOf(s);
  const allowed = new Set([s.a, s.b, c]);
  if (!numbersIn(reply).every((n) => allowed.has(n))) return false;
  const first = statementsOf(reply).map(numbersIn).find((ns) => ns.length > 0);
  return first !== undefined && first[first.length - 1] === c;
}

export const ARITHMETIC: TopicTable<Sum> = {
  topic: 'arithmetic',
  items: [...sums['+'], ...sums['-'], ...sums.x],
  key: (s) => `${s.a}${s.op}${s.b}`,
  phrasings,
  answer: (s) => String(resultOf(s)),
  forms,
  check,
  toolCall: (s) => ({ tool: 'calculator', argument: `${s.a} ${s.op === 'x' ? '*' : s.op} ${s.b}` }),
  shorthands,
  sampleItem: (rng: Rng) => pick(rng, sums[pick(rng, ['+', '-', 'x'] as const)]),
};
