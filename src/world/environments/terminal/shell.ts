/**
 * The terminal's shell: one command line on a `FileTree`, the way bash would run it for the commands of
 * commands.ts: words with '…' and "…" quoting, `*` and `?` globs (left as written when nothing matches),
 * pipes `|`, and `>` / `>>` redirection of the last command's output. Exit status of the last command.
 */
import { COMMANDS, type CommandResult } from './commands.ts';
import { normalise, parentOf, type FileTree } from './file-tree.ts';

interface Word {
  text: string;
  /** Unquoted `*` or `?` in the word: it is a glob. */
  glob: boolean;
}

type Token = Word | { op: '|' | '>' | '>>' };

function tokenize(line: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '|') { tokens.push({ op: '|' }); i++; continue; }
    if (c === '>') { const app = line[i + 1] === '>'; tokens.push({ op: app ? '>>' : '>' }); i += app ? 2 : 1; continue; }
    let text = '';
    let glob = false;
    while (i < line.length && !' \t|>'.includes(line[i])) {
      const q = line[i];
      if (q === "'" || q === '"') {
        const end = line.indexOf(q, i + 1);
        if (end < 0) return `bash: unexpected EOF while looking for matching \`${q}'`;
        text += line.slice(i + 1, end);
        i = end + 1;
      } else {
        if (q === '*' || q === '?') glob = true;
        text += q;
        i++;
      }
    }
    tokens.push({ text, glob });
  }
  return tokens;
}

/** The paths a glob word matches, sorted; the word itself when none does (bash's default). */
function expand(word: Word, tree: FileTree): string[] {
  if (!word.glob) return [word.text];
  const dir = word.text.includes('/') ? word.text.slice(0, word.text.lastIndexOf('/')) : '';
  const pattern = word.text.slice(word.text.lastIndexOf('/') + 1);
  if (/[*?]/.test(dir) || !tree.isDir(dir)) return [word.text];
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  const hits = tree.list(dir).filter((n) => !n.startsWith('.') && re.test(n)).map((n) => (dir ? `${dir}/${n}` : n));
  return hits.length > 0 ? hits : [word.text];
}

/** `runCommandLine(line, tree) -> { code, stdout, stderr }`: runs one line, changing `tree` as it goes. */
export function runCommandLine(line: string, tree: FileTree): CommandResult {
  const tokens = tokenize(line.trim());
  if (typeof tokens === 'string') return { code: 2, stdout: '', stderr: `${tokens}\n` };
  if (tokens.length === 0) return { code: 0, stdout: '', stderr: '' };
  const stages: Token[][] = [[]];
  for (const t of tokens) {
    if ('op' in t && t.op === '|') stages.push([]);
    else stages[stages.length - 1].push(t);
  }
  let stdin: string | null = null;
  let result: CommandResult = { code: 0, stdout: '', stderr: '' };
  let stderr = '';
  for (const [n, stage] of stages.entries()) {
    const last = n === stages.length - 1;
    const redirect = stage.findIndex((t) => 'op' in t);
    const words = (redirect < 0 ? stage : stage.slice(0, redirect)) as Word[];
    const target = redirect < 0 ? null : stage[redirect + 1];
    if (words.length === 0 || (redirect >= 0 && (!target || 'op' in target))) {
      return { code: 2, stdout: '', stderr: `${stderr}bash: syntax error near unexpected token \`${redirect >= 0 && target && 'op' in target ? target.op : 'newline'}'\n` };
    }
    const [name, ...args] = words.flatMap((w) => expand(w, tree));
    const command = COMMANDS[name];
    result = command ? command(args, stdin, tree) : { code: 127, stdout: '', stderr: `bash: ${name}: command not found\n` };
    if (target && !('op' in target)) {
      const path = target.text;
      const op = (stage[redirect] as { op: '>' | '>>' }).op;
      if (tree.isDir(path)) result = { code: 1, stdout: '', stderr: `${result.stderr}bash: ${path}: Is a directory\n` };
      else if (!tree.isDir(parentOf(path))) result = { code: 1, stdout: '', stderr: `${result.stderr}bash: ${path}: No such file or directory\n` };
      else {
        tree.write(normalise(path), (op === '>>' ? tree.read(path) ?? '' : '') + result.stdout);
        result = { ...result, stdout: '' };
      }
    }
    stderr += result.stderr;
    stdin = last ? null : result.stdout;
  }
  return { code: result.code, stdout: result.stdout, stderr };
}
