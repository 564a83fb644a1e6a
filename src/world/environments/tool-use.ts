/**
 * The tool-use environment: questions the policy cannot answer reliably on its own (products of numbers
 * outside the 2–12 table it learnt) or may answer through `lookup` (capitals), the world's tools as the
 * sandbox (src/world/tools.ts), and the world's answer checkers on the final answer.
 */
import { pick, randomInt, type Rng } from '../../model/rng.ts';
import { numbersIn, statementsOf } from '../text.ts';
import { CAPITALS, CAPITAL_FACTS } from '../topics/capitals.ts';
import { runTool, TOOL_NAMES, TOOLS_SYSTEM_PROMPT, parseToolCall } from '../tools.ts';
import type { Environment, EnvironmentTask, Episode, TaskSet } from './environment.ts';

/** A tool-use task: a product, a sum or a difference (held out only), or a capital. */
export interface ToolTask extends EnvironmentTask {
  environment: 'tool-use';
  kind: 'product' | 'sum' | 'difference' | 'capital';
  /** The two operands of an arithmetic task (`factors` of a product); empty for a capital. */
  factors: number[];
}

/** The factors of product tasks: one of them above the times table the policy learnt (2–12). */
export const PRODUCT_FACTORS = { large: [13, 20], small: [3, 19] } as const;

const PRODUCT_PHRASINGS = [(a: number, b: number) => `What is ${a} x ${b}?`, (a: number, b: number) => `What's ${a} times ${b}?`,
  (a: number, b: number) => `Can you multiply ${a} by ${b}?`, (a: number, b: number) => `Calculate ${a} * ${b}.`];
const CAPITAL_PHRASINGS = [(c: string) => `What is the capital of ${c}?`, (c: string) => `Which city is the capital of ${c}?`,
  (c: string) => `Tell me the capital of ${c}.`];

/** Share of product tasks; the rest ask for a capital. */
export const PRODUCT_SHARE = 0.7;

export function sampleToolTask(rng: Rng, set: TaskSet = 'corpus'): ToolTask {
  if (set === 'near') return sampleNearToolTask(rng);
  if (set === 'heldout') return sampleHeldOutToolTask(rng);
  if (rng() < PRODUCT_SHARE) {
    const a = PRODUCT_FACTORS.large[0] + randomInt(rng, PRODUCT_FACTORS.large[1] - PRODUCT_FACTORS.large[0] + 1);
    const b = PRODUCT_FACTORS.small[0] + randomInt(rng, PRODUCT_FACTORS.small[1] - PRODUCT_FACTORS.small[0] + 1);
    return { id: `product:${a}x${b}`, environment: 'tool-use', kind: 'product', factors: [a, b],
      prompt: pick(rng, PRODUCT_PHRASINGS)(a, b), expected: String(a * b), correction: `The answer is ${a * b}.` };
  }
  const row = pick(rng, CAPITALS);
  return { id: `capital:${row.country}`, environment: 'tool-use', kind: 'capital', factors: [], prompt: pick(rng, CAPITAL_PHRASINGS)(row.country),
    expected: row.capital, correction: `The answer is ${row.capital}.` };
}

/**
 * The held-out tasks (`TaskSet` 'heldout'), which the corpus never shows: products with both factors in 21–99
 * (a 3–4 digit result to copy), sums and differences of 3-digit numbers through the calculator, and capitals
 * asked in phrasings the corpus does not use.
 */
export const HELD_OUT_OPERANDS = { product: [21, 99], sumOrDifference: [100, 999] } as const;

const HELD_OUT_PRODUCT_PHRASINGS = [(a: number, b: number) => `Please work out ${a} multiplied by ${b}.`,
  (a: number, b: number) => `I need the product of ${a} and ${b}.`, (a: number, b: number) => `How much is ${a} times ${b}, exactly?`];
const HELD_OUT_SUM_PHRASINGS = [(a: number, b: number) => `Please add ${a} and ${b}.`, (a: number, b: number) => `What do ${a} and ${b} add up to?`,
  (a: number, b: number) => `I need the sum of ${a} and ${b}.`];
const HELD_OUT_DIFFERENCE_PHRASINGS = [(a: number, b: number) => `Please subtract ${b} from ${a}.`,
  (a: number, b: number) => `What is ${a} minus ${b}?`, (a: number, b: number) => `How much is left when you take ${b} away from ${a}?`];
const HELD_OUT_CAPITAL_PHRASINGS = [(c: string) => `Please look up the capital city of ${c}.`, (c: string) => `Where is the seat of government of ${c}?`,
  (c: string) => `I need to know the capital of ${c}, can you check?`];

/** A whole number in [lo, hi]. */
export function between(rng: Rng, [lo, hi]: readonly [number, number]): number {
  return lo + randomInt(rng, hi - lo + 1);
}

/** The tool-use task asking `prompt` for a sum, difference or product of a and b, with its expected result. */
export function arithmeticTask(kind: 'product' | 'sum' | 'difference', a: number, b: number, prompt: string): ToolTask {
  const value = toolTaskResult({ kind, factors: [a, b] });
  return { id: `${kind}:${a},${b}`, environment: 'tool-use', kind, factors: [a, b], prompt, expected: String(value), correction: `The answer is ${value}.` };
}

export function sampleHeldOutToolTask(rng: Rng): ToolTask {
  const r = rng();
  if (r < 0.3) {
    const [a, b] = [between(rng, HELD_OUT_OPERANDS.product), between(rng, HELD_OUT_OPERANDS.product)];
    return arithmeticTask('product', a, b, pick(rng, HELD_OUT_PRODUCT_PHRASINGS)(a, b));
  }
  if (r < 0.5) {
    const [a, b] = [between(rng, HELD_OUT_OPERANDS.sumOrDifference), between(rng, HELD_OUT_OPERANDS.sumOrDifference)];
    return arithmeticTask('sum', a, b, pick(rng, HELD_OUT_SUM_PHRASINGS)(a, b));
  }
  if (r < 0.7) {
    const x = between(rng, HELD_OUT_OPERANDS.sumOrDifference);
    const y = between(rng, HELD_OUT_OPERANDS.sumOrDifference);
    const [a, b] = x === y ? [x, x - 1] : [Math.max(x, y), Math.min(x, y)];
    return arithmeticTask('difference', a, b, pick(rng, HELD_OUT_DIFFERENCE_PHRASINGS)(a, b));
  }
  const row = pick(rng, CAPITALS);
  return { id: `capital:${row.country}`, environment: 'tool-use', kind: 'capital', factors: [], prompt: pick(rng, HELD_OUT_CAPITAL_PHRASINGS)(row.country),
    expected: row.capital, correction: `The answer is ${row.capital}.` };
}

/**
 * The near held-out tasks (`TaskSet` 'near', bench:env's default): sums and differences of numbers in 2–20 and
 * products within the corpus's factors (2–12 × 2–12, or one factor in 13–20), asked in phrasings the corpus never
 * uses (`NEAR_PHRASINGS`). Probed on the world-6 checkpoint without updates (20 episodes a kind): the policy calls
 * the calculator and solves about half of them (sums 9/20, differences 10/20, small products 14/20, large ones
 * 11/20); the others fail on an operator the phrasing did not ask for (`call calculator: 10 - 5` for "the sum of
 * 10 and 5") or a dropped digit (`9 * 1` for 9 × 11): within reach, unlike the 'heldout' set's 3-digit numbers.
 */
export const NEAR_OPERANDS = { sumOrDifference: [2, 20], product: [2, 12] } as const;

const NEAR_PHRASINGS = {
  sum: [...HELD_OUT_SUM_PHRASINGS, (a: number, b: number) => `Work out the total of ${a} and ${b}.`],
  difference: [(a: number, b: number) => `Please subtract ${b} from ${a}.`, (a: number, b: number) => `How much is left when you take ${b} away from ${a}?`,
    (a: number, b: number) => `What remains if ${b} is taken from ${a}?`],
  product: HELD_OUT_PRODUCT_PHRASINGS,
} as const;

export function sampleNearToolTask(rng: Rng): ToolTask {
  const kind = pick(rng, ['sum', 'difference', 'product'] as const);
  if (kind === 'product') {
    const [a, b] = rng() < 0.5
      ? [between(rng, NEAR_OPERANDS.product), between(rng, NEAR_OPERANDS.product)]
      : [between(rng, PRODUCT_FACTORS.large), between(rng, PRODUCT_FACTORS.small)];
    return arithmeticTask('product', a, b, pick(rng, NEAR_PHRASINGS.product)(a, b));
  }
  const x = between(rng, NEAR_OPERANDS.sumOrDifference);
  const y = between(rng, NEAR_OPERANDS.sumOrDifference);
  const [a, b] = kind === 'sum' ? [x, y] : x === y ? [x, x - 1] : [Math.max(x, y), Math.min(x, y)];
  return arithmeticTask(kind, a, b, pick(rng, NEAR_PHRASINGS[kind])(a, b));
}

/** The value an arithmetic task asks for. */
export function toolTaskResult(task: Pick<ToolTask, 'kind' | 'factors'>): number {
  const [a, b] = task.factors;
  return task.kind === 'sum' ? a + b : task.kind === 'difference' ? a - b : a * b;
}

/**
 * The final answer is right: for arithmetic, the first statement holding a number ends on the result and
 * no number but the operands and the result appears; for a capital, the world's capital checker.
 */
export function checkToolAnswer(task: ToolTask, answer: string): boolean {
  if (parseToolCall(answer) || /^call \S+:/.test(answer.trim())) return false;
  if (task.kind === 'capital') {
    const row = CAPITALS.find((r) => r.capital === task.expected);
    return !!row && CAPITAL_FACTS.check(row, answer);
  }
  const [a, b] = task.factors;
  const result = toolTaskResult(task);
  if (!numbersIn(answer).every((n) => n === a || n === b || n === result)) return false;
  const first = statementsOf(answer).map(numbersIn).find((ns) => ns.length > 0);
  return first !== undefined && first[first.length - 1] === result;
}

/**
 * The next state of a reply in tool use: a call to a known tool gets the tool's answer (its `error: …` for a
 * malformed argument), a call to an unknown tool gets an error naming the tools, anything else is the answer.
 */
export function toolStep(reply: string): { nextState: string } | null {
  const call = parseToolCall(reply);
  if (call) return { nextState: runTool(call) };
  const named = /^call ([^:\s]*):?/.exec(reply.trim());
  if (named) return { nextState: `error: no tool named "${named[1]}"; the tools are ${TOOL_NAMES.join(', ')}` };
  return null;
}

export const TOOL_USE: Environment = {
  id: 'tool-use',
  label: 'Tool use',
  systemPrompt: TOOLS_SYSTEM_PROMPT,
  sessionKind: 'tool-call',
  sampleTask: sampleToolTask,
  start(task: EnvironmentTask): Episode {
    return { step: toolStep, check: (answer) => checkToolAnswer(task as ToolTask, answer) };
  },
};
