/**
 * Reading an action against its task (METHOD §2: an environment's step judge also sees the task and the recent
 * history). A tool call or a command can run without error and still do the wrong thing: a calculator call on
 * numbers the task never stated (`call calculator: 9 - 5` for 97 × 56), an operation the task did not ask for,
 * a command on a file or word the task never named (`grep -c error app.log` for server.log). Such a step is
 * judged -1, with a hint that names what the task states; so is an action repeated right after it ran (its output
 * is already there: no progress).
 *
 * Grounded means: each name or word a command acts on appears in the task (the user's last message) or in the
 * recent outputs (less their error lines; the agent's own earlier actions do not count); a call uses every
 * number the task gives unless its own numbers are all stated there too. Actions in other formats are not read
 * here (null): the tool's output alone decides.
 */
import type { Message } from '../../../model/chat.ts';
import { quote, type NextStateReading } from './reading.ts';

const CALL = /^call (\w+): (.+)$/;
const RUN = /^run: ?(.+)$/;

/** The operation each kind of words asks for, and the calculator's signs for it. */
const OPERATIONS: { name: string; words: RegExp; signs: string[] }[] = [
  { name: 'a product', words: /\b(?:times|multipl\w*|products?)\b|\d\s*[*x×]\s*\d/i, signs: ['*', 'x'] },
  { name: 'a sum', words: /\b(?:plus|add\w*|sums?|total)\b|\d\s*\+\s*\d/i, signs: ['+'] },
  { name: 'a difference', words: /\b(?:minus|subtract\w*|differences?|remains?|left|tak(?:e|en) (?:\d+ )?(?:away )?from|away from)\b|\d\s*-\s*\d/i, signs: ['-'] },
  { name: 'a quotient', words: /\b(?:divided|divide|quotient)\b|\d\s*[/÷]\s*\d/i, signs: ['/'] },
];

/** Messages of the recent history read, and numbers or words of one text compared: bounds that keep a hostile turn cheap. */
const RECENT = 8;
const MAX_ITEMS = 64;

const numbersOf = (text: string): string[] => (text.match(/\d+/g) ?? []).slice(0, MAX_ITEMS);

/** The items of `all` left after taking away one of each item of `taken` (a multiset difference: 14 × 14 needs two 14s). */
function without(all: readonly string[], taken: readonly string[]): string[] {
  const left = [...all];
  for (const x of taken) {
    const at = left.indexOf(x);
    if (at >= 0) left.splice(at, 1);
  }
  return left;
}

/** A word of `text` as a whole token (not inside a longer name or number). */
function mentions(text: string, word: string): boolean {
  let from = 0;
  for (let at = text.indexOf(word, from); at >= 0; at = text.indexOf(word, from)) {
    const before = text[at - 1] ?? ' ';
    const after = text[at + word.length] ?? ' ';
    if (!/[\w.]/.test(before) && !/\w/.test(after)) return true;
    from = at + 1;
  }
  return false;
}

/** A line of output that reports a failure (it names what was missing; it does not show it). */
const ERROR_LINE = /^error\b|\b(?:no such file|cannot|can't|not found|no entry|permission denied)\b/i;

/** The task (the user's last message) and what the step could see before acting: the task and the recent outputs. */
function sources(context: readonly Message[]): { task: string; seen: string } {
  const task = [...context].reverse().find((m) => m.role === 'user')?.content ?? '';
  // The outputs the steps got, less their error lines: "ls: cannot access 'logs'" does not ground a retry on logs.
  const outputs = context.slice(-RECENT).filter((m) => m.role === 'tool').map((m) => m.content.split('\n').filter((line) => !ERROR_LINE.test(line)).join('\n'));
  const seen = [task, ...outputs].join('\n');
  return { task, seen };
}

function ungrounded(step: string, what: string, task: string, advice: string): NextStateReading {
  return {
    score: -1,
    because: `The step ${quote(step)} acts on ${what}, which the task does not state.`,
    hint: `The step ${quote(step)} used ${what}, but the task is ${quote(task)}. ${advice}`,
  };
}

function readCall(step: string, tool: string, argument: string, context: readonly Message[]): NextStateReading | null {
  const { task, seen } = sources(context);
  if (task === '') return null;
  // A number of its own is fine where the call also uses every number the task gives (60 to turn 11 hours into
  // minutes); it is not where it stands in for one (`9 - 5` for 97 × 56).
  const seenNumbers = new Set(numbersOf(seen));
  const foreign = numbersOf(argument).filter((n) => !seenNumbers.has(n));
  const used = [...numbersOf(argument), ...numbersOf(context.slice(-RECENT).filter((m) => m.role === 'assistant').map((m) => m.content).join('\n'))];
  const missed = without(numbersOf(task), used);
  const sign = /^\s*-?\d+\s*([-+*/x])\s*-?\d+\s*$/.exec(argument)?.[1];
  const asked = OPERATIONS.filter((o) => o.words.test(task));
  const operation = asked.length === 1 ? asked[0] : null;
  const right = operation ? rightCall(tool, task, operation) : null;
  if (foreign.length > 0 && missed.length > 0) {
    const advice = right ? `The call the task asks for is: ${right}` : `Call ${tool} with the numbers the task gives (${numbersOf(task).join(', ') || 'none'}).`;
    return ungrounded(step, foreign.join(' and '), task, advice);
  }
  if (sign && operation && !operation.signs.includes(sign)) {
    return {
      score: -1,
      because: `The task asks for ${operation.name}, and the step ${quote(step)} computes something else.`,
      hint: `The task ${quote(task)} asks for ${operation.name}; the step ${quote(step)} used ${sign}. ${right ? `The call the task asks for is: ${right}` : `Call ${tool} with ${operation.signs[0]}.`}`,
    };
  }
  return null;
}

/**
 * The call a task with two numbers and one operation asks for, written out (a hint the teacher can follow token
 * by token): the numbers in the task's order, but the larger first for "take 3 from 10"; null otherwise.
 */
function rightCall(tool: string, task: string, operation: (typeof OPERATIONS)[number]): string | null {
  const numbers = numbersOf(task);
  if (numbers.length !== 2) return null;
  const [a, b] = operation.signs[0] === '-' && /\bfrom\b/i.test(task) ? [numbers[1], numbers[0]] : numbers;
  return `call ${tool}: ${a} ${operation.signs[0]} ${b}`;
}

/** The words a command line acts on: its arguments, without options, numbers and the program names. */
function commandArguments(line: string): string[] {
  const words: string[] = [];
  for (const segment of line.split(/\|/)) {
    const tokens = segment.replace(/>>?/g, ' ').match(/'[^']*'|"[^"]*"|\S+/g) ?? [];
    for (const token of tokens.slice(1)) {
      const word = token.replace(/^['"]|['"]$/g, '');
      if (word === '' || word.startsWith('-') || /^\d+$/.test(word)) continue;
      // A glob or a path is grounded by its literal parts: `*.txt` by ".txt", `notes/` by "notes".
      words.push(...word.split(/[*?]+/).map((part) => part.replace(/\/+$/, '')).filter((part) => part.length >= 2));
    }
  }
  return words.slice(0, MAX_ITEMS);
}

function readCommand(step: string, line: string, context: readonly Message[]): NextStateReading | null {
  const { task, seen } = sources(context);
  if (task === '') return null;
  const foreign = [...new Set(commandArguments(line).filter((word) => !mentions(seen, word)))];
  if (foreign.length === 0) return null;
  let fixed = line;
  for (const word of foreign) {
    const name = taskNameLike(task, word);
    if (name) fixed = fixed.split(word).join(name);
  }
  const advice = fixed !== line && commandArguments(fixed).every((word) => mentions(seen, word))
    ? `The command the task asks for is: run: ${fixed}` : 'Use the names and words the task gives, or list the directory first.';
  return ungrounded(step, foreign.map((w) => `"${w}"`).join(' and '), task, advice);
}

/** The task's name of the same kind as `word`: a file with the same extension (server.log for app.log), or a directory (data/ for logs). */
function taskNameLike(task: string, word: string): string | null {
  const names = (task.match(/[\w.-]+\/?/g) ?? []).map((w) => w.replace(/\.$/, ''));
  const extension = /\.\w+$/.exec(word)?.[0];
  const found = extension
    ? names.find((n) => n.endsWith(extension) && n !== word && n !== extension)
    : names.find((n) => n.endsWith('/') && n.length > 1);
  return found ? found.replace(/\/$/, '') : null;
}

/** The action a hint of this reading writes out ("The call the task asks for is: …"), or null when it writes none. */
export function writtenAction(hint: string): string | null {
  return /asks for is: (.+)$/.exec(hint)?.[1] ?? null;
}

/** `readAction(step, context)`: a -1 reading when the action is not grounded in its task and history, else null. */
export function readAction(step: string, context: readonly Message[]): NextStateReading | null {
  const text = step.trim();
  // The same action again, right after it ran: its output is already there, so it cannot make progress (an agent
  // that runs `ls` four times never answers, yet each `ls` exits 0).
  const previous = [...context].reverse().find((m) => m.role === 'assistant');
  const previousOutput = context.at(-1)?.role === 'tool' ? context.at(-1)!.content : null;
  if (previous && previousOutput !== null && previous.content.trim() === text && (CALL.test(text) || RUN.test(text))) {
    return {
      score: -1,
      because: `The step ${quote(text)} repeats the action just before it, whose output is already there.`,
      hint: `The step ${quote(text)} had just run and its output ${quote(previousOutput)} was there; running it again changes nothing. Act on that output, or answer the user.`,
    };
  }
  const call = CALL.exec(text);
  if (call) return readCall(text, call[1], call[2], context);
  const run = RUN.exec(text);
  if (run && !run[1].includes('\n')) return readCommand(text, run[1].trim(), context);
  return null;
}
