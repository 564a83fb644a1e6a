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
import type { Environment, EnvironmentTask, Episode, TaskSet } from '../environment.ts';
import { FileTree } from './file-tree.ts';
import { runCommandLine } from './shell.ts';
import { SLANG_WORDS } from '../../styles.ts';

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

/** The corpus's task kinds, and the held-out kinds (`TaskSet` 'heldout') the corpus never shows. */
export type CorpusTerminalTaskKind = 'count-errors' | 'count-files' | 'move-txt' | 'write-file';
export type HeldOutTerminalTaskKind = 'count-warnings' | 'count-log-files' | 'delete-tmp' | 'count-lines';
export type NearTerminalTaskKind = 'count-errors-asked' | 'count-files-asked' | 'count-errors-in' | 'count-files-in';
export type TerminalTaskKind = CorpusTerminalTaskKind | HeldOutTerminalTaskKind | NearTerminalTaskKind;
const COUNT_KINDS: readonly TerminalTaskKind[] = ['count-errors', 'count-files', 'count-warnings', 'count-log-files', 'count-lines',
  'count-errors-asked', 'count-files-asked', 'count-errors-in', 'count-files-in'];

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

const WARNING_WORDS = ['warning: disk 90% full', 'warning: slow query', 'warning: retrying upload', 'cache warning: stale entry'];
const NOTE_LINES = ['buy milk', 'call the bank', 'fix the door', 'water plants', 'read chapter 3', 'book tickets', 'pay rent'];

/**
 * A held-out terminal task (never in the corpus): count the lines of app.log that mention warning (error lines
 * mixed in), count the .log files of logs/ (other files beside them), delete every .tmp file, count the lines of
 * notes.txt. The same commands as the corpus's tasks, other arguments.
 */
export function sampleHeldOutTerminalTask(rng: Rng): TerminalTask {
  const kind = pick(rng, ['count-warnings', 'count-log-files', 'delete-tmp', 'count-lines'] as const);
  const base = { environment: 'terminal' as const, kind };
  if (kind === 'count-warnings') {
    const n = 4 + randomInt(rng, 7);
    const forced = randomInt(rng, n);
    let warnings = 0;
    const lines = Array.from({ length: n }, (_, i) => {
      const r = rng();
      const warn = i === forced || r < 0.3;
      if (warn) warnings++;
      return `${String(i + 1).padStart(2, '0')}:00 ${warn ? pick(rng, WARNING_WORDS) : r < 0.5 ? pick(rng, ERROR_WORDS) : pick(rng, LOG_WORDS)}`;
    });
    return { ...base, id: `count-warnings:${warnings}`, prompt: 'How many lines mention warning in app.log?', expected: String(warnings),
      correction: `The answer is ${warnings} (run: grep -c warning app.log).`, files: { 'app.log': `${lines.join('\n')}\n`, 'README.md': 'service notes\n' }, dirs: [] };
  }
  if (kind === 'count-log-files') {
    const names = distinctNames(rng, 2 + randomInt(rng, 5));
    const logs = 1 + randomInt(rng, names.length - 1);
    const files = Object.fromEntries(names.map((n, i) => [i < logs ? `logs/${n}.log` : `logs/${n}.${pick(rng, ['txt', 'md', 'gz'])}`, `${n}\n`]));
    return { ...base, id: `count-log-files:${logs}`, prompt: 'How many .log files are in logs/?', expected: String(logs),
      correction: `The answer is ${logs} (run: ls logs/*.log | wc -l).`, files: { ...files, 'app.log': 'ok\n' }, dirs: ['logs'] };
  }
  if (kind === 'delete-tmp') {
    const names = distinctNames(rng, 2 + randomInt(rng, 4));
    const tmp = 1 + randomInt(rng, names.length - 1);
    const files: Record<string, string> = Object.fromEntries(names.map((n, i) => [i < tmp ? `${n}.tmp` : `${n}.${pick(rng, ['txt', 'log', 'md'])}`, `${n}\n`]));
    return { ...base, id: `delete-tmp:${tmp}`, prompt: 'Delete every .tmp file.', expected: Object.keys(files).filter((p) => !p.endsWith('.tmp')).join(' '),
      correction: 'Every .tmp file should be gone, the rest kept (run: rm *.tmp).', files, dirs: [] };
  }
  const n = 2 + randomInt(rng, 9);
  const lines = Array.from({ length: n }, () => pick(rng, NOTE_LINES));
  return { ...base, id: `count-lines:${n}`, prompt: 'How many lines does notes.txt have?', expected: String(n),
    correction: `The answer is ${n} (run: wc -l notes.txt).`, files: { 'notes.txt': `${lines.join('\n')}\n`, 'app.log': 'ok\n' }, dirs: [] };
}

/** Other names for the near tasks' log file and directory (the corpus only uses app.log and logs/). */
export const NEAR_LOG_NAMES = ['server.log', 'worker.log', 'api.log', 'db.log'] as const;
export const NEAR_DIRECTORIES = ['data', 'docs', 'src', 'tmp'] as const;

/**
 * A near terminal task (`TaskSet` 'near', never in the corpus): the corpus's two count tasks asked in other words
 * (`count-errors-asked`, `count-files-asked`), or on another log file or directory (`count-errors-in`,
 * `count-files-in`). The same commands as the corpus's, with the task's own names.
 */
export function sampleNearTerminalTask(rng: Rng): TerminalTask {
  const kind = pick(rng, ['count-errors-asked', 'count-files-asked', 'count-errors-in', 'count-files-in'] as const);
  const base = { environment: 'terminal' as const, kind };
  if (kind === 'count-errors-asked' || kind === 'count-errors-in') {
    const log = logFile(rng);
    const name = kind === 'count-errors-in' ? pick(rng, NEAR_LOG_NAMES) : 'app.log';
    const prompt = kind === 'count-errors-in' ? `How many lines mention error in ${name}?`
      : pick(rng, ['How many lines of app.log mention error?', 'Count the lines of app.log that mention error.', 'In app.log, how many lines mention error?']);
    return countErrorsTask(kind, name, prompt, log);
  }
  const dir = kind === 'count-files-in' ? pick(rng, NEAR_DIRECTORIES) : 'logs';
  const listing = filesIn(rng, dir);
  const prompt = kind === 'count-files-in' ? `How many files are in ${dir}/?` : pick(rng, ['How many files does logs/ hold?', 'Count the files in logs/.', 'In logs/, how many files are there?']);
  return countFilesTask(kind, dir, prompt, listing);
}

/** A task counting the lines of the log `name` that mention error (the tree: the log and a README). */
function countErrorsTask(kind: TerminalTaskKind, name: string, prompt: string, log: { text: string; errors: number }): TerminalTask {
  return { environment: 'terminal', kind, id: `${kind}:${name}:${log.errors}`, prompt, expected: String(log.errors),
    correction: `The answer is ${log.errors} (run: grep -c error ${name}).`, files: { [name]: log.text, 'README.md': 'service notes\n' }, dirs: [] };
}

/** A task counting the files of `dir` (the tree: those files and an app.log beside the directory). */
function countFilesTask(kind: TerminalTaskKind, dir: string, prompt: string, { names, files }: { names: string[]; files: Record<string, string> }): TerminalTask {
  return { environment: 'terminal', kind, id: `${kind}:${dir}:${names.length}`, prompt, expected: String(names.length),
    correction: `The answer is ${names.length} (run: ls ${dir} | wc -l).`, files: { ...files, 'app.log': 'ok\n' }, dirs: [dir] };
}

/** One to five files in `dir` (`.log` files in logs/, else .txt, .csv or .md), path → content. */
function filesIn(rng: Rng, dir: string): { names: string[]; files: Record<string, string> } {
  const names = distinctNames(rng, 1 + randomInt(rng, 5));
  return { names, files: Object.fromEntries(names.map((n) => [`${dir}/${n}.${dir === 'logs' ? 'log' : pick(rng, ['txt', 'csv', 'md'])}`, `${n}\n`])) };
}

/** Words a renamed task's log file or directory may be called (`renamedStem`). */
const STEM_WORDS = ['mail', 'auth', 'boot', 'cron', 'web', 'jobs', 'queue', 'sync', 'cache', 'build', 'assets', 'out', 'lib', 'backup',
  'media', 'billing', 'search', 'proxy', 'gateway', 'events', 'metrics', 'audit', 'uploads', 'reports', 'config', 'scripts',
  'images', 'vendor', 'fonts', 'static', 'shop', 'users', 'orders', 'payments', 'ingest', 'export', 'alerts', 'kernel', 'nginx',
  'redis', 'backend', 'frontend', 'cluster', 'deploy', 'release', 'archive', 'spool', 'inbox', 'music', 'photos', 'video'];

/**
 * Stems the renamed tasks never use: the near set's names (so that set stays unseen) and the corpus's own (app.log,
 * logs/, notes/), also inside a longer stem ("xserver.log" would contain "server.log").
 */
const RESERVED_STEMS = ['server', 'worker', 'api', 'db', 'data', 'docs', 'src', 'tmp', 'app', 'logs', 'notes'];

/** Names the corpus writes often (its own files and directories, its tasks' file names, the stems above): the sources of `siblingStem`. */
export const FAMILIAR_STEMS: readonly string[] = [...STEM_WORDS, 'app', 'logs', 'notes', ...NAMES];

const CONSONANTS = [...'bcdfgklmnprstvz'];
const VOWELS = [...'aeiou'];
const syllable = (rng: Rng) => pick(rng, CONSONANTS) + pick(rng, VOWELS);

/**
 * A stem that begins like a familiar name and then differs ("ap" + "ku" beside app, "sea" + "no" beside search):
 * copying it from a hint means writing what the hint says against what the model writes there by habit.
 */
function siblingStem(rng: Rng): string {
  const word = pick(rng, FAMILIAR_STEMS);
  const kept = word.slice(0, 2 + randomInt(rng, Math.max(1, word.length - 2)));
  const next = rng() < 0.5 ? pick(rng, VOWELS) : syllable(rng);
  return kept + next;
}

/**
 * The stem of a renamed task's log file or directory: a word of STEM_WORDS (a quarter), letters drawn at random (two
 * to four consonant-vowel syllables, a quarter), or a sibling of a familiar name (`siblingStem`, half). Random
 * letters make the hinted-action conversations teach copying the name from the hint or the task rather than a list
 * of names; siblings teach copying it where the model's habit says otherwise.
 */
export function renamedStem(rng: Rng): string {
  for (;;) {
    const r = rng();
    const stem = r < 0.25 ? pick(rng, STEM_WORDS)
      : r < 0.5 ? Array.from({ length: 2 + randomInt(rng, 3) }, () => syllable(rng)).join('')
        : siblingStem(rng);
    // A slang word as a name ("nope" from notes) would make the reply naming it read as casual to the style checkers.
    if (RESERVED_STEMS.some((reserved) => stem.includes(reserved)) || SLANG_WORDS.includes(stem)) continue;
    if (r < 0.5 || !FAMILIAR_STEMS.includes(stem)) return stem;
  }
}

/**
 * A count task on another log file or directory (`renamedStem`), worded as the corpus words its own: the tasks of the
 * corpus's hinted-action conversations, solved after a hint that writes out the command.
 */
export function sampleRenamedTerminalTask(rng: Rng): TerminalTask {
  if (rng() < 0.5) {
    const log = logFile(rng);
    const name = `${renamedStem(rng)}.log`;
    return countErrorsTask('count-errors-in', name, `How many lines mention error in ${name}?`, log);
  }
  const dir = renamedStem(rng);
  return countFilesTask('count-files-in', dir, `How many files are in ${dir}/?`, filesIn(rng, dir));
}

/** A random terminal task of the set with its starting tree (the corpus's kinds unless `set` says otherwise). */
export function sampleTerminalTask(rng: Rng, set: TaskSet = 'corpus'): TerminalTask {
  if (set === 'near') return sampleNearTerminalTask(rng);
  if (set === 'heldout') return sampleHeldOutTerminalTask(rng);
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
 * tree (every .txt in notes/ with its content, nothing else moved or lost; the new file with the words;
 * every .tmp file gone and nothing else).
 */
export function checkTerminal(task: TerminalTask, tree: FileTree, answer: string): boolean {
  if (parseCommand(answer) !== null) return false;
  if (COUNT_KINDS.includes(task.kind)) return numbersIn(answer)[0] === Number(task.expected);
  const now = tree.snapshot();
  if (task.kind === 'delete-tmp') {
    const want = Object.entries(task.files).filter(([path]) => !path.endsWith('.tmp')).sort(([x], [y]) => (x < y ? -1 : 1));
    return JSON.stringify(now) === JSON.stringify(Object.fromEntries(want));
  }
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
