/**
 * The tool-use environment: questions the policy cannot answer reliably on its own (products of numbers
 * outside the 2–12 table it learnt) or may answer through `lookup` (capitals), the world's tools as the
 * sandbox (src/world/tools.ts), and the world's answer checkers on the final answer.
 */
import { pick, randomInt, type Rng } from '../../model/rng.ts';
import { numbersIn, statementsOf } from '../text.ts';
import { CAPITALS, CAPITAL_FACTS } from '../topics/capitals.ts';
import { runTool, TOOL_NAMES, TOOLS_SYSTEM_PROMPT, parseToolCall } from '../tools.ts';
import type { Environment, EnvironmentTask, Episode } from './environment.ts';

/** A tool-use task: a product or a capital. */
export interface ToolTask extends EnvironmentTask {
  environment: 'tool-use';
  kind: 'product' | 'capital';
  /** The two factors of a product task; empty for a capital. */
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

export function sampleToolTask(rng: Rng): ToolTask {
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
 * The final answer is right: for a product, the first statement holding a number ends on the product and
 * no number but the factors and the product appears; for a capital, the world's capital checker.
 */
export function checkToolAnswer(task: ToolTask, answer: string): boolean {
  if (parseToolCall(answer) || /^call \S+:/.test(answer.trim())) return false;
  if (task.kind === 'capital') {
    const row = CAPITALS.find((r) => r.capital === task.expected);
    return !!row && CAPITAL_FACTS.check(row, answer);
  }
  const [a, b] = task.factors;
  const product = a * b;
  if (!numbersIn(answer).every((n) => n === a || n === b || n === product)) return false;
  const first = statementsOf(answer).map(numbersIn).find((ns) => ns.length > 0);
  return first !== undefined && first[first.length - 1] === product;
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
