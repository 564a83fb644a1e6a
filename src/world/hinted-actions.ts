/**
 * The corpus kind `hinted-action` (world-7): an environment episode whose task carries the step judge's hint about
 * a wrong action (METHOD §3: the teacher's context is the turn's messages with `HINT_PREFIX + hint` appended to the
 * last user message, here the task), followed by the right action. Up to world-6 every hinted conversation of the
 * corpus was chat, so under a hint the teacher answered in prose: on a wrong calculator call it scored `call` 5–13
 * lower than the student and `run` 34 lower (issue 15), and on-policy distillation pushed every failing action
 * toward prose instead of toward the action the hint names.
 *
 * The wrong action is one the loop meets, and the hint is the built-in step judge's own (`readNextState` on the
 * wrong action, its real output and the context before it), so the corpus teaches following the hints the judge
 * writes:
 * - terminal, a count task on another name (`renamedStem`: a word or random letters, never a near task's name): the
 *   corpus's command on app.log or logs/ ("The command the task asks for is: run: grep -c error mail.log");
 * - terminal, a corpus task: one of its mistaken commands (a typo'd name);
 * - tool use: the calculator call with another operator, one number changed, or in words (the tool's error);
 * - either: at the answer, the last action again (the judge's repeat rule: act on its output, or answer).
 * The right action follows the hinted context, then the rest of the episode as the environment runs it while it
 * fits the policy's context (the teacher scores one step: the step itself is what must be learnt). A draw whose
 * wrong action the judge does not read as -1 with a hint, or whose hint writes out another action than the
 * episode's right one (`ls notes` for a move task), gives null, and the corpus draws again.
 */
import { HINT_PREFIX, type Message } from '../model/chat.ts';
import { pick, randomInt, type Rng } from '../model/rng.ts';
import { defaultTokenizer } from '../model/tokenizer.ts';
import { readNextState } from '../rl/judge/builtin/judge.ts';
import { writtenAction } from '../rl/judge/builtin/action-reading.ts';
import type { JudgeKind } from '../rl/judge/types.ts';
import { mistakenCommand, runInFreshSandbox, terminalForms, largeProductQuestion } from './agent-conversations.ts';
import { solveTerminalTask } from './environments/terminal/solutions.ts';
import { formatCommand, sampleRenamedTerminalTask, sampleTerminalTask, TERMINAL_SYSTEM_PROMPT, type TerminalTask } from './environments/terminal/terminal.ts';
import { sampleQuestion, type Question, type Split } from './questions.ts';
import { randomStyles, renderReply } from './replies.ts';
import { formatToolCall, runTool, TOOLS_SYSTEM_PROMPT } from './tools.ts';

/** Share of hinted-action conversations in the terminal (the rest: tool use). */
export const HINTED_TERMINAL_SHARE = 0.5;

/** Share of terminal draws on another name (`sampleRenamedTerminalTask`): the hint there names the command to copy. */
export const RENAMED_TASK_SHARE = 0.6;

/** Share of draws whose wrong action is the last action repeated at the answer step. */
export const REPEAT_SHARE = 0.2;

/** An episode as the environment runs it, and the index of the message the hint is about (an assistant message). */
interface Episode {
  messages: Message[];
  kind: JudgeKind;
  /** The hinted step's index in `messages`, its wrong action, and that action's real next state. */
  at: number;
  wrong: string;
  wrongOutput: string;
}

/** The corpus's own command where a renamed task names another log file or directory: the corpus task's solution. */
function corpusCommand(task: TerminalTask): string {
  return solveTerminalTask({ ...task, kind: task.kind === 'count-errors-in' ? 'count-errors' : 'count-files' }).commands[0];
}

function terminalEpisode(rng: Rng, styleRate: number): Episode {
  const renamed = rng() < RENAMED_TASK_SHARE;
  const task = renamed ? sampleRenamedTerminalTask(rng) : sampleTerminalTask(rng);
  const solution = solveTerminalTask(task);
  const outputs = runInFreshSandbox(task, solution.commands);
  const messages: Message[] = [{ role: 'system', content: TERMINAL_SYSTEM_PROMPT }, { role: 'user', content: task.prompt }];
  solution.commands.forEach((line, i) => messages.push({ role: 'assistant', content: formatCommand(line) }, { role: 'tool', content: outputs[i] }));
  messages.push({ role: 'assistant', content: renderReply({ forms: terminalForms(task, solution.answer(outputs)) }, randomStyles(rng, styleRate), rng) });
  if (rng() < REPEAT_SHARE) {
    const last = solution.commands.at(-1)!;
    return { messages, kind: 'terminal', at: messages.length - 1, wrong: formatCommand(last), wrongOutput: runInFreshSandbox(task, [...solution.commands, last]).at(-1)! };
  }
  const wrong = renamed ? corpusCommand(task) : mistakenCommand(task, rng);
  return { messages, kind: 'terminal', at: 2, wrong: formatCommand(wrong), wrongOutput: runInFreshSandbox(task, [wrong])[0] };
}

/** A world question the calculator answers (arithmetic, units), or a large product as the tool-use environment asks. */
function calculatorQuestion(rng: Rng, split: Split): Question {
  if (rng() < 0.4) return largeProductQuestion(rng, split);
  for (;;) {
    const q = sampleQuestion(rng, split);
    if (q.toolCall?.tool === 'calculator') return q;
  }
}

/** A wrong calculator argument for `argument` ("a op b"): another operator, one number changed, or the operation in words. */
function wrongArgument(argument: string, rng: Rng): string {
  const m = /^(-?\d+) ([-+*/]) (-?\d+)$/.exec(argument);
  if (!m) return `${argument} please`;
  const [, a, op, b] = m;
  const r = rng();
  if (r < 0.45) return `${a} ${pick(rng, ['+', '-', '*', '/'].filter((o) => o !== op))} ${b}`;
  if (r < 0.85) {
    const other = String(2 + randomInt(rng, 19));
    return rng() < 0.5 ? `${other} ${op} ${b}` : `${a} ${op} ${other}`;
  }
  return `${a} ${{ '+': 'plus', '-': 'minus', '*': 'times', '/': 'over' }[op]} ${b}`;
}

function toolEpisode(rng: Rng, split: Split, styleRate: number): Episode {
  const q = calculatorQuestion(rng, split);
  const call = formatToolCall(q.toolCall!);
  const result = runTool(q.toolCall!);
  const messages: Message[] = [{ role: 'system', content: TOOLS_SYSTEM_PROMPT }, { role: 'user', content: q.text }, { role: 'assistant', content: call },
    { role: 'tool', content: result }, { role: 'assistant', content: renderReply(q, randomStyles(rng, styleRate), rng) }];
  if (rng() < REPEAT_SHARE) return { messages, kind: 'tool-call', at: 4, wrong: call, wrongOutput: result };
  const wrong = { tool: 'calculator' as const, argument: wrongArgument(q.toolCall!.argument, rng) };
  return { messages, kind: 'tool-call', at: 2, wrong: formatToolCall(wrong), wrongOutput: runTool(wrong) };
}

/**
 * A hinted-action conversation (see the file comment): the episode's messages up to the hinted step with the
 * judge's hint appended to the task, the right action, then the episode's next messages while the whole encodes
 * to at most `maxTokens` tokens; null when the judge reads the wrong action as anything but -1 with a hint, or when the
 * hinted context and its right action alone do not fit.
 */
export function hintedActionConversation(rng: Rng, split: Split, styleRate: number, maxTokens: number): Message[] | null {
  const fits = (m: readonly Message[]) => defaultTokenizer().encodeConversation(m).ids.length <= maxTokens;
  const episode = rng() < HINTED_TERMINAL_SHARE ? terminalEpisode(rng, styleRate) : toolEpisode(rng, split, styleRate);
  const { messages, at } = episode;
  const reading = readNextState(episode.wrong, { role: 'tool', content: episode.wrongOutput }, episode.kind, messages.slice(0, at));
  if (reading.score !== -1 || !reading.hint) return null;
  // A hint that writes out an action teaches copying it: drop a draw where the episode's right action is another.
  const named = writtenAction(reading.hint);
  if (named !== null && named !== messages[at].content) return null;
  const task = messages.findIndex((m) => m.role === 'user');
  const hinted = messages.map((m, i) => (i === task ? { ...m, content: m.content + HINT_PREFIX + reading.hint } : { ...m }));
  let kept = hinted.slice(0, at + 1);
  if (!fits(kept)) return null;
  for (const next of hinted.slice(at + 1)) {
    if (!fits([...kept, next])) break;
    kept = [...kept, next];
  }
  // A conversation that stops after a tool's output would teach nothing after it: end on an assistant message.
  while (kept.at(-1)!.role !== 'assistant') kept = kept.slice(0, -1);
  return kept;
}
