/**
 * The world's tools and their text format, shared by the corpus and the tool-call environment.
 *
 * Format (one message each, chat roles of src/model/chat.ts):
 * - the conversation's system message announces the tools: `TOOLS_SYSTEM_PROMPT`; without it the policy
 *   answers directly;
 * - a tool call is an assistant message whose whole content is `call <tool>: <argument>`, e.g.
 *   `call calculator: 12 * 7` or `call lookup: capital of Peru`;
 * - the tool answers in the next message, role `tool`: `result: <value>` or `error: <reason>`;
 * - the assistant then answers the user in prose (in whatever styles apply).
 * Tools: `calculator` takes `<integer> <+|-|*|/> <integer>`; `lookup` takes `capital of <Country>`.
 */
import { CAPITALS } from './topics/capitals.ts';

export type ToolName = 'calculator' | 'lookup';

export interface ToolCall {
  tool: ToolName;
  argument: string;
}

export const TOOL_NAMES: readonly ToolName[] = ['calculator', 'lookup'];

export const TOOLS_SYSTEM_PROMPT = 'You can use tools: calculator, lookup.';

export function formatToolCall(call: ToolCall): string {
  return `call ${call.tool}: ${call.argument}`;
}

/** The call in an assistant message, or null when the message is not exactly a tool call. */
export function parseToolCall(text: string): ToolCall | null {
  const m = /^call (\w+): (.+)$/.exec(text.trim());
  if (!m || !(TOOL_NAMES as readonly string[]).includes(m[1])) return null;
  return { tool: m[1] as ToolName, argument: m[2].trim() };
}

function calculate(argument: string): string {
  const m = /^(-?\d+)\s*([-+*/x])\s*(-?\d+)$/.exec(argument.trim());
  if (!m) return 'error: the calculator takes two whole numbers and one of + - * /';
  const a = Number(m[1]);
  const b = Number(m[3]);
  switch (m[2]) {
    case '+': return `result: ${a + b}`;
    case '-': return `result: ${a - b}`;
    case '*':
    case 'x': return `result: ${a * b}`;
    default:
      if (b === 0) return 'error: division by zero';
      return `result: ${Number.isInteger(a / b) ? a / b : (a / b).toFixed(3)}`;
  }
}

function lookUp(argument: string): string {
  const m = /^capital of (.+)$/i.exec(argument.trim());
  if (!m) return 'error: lookup takes "capital of <country>"';
  const row = CAPITALS.find((r) => r.country.toLowerCase() === m[1].trim().toLowerCase());
  return row ? `result: ${row.capital}` : `error: no entry for ${m[1].trim()}`;
}

/** The tool's answer: the content of the `tool` message that follows the call. */
export function runTool(call: ToolCall): string {
  return call.tool === 'calculator' ? calculate(call.argument) : lookUp(call.argument);
}
