/**
 * The terminal environment: the agent drives a sandboxed shell (shell.ts on a fresh FileTree per episode).
 *
 * Format (the spec the corpus will teach; chat roles of src/model/chat.ts):
 * - the system message announces the terminal: `TERMINAL_SYSTEM_PROMPT`;
 * - a command is an assistant message whose whole content is one line `run: <command line>`, e.g.
 *   `run: grep -c error app.log` or `run: mv *.txt notes/`;
 * - the terminal answers in the next message, role `tool`: `exit <status>`, then, when the command printed
 *   anything, a newline and its output (stdout, then stderr) without the final newline: `exit 0\n3`,
 *   `exit 1\ncat: app.txt: No such file or directory`;
 * - the assistant then answers the user in prose (or runs another command).
 */
import { pick, randomInt, type Rng } from '../../../model/rng.ts';
import { numbersIn } from '../../text.ts';
import type { Environment, EnvironmentTask, Episode } from '../environment.ts';
import { FileTree } from './file-tree.ts';
import { runCommandLine } from './shell.ts';

export const TERMINAL_SYSTEM_PROMPT = 'You can run commands: ls, cat, head, wc -l, grep, echo, mkdir, touch, mv, rm.';

export function formatCommand(commandLine: string): string {
  return `run: ${commandLine}`;
}

/** The command line in an assistant message, or null when the message is not exactly one `run:` line. */
export function parseCommand(text: string): string | null {
  const m = /^run: ?(.+)$/.exec(text.trim());
  return m && !m[1].includes('\n') ? m[1].trim() : null;
}

/** The `tool` message for a command's result: `exit <status>` and its output. */
export function formatTerminalOutput(code: number, stdout: string, stderr: string): string {
  const output = (stdout + stderr).replace(/\n$/, '');
  return output === '' ? `exit ${code}` : `exit ${code}\n${output}`;
}

export type TerminalTaskKind = 'count-errors' | 'count-files' | 'move-txt' | 'write-file';

export interface TerminalTask extends EnvironmentTask {
  environment: 'terminal';
  kind: TerminalTaskKind;
  /** The episode's starting tree, path → content. */
  files: Record<string, string>;
  dirs: string[];
}

const LOG_WORDS = ['started worker', 'request served', 'cache warmed', 'user logged in', 'backup done', 'config loaded'];
const ERROR_WORDS = ['error: disk full', 'error: timeout on db', 'error: bad request', 'worker error: crashed'];
const NAMES = ['alpha', 'beta', 'gamma', 'delta', 'todo', 'ideas', 'draft', 'plan'];

function logFile(rng: Rng): { text: string; errors: number } {
  const n = 4 + randomInt(rng, 7);
  let errors = 0;
  // At least one error line: `grep -c` on none exits 1, and the step judge would count the right command as failed.
  const forced = randomInt(rng, n);
  const lines = Array.from({ length: n }, (_, i) => {
    const bad = i === forced || rng() < 0.3;
    if (bad) errors++;
    return `${String(i + 1).padStart(2, '0')}:00 ${bad ? pick(rng, ERROR_WORDS) : pick(rng, LOG_WORDS)}`;
  });
  return { text: `${lines.join('\n')}\n`, errors };
}

function distinctNames(rng: Rng, n: number): string[] {
  const pool = [...NAMES];
  return Array.from({ length: n }, () => pool.splice(randomInt(rng, pool.length), 1)[0]);
}

/** A random terminal task with its starting tree. */
export function sampleTerminalTask(rng: Rng): TerminalTask {
  const kind = pick(rng, ['count-errors', 'count-files', 'move-txt', 'write-file'] as const);
  const base = { environment: 'terminal' as const, kind };
  if (kind === 'count-errors') {
    const log = logFile(rng);
    return { ...base, id: `count-errors:${log.errors}`, prompt: 'How many lines mention error in app.log?', expected: String(log.errors),
      correction: `The answer is ${log.errors} (run: grep -c error app.log).`, files: { 'app.log': log.text, 'README.md': 'service notes\n' }, dirs: [] };
  }
  if (kind === 'count-files') {
    const names = distinctNames(rng, 1 + randomInt(rng, 5));
    const files = Object.fromEntries(names.map((n) => [`logs/${n}.log`, `${n}\n`]));
    return { ...base, id: `count-files:${names.length}`, prompt: 'How many files are in logs/?', expected: String(names.length),
      correction: `The answer is ${names.length} (run: ls logs).`, files: { ...files, 'app.log': 'ok\n' }, dirs: ['logs'] };
  }
  if (kind === 'move-txt') {
    const names = distinctNames(rng, 2 + randomInt(rng, 3));
    const txt = names.slice(0, -1);
    const files: Record<string, string> = Object.fromEntries(txt.map((n) => [`${n}.txt`, `${n} notes\n`]));
    files[`${names.at(-1)}.md`] = '# keep me here\n';
    return { ...base, id: `move-txt:${txt.join(',')}`, prompt: 'Move every .txt file into notes/.', expected: txt.map((n) => `notes/${n}.txt`).join(' '),
      correction: 'Every .txt file belongs in notes/ (run: mv *.txt notes/).', files, dirs: ['notes'] };
  }
  const name = pick(rng, NAMES);
  const word = pick(rng, ['hello', 'done', 'ready', 'ship it']);
  return { ...base, id: `write-file:${name}`, prompt: `Create a file ${name}.txt that says ${word}.`, expected: `${name}.txt: ${word}`,
    correction: `${name}.txt should say ${word} (run: echo ${word} > ${name}.txt).`, files: { 'app.log': 'ok\n' }, dirs: [] };
}

/**
 * The checker: the count tasks want the right number first in the answer; the tree tasks want the final
 * tree (every .txt in notes/ with its content, nothing else moved or lost; the new file with the words).
 */
export function checkTerminal(task: TerminalTask, tree: FileTree, answer: string): boolean {
  if (parseCommand(answer) !== null) return false;
  if (task.kind === 'count-errors' || task.kind === 'count-files') return numbersIn(answer)[0] === Number(task.expected);
  const now = tree.snapshot();
  if (task.kind === 'move-txt') {
    const want: Record<string, string> = {};
    for (const [path, content] of Object.entries(task.files)) want[path.endsWith('.txt') ? `notes/${path}` : path] = content;
    return JSON.stringify(now) === JSON.stringify(Object.fromEntries(Object.entries(want).sort(([x], [y]) => (x < y ? -1 : 1))));
  }
  const [path, word] = task.expected.split(': ');
  return (now[path] ?? '').trim() === word && Object.entries(task.files).every(([p, c]) => now[p] === c);
}

export const TERMINAL: Environment = {
  id: 'terminal',
  label: 'Terminal',
  systemPrompt: TERMINAL_SYSTEM_PROMPT,
  sessionKind: 'terminal',
  sampleTask: sampleTerminalTask,
  start(task: EnvironmentTask): Episode {
    const t = task as TerminalTask;
    const tree = FileTree.of(t.files, t.dirs);
    return {
      step(reply) {
        const line = parseCommand(reply);
        if (line === null) return null;
        const r = runCommandLine(line, tree);
        return { nextState: formatTerminalOutput(r.code, r.stdout, r.stderr) };
      },
      check: (answer) => checkTerminal(t, tree, answer),
    };
  },
};
