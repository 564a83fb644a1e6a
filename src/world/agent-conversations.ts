/**
 * Conversations of an agent that acts, in the exact format of the environments (src/world/environments):
 *
 * - `terminalConversation`: TERMINAL_SYSTEM_PROMPT, the task prompt (`sampleTerminalTask`), per command an
 *   assistant `run: <command line>` and a `tool` message with the sandbox's real output (the commands run in
 *   a fresh sandbox of the task), then the answer (`solveTerminalTask(task).answer`) in the world's reply
 *   styles. Some open with a mistaken command (a typo'd name: `exit 1` / `exit 2` and the error) that the
 *   next command recovers from; some look first (`ls`) or check the result (`ls notes`, `cat`). At most two
 *   commands (fewer than MAX_ACTIONS, so an episode that acts like this is never capped).
 * - `largeProductQuestion`: a product with one factor in 13–20, the tool-use environment's task, asked in the
 *   world's phrasings; its reply must copy the calculator's (often three-digit) result.
 */
import type { Message } from '../model/chat.ts';
import { pick, randomInt, type Rng } from '../model/rng.ts';
import { MAX_ACTIONS } from './environments/environment.ts';
import { PRODUCT_FACTORS } from './environments/tool-use.ts';
import { FileTree } from './environments/terminal/file-tree.ts';
import { runCommandLine } from './environments/terminal/shell.ts';
import { solveTerminalTask } from './environments/terminal/solutions.ts';
import { formatCommand, formatTerminalOutput, sampleTerminalTask, TERMINAL_SYSTEM_PROMPT, type TerminalTask } from './environments/terminal/terminal.ts';
import { splitOf, type Question, type Split } from './questions.ts';
import { randomStyles, renderReply } from './replies.ts';
import { ARITHMETIC, type Sum } from './topics/arithmetic.ts';
import type { AnswerForms } from './topics/topic.ts';

/** Share of terminal conversations that open with a mistaken command and recover. */
export const TERMINAL_RECOVERY_SHARE = 0.3;

/** Share of terminal conversations that list the directory before acting. */
export const TERMINAL_LOOK_SHARE = 0.15;

/** Share of the tree tasks' terminal conversations without a mistake or look that check the result before answering. */
export const TERMINAL_VERIFY_SHARE = 0.25;

/** A mistaken first command for the task: a typo'd name, a wrong file or directory. None changes the tree. */
export function mistakenCommand(task: TerminalTask, rng: Rng): string {
  switch (task.kind) {
    case 'count-errors':
      return pick(rng, ['grep -c error app.txt', 'grep -c error app.lg', 'grep -c error App.log', 'grep -c error logs/app.log',
        'wc -l app.txt', 'grep -c eror app.log', 'grep -c error', 'cat app.lgo']);
    case 'count-files':
      return pick(rng, ['ls log', 'ls Logs', 'ls lgos', 'ls logs.txt', 'wc -l logs']);
    case 'move-txt':
      return pick(rng, ['mv *.text notes/', 'mv *.txt note/', 'mv *.txt Notes/', 'mv *.tx notes/', 'ls note']);
    case 'write-file': {
      const [path, words] = task.expected.split(': ');
      return pick(rng, [`echo ${words} > notes/${path}`, `echo ${words} > docs/${path}`, `cat ${path}`, `ls ${path}`]);
    }
    default:
      throw new Error(`the corpus has no held-out terminal task (${task.kind})`);
  }
}

/** A command that checks a tree task's result. */
function verifyCommand(task: TerminalTask): string | null {
  if (task.kind === 'move-txt') return 'ls notes';
  if (task.kind === 'write-file') return `cat ${task.expected.split(': ')[0]}`;
  return null;
}

/** The first number of a count task's output (its answer). */
function countIn(answer: string): string {
  return /\d+/.exec(answer)?.[0] ?? '';
}

/**
 * The answer's wording: the solution's answer, other neutral and casual statements, one explanation. A
 * neutral statement needs a capital letter (else it reads as lowercase): a solution's answer without one
 * ("3 lines of app.log mention error.") is worded with the count last.
 */
export function terminalForms(task: TerminalTask, answer: string): AnswerForms {
  switch (task.kind) {
    case 'count-errors':
    case 'count-errors-in': {
      const n = countIn(answer);
      const log = Object.keys(task.files).find((path) => path.endsWith('.log'))!;
      const stated = /[A-Z]/.test(answer) ? answer : `Lines of ${log} that mention error: ${n}.`;
      return { statements: [stated, `The answer is ${n}.`, `I count ${n} in ${log}.`],
        casualStatements: [`It's ${n}.`, `That's ${n} in ${log}.`],
        explanations: ['That is what grep -c counts.', 'Each one has the word error.'] };
    }
    case 'count-files':
    case 'count-files-in': {
      const n = countIn(answer);
      const dir = task.dirs[0];
      return { statements: [answer, `The answer is ${n}.`, `The ${dir} folder holds ${n}.`],
        casualStatements: [`It's ${n}.`, `That's ${n} in ${dir}/.`],
        explanations: ['That is the listing, counted.', 'Each file is one line of it.'] };
    }
    case 'move-txt':
      return { statements: [answer, 'Every .txt file is in notes/ now.', 'The text files are now in notes/.'],
        casualStatements: ["It's done, the .txt files are in notes/.", "That's done, they're all in notes/."],
        explanations: ['The other files stayed put.', 'The glob matched each one.'] };
    case 'write-file': {
      const [path, words] = task.expected.split(': ');
      return { statements: [answer, `The file ${path} now says ${words}.`, `I wrote ${words} into ${path}.`],
        casualStatements: [`It's done, ${path} says ${words}.`, `That's done, ${path} is there.`],
        explanations: ['The echo wrote it.', 'Nothing else changed.'] };
    }
    default:
      throw new Error(`the corpus has no held-out terminal task (${task.kind})`);
  }
}

/** The sandbox's `tool` message for each command, run in order in one fresh sandbox of the task. */
export function runInFreshSandbox(task: TerminalTask, commands: readonly string[]): string[] {
  const tree = FileTree.of(task.files, task.dirs);
  return commands.map((line) => {
    const r = runCommandLine(line, tree);
    return formatTerminalOutput(r.code, r.stdout, r.stderr);
  });
}

/** The commands of one episode: maybe a mistake or a look first, the solution, maybe a check; the solution's index. */
function episodeCommands(task: TerminalTask, rng: Rng): { commands: string[]; solutionAt: number } {
  const before: string[] = [];
  if (rng() < TERMINAL_RECOVERY_SHARE) {
    const wrong = mistakenCommand(task, rng);
    const tree = FileTree.of(task.files, task.dirs);
    const start = JSON.stringify([tree.snapshot(), tree.directories()]);
    const r = runCommandLine(wrong, tree);
    // A mistake that changed the tree, or did not fail, is no mistake to recover from: leave it out.
    if (r.code !== 0 && JSON.stringify([tree.snapshot(), tree.directories()]) === start) before.push(wrong);
  } else if (rng() < TERMINAL_LOOK_SHARE) {
    before.push('ls');
  }
  const solution = solveTerminalTask(task).commands;
  const verify = verifyCommand(task);
  // A check only after a straight solution: three commands and their outputs rarely fit the conversation's tokens.
  const after = verify && before.length === 0 && rng() < TERMINAL_VERIFY_SHARE ? [verify] : [];
  const commands = [...before, ...solution, ...after].slice(0, MAX_ACTIONS - 1);
  return { commands, solutionAt: before.length };
}

/** A terminal episode solved as the environment runs it (see the file comment), the reply in random styles. */
export function terminalConversation(rng: Rng, styleRate: number): { task: TerminalTask; messages: Message[] } {
  const task = sampleTerminalTask(rng);
  const solution = solveTerminalTask(task);
  const { commands, solutionAt } = episodeCommands(task, rng);
  const outputs = runInFreshSandbox(task, commands);
  const answer = solution.answer(outputs.slice(solutionAt, solutionAt + solution.commands.length));
  const messages: Message[] = [{ role: 'system', content: TERMINAL_SYSTEM_PROMPT }, { role: 'user', content: task.prompt }];
  commands.forEach((line, i) => messages.push({ role: 'assistant', content: formatCommand(line) }, { role: 'tool', content: outputs[i] }));
  messages.push({ role: 'assistant', content: renderReply({ forms: terminalForms(task, answer) }, randomStyles(rng, styleRate), rng) });
  return { task, messages };
}

/**
 * A product with one factor in 13–20 and the other in 3–19 (the tool-use environment's products, either
 * order), asked in one of the world's phrasings of the split; answered with the calculator.
 */
export function largeProductQuestion(rng: Rng, split: Split): Question {
  for (;;) {
    const large = PRODUCT_FACTORS.large[0] + randomInt(rng, PRODUCT_FACTORS.large[1] - PRODUCT_FACTORS.large[0] + 1);
    const small = PRODUCT_FACTORS.small[0] + randomInt(rng, PRODUCT_FACTORS.small[1] - PRODUCT_FACTORS.small[0] + 1);
    const sum: Sum = rng() < 0.75 ? { op: 'x', a: large, b: small } : { op: 'x', a: small, b: large };
    const fact = `arithmetic:${ARITHMETIC.key(sum)}`;
    const phrasing = randomInt(rng, ARITHMETIC.phrasings(sum).length);
    const id = `${fact}:${phrasing}`;
    if (splitOf(id) !== split) continue;
    return {
      id, topic: 'arithmetic', text: ARITHMETIC.phrasings(sum)[phrasing], answer: ARITHMETIC.answer(sum), split,
      forms: ARITHMETIC.forms(sum), check: (reply) => ARITHMETIC.check(sum, reply), toolCall: ARITHMETIC.toolCall!(sum),
      shorthands: (ARITHMETIC.shorthands?.(sum) ?? []).filter((_, i) => splitOf(`${fact}:s${i}`) === split),
    };
  }
}
