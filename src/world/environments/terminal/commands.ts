/**
 * The terminal's commands, on a `FileTree`: ls, cat, head, wc -l, grep, echo, mkdir, touch, mv, rm, with
 * GNU coreutils' exit statuses and error texts (for the options implemented; others are refused the way
 * coreutils refuses an unknown option).
 */
import { baseName, normalise, parentOf, type FileTree } from './file-tree.ts';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Command = (args: string[], stdin: string | null, tree: FileTree) => CommandResult;

const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '' });

/** Splits `-abc` style flags from operands; an unknown flag returns coreutils' "invalid option" error. */
function options(name: string, args: string[], known: string): { flags: Set<string>; operands: string[] } | CommandResult {
  const flags = new Set<string>();
  const operands: string[] = [];
  let dashdash = false;
  for (const a of args) {
    if (!dashdash && a === '--') { dashdash = true; continue; }
    if (!dashdash && a.startsWith('-') && a.length > 1) {
      for (const f of a.slice(1)) {
        if (!known.includes(f)) return { code: name === 'grep' || name === 'ls' ? 2 : 1, stdout: '', stderr: `${name}: invalid option -- '${f}'\nTry '${name} --help' for more information.\n` };
        flags.add(f);
      }
    } else operands.push(a);
  }
  return { flags, operands };
}

const isResult = (x: unknown): x is CommandResult => typeof x === 'object' && x !== null && 'code' in x;

function lines(text: string): string[] {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

/** Reads each operand (or stdin without one), reporting errors in `name`'s words. */
function readInputs(name: string, operands: string[], stdin: string | null, tree: FileTree, missing: (p: string) => string, isDir: (p: string) => string):
  { inputs: { name: string; text: string }[]; stderr: string; failed: boolean } {
  if (operands.length === 0) return { inputs: [{ name: '', text: stdin ?? '' }], stderr: '', failed: false };
  const inputs: { name: string; text: string }[] = [];
  let stderr = '';
  for (const p of operands) {
    if (tree.isDir(p)) stderr += `${name}: ${isDir(p)}\n`;
    else if (!tree.isFile(p)) stderr += `${name}: ${missing(p)}\n`;
    else inputs.push({ name: p, text: tree.read(p)! });
  }
  return { inputs, stderr, failed: stderr !== '' };
}

const ls: Command = (args, _stdin, tree) => {
  const o = options('ls', args, '1a');
  if (isResult(o)) return o;
  const targets = o.operands.length > 0 ? o.operands : ['.'];
  let stderr = '';
  const fileLines: string[] = [];
  const dirs: string[] = [];
  for (const t of targets) {
    if (!tree.exists(t)) stderr += `ls: cannot access '${t}': No such file or directory\n`;
    else if (tree.isDir(t)) dirs.push(t);
    else fileLines.push(t);
  }
  const blocks: string[] = fileLines.length > 0 ? [fileLines.sort().join('\n')] : [];
  for (const d of dirs) {
    const names = tree.list(d);
    const body = names.join('\n');
    blocks.push(targets.length > 1 ? `${d}:${body ? `\n${body}` : ''}` : body);
  }
  const stdout = blocks.filter((b, i) => b !== '' || i > 0).join(targets.length > 1 ? '\n\n' : '\n');
  return { code: stderr ? 2 : 0, stdout: stdout ? `${stdout}\n` : '', stderr };
};

const cat: Command = (args, stdin, tree) => {
  const o = options('cat', args, '');
  if (isResult(o)) return o;
  const r = readInputs('cat', o.operands, stdin, tree, (p) => `${p}: No such file or directory`, (p) => `${p}: Is a directory`);
  return { code: r.failed ? 1 : 0, stdout: r.inputs.map((i) => i.text).join(''), stderr: r.stderr };
};

const head: Command = (args, stdin, tree) => {
  let n = 10;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const count = a === '-n' ? args[++i] : /^-n\d+$/.test(a) ? a.slice(2) : /^-\d+$/.test(a) ? a.slice(1) : null;
    if (count !== null) {
      if (count === undefined) return { code: 1, stdout: '', stderr: "head: option requires an argument -- 'n'\nTry 'head --help' for more information.\n" };
      if (!/^\d+$/.test(count)) return { code: 1, stdout: '', stderr: `head: invalid number of lines: '${count}'\n` };
      n = Number(count);
    } else rest.push(a);
  }
  const o = options('head', rest, '');
  if (isResult(o)) return o;
  const r = readInputs('head', o.operands, stdin, tree, (p) => `cannot open '${p}' for reading: No such file or directory`, (p) => `error reading '${p}': Is a directory`);
  const many = o.operands.length > 1;
  const stdout = r.inputs.map((i, k) => {
    // The first n lines as they are: a last line without its newline stays without one.
    const body = i.text.split('\n').slice(0, n).join('\n') + (i.text.split('\n').length > n ? '\n' : '');
    return many ? `${k > 0 ? '\n' : ''}==> ${i.name} <==\n${body}` : body;
  }).join('');
  return { code: r.failed ? 1 : 0, stdout, stderr: r.stderr };
};

/**
 * `wc -l` only: the line count (newlines). Widths as coreutils computes them: 1 for a single input; with
 * several, the digits of the regular files' total size, at least 7 when one is a directory.
 */
const wc: Command = (args, stdin, tree) => {
  const o = options('wc', args, 'l');
  if (isResult(o)) return o;
  if (!o.flags.has('l')) return { code: 1, stdout: '', stderr: 'wc: only -l is available here\n' };
  const count = (text: string) => (text.match(/\n/g) ?? []).length;
  if (o.operands.length === 0) return ok(`${count(stdin ?? '')}\n`);
  let stderr = '';
  const rows: { name: string; n: number }[] = [];
  let size = 0;
  let minimum = 1;
  for (const p of o.operands) {
    if (tree.isDir(p)) { stderr += `wc: ${p}: Is a directory\n`; rows.push({ name: p, n: 0 }); minimum = 7; }
    else if (!tree.isFile(p)) stderr += `wc: ${p}: No such file or directory\n`;
    else { rows.push({ name: p, n: count(tree.read(p)!) }); size += new TextEncoder().encode(tree.read(p)!).length; }
  }
  const width = o.operands.length === 1 ? 1 : Math.max(String(size).length, minimum);
  if (o.operands.length > 1) rows.push({ name: 'total', n: rows.reduce((s, r) => s + r.n, 0) });
  // Errors and counts interleave in operand order on a terminal; here stderr and stdout are kept apart.
  const stdout = rows.map((r) => `${String(r.n).padStart(width)} ${r.name}\n`).join('');
  return { code: stderr ? 1 : 0, stdout, stderr };
};

/** grep with -i -v -c -n; the pattern is a JavaScript regular expression (close to grep -E). */
const grep: Command = (args, stdin, tree) => {
  const o = options('grep', args, 'ivcn');
  if (isResult(o)) return o;
  if (o.operands.length === 0) return { code: 2, stdout: '', stderr: "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n" };
  const [pattern, ...files] = o.operands;
  let re: RegExp;
  try {
    re = new RegExp(pattern, o.flags.has('i') ? 'i' : '');
  } catch {
    return { code: 2, stdout: '', stderr: `grep: invalid regular expression '${pattern}'\n` };
  }
  const r = readInputs('grep', files, stdin, tree, (p) => `${p}: No such file or directory`, (p) => `${p}: Is a directory`);
  const prefix = files.length > 1;
  let matched = false;
  let stdout = '';
  for (const input of r.inputs) {
    const hits = lines(input.text).map((text, i) => ({ text, i })).filter(({ text }) => re.test(text) !== o.flags.has('v'));
    if (hits.length > 0) matched = true;
    const name = prefix ? `${input.name}:` : '';
    if (o.flags.has('c')) stdout += `${name}${hits.length}\n`;
    else stdout += hits.map(({ text, i }) => `${name}${o.flags.has('n') ? `${i + 1}:` : ''}${text}\n`).join('');
  }
  return { code: r.failed ? 2 : matched ? 0 : 1, stdout, stderr: r.stderr };
};

const echo: Command = (args) => {
  const newline = args[0] !== '-n';
  return ok(`${(newline ? args : args.slice(1)).join(' ')}${newline ? '\n' : ''}`);
};

const mkdir: Command = (args, _stdin, tree) => {
  const o = options('mkdir', args, 'p');
  if (isResult(o)) return o;
  if (o.operands.length === 0) return { code: 1, stdout: '', stderr: "mkdir: missing operand\nTry 'mkdir --help' for more information.\n" };
  let stderr = '';
  for (const p of o.operands) {
    if (o.flags.has('p')) {
      const parts = normalise(p).split('/');
      const blocked = parts.map((_, i) => parts.slice(0, i + 1).join('/')).find((q) => tree.isFile(q));
      if (blocked !== undefined) stderr += `mkdir: cannot create directory '${blocked === normalise(p) ? p : blocked}': ${blocked === normalise(p) ? 'File exists' : 'Not a directory'}\n`;
      else parts.forEach((_, i) => tree.makeDir(parts.slice(0, i + 1).join('/')));
    } else if (tree.exists(p)) stderr += `mkdir: cannot create directory '${p}': File exists\n`;
    else if (!tree.isDir(parentOf(p))) stderr += `mkdir: cannot create directory '${p}': ${tree.isFile(parentOf(p)) ? 'Not a directory' : 'No such file or directory'}\n`;
    else tree.makeDir(p);
  }
  return { code: stderr ? 1 : 0, stdout: '', stderr };
};

const touch: Command = (args, _stdin, tree) => {
  const o = options('touch', args, '');
  if (isResult(o)) return o;
  if (o.operands.length === 0) return { code: 1, stdout: '', stderr: "touch: missing file operand\nTry 'touch --help' for more information.\n" };
  let stderr = '';
  for (const p of o.operands) {
    if (tree.exists(p)) continue;
    if (!tree.isDir(parentOf(p))) stderr += `touch: cannot touch '${p}': ${tree.isFile(parentOf(p)) ? 'Not a directory' : 'No such file or directory'}\n`;
    else tree.write(p, '');
  }
  return { code: stderr ? 1 : 0, stdout: '', stderr };
};

const mv: Command = (args, _stdin, tree) => {
  const o = options('mv', args, '');
  if (isResult(o)) return o;
  if (o.operands.length === 0) return { code: 1, stdout: '', stderr: "mv: missing file operand\nTry 'mv --help' for more information.\n" };
  if (o.operands.length === 1) return { code: 1, stdout: '', stderr: `mv: missing destination file operand after '${o.operands[0]}'\nTry 'mv --help' for more information.\n` };
  const sources = o.operands.slice(0, -1);
  const dest = o.operands.at(-1)!;
  if (sources.length > 1 && !tree.isDir(dest)) return { code: 1, stdout: '', stderr: `mv: target '${dest}': ${tree.exists(dest) ? 'Not a directory' : 'No such file or directory'}\n` };
  let stderr = '';
  for (const s of sources) {
    const target = tree.isDir(dest) ? `${normalise(dest)}/${baseName(s)}` : dest;
    if (!tree.exists(s)) stderr += `mv: cannot stat '${s}': No such file or directory\n`;
    else if (dest.endsWith('/') && !tree.isDir(dest)) stderr += `mv: cannot move '${s}' to '${dest}': Not a directory\n`;
    else if (normalise(s) === normalise(target)) stderr += `mv: '${s}' and '${target}' are the same file\n`;
    else if (tree.isDir(s) && (normalise(target) + '/').startsWith(normalise(s) + '/')) stderr += `mv: cannot move '${s}' to a subdirectory of itself, '${target}'\n`;
    else if (!tree.isDir(parentOf(target))) stderr += `mv: cannot move '${s}' to '${target}': No such file or directory\n`;
    else if (tree.isDir(target)) stderr += `mv: cannot overwrite directory '${target}' with non-directory\n`;
    else if (tree.isDir(s) && tree.isFile(target)) stderr += `mv: cannot overwrite non-directory '${target}' with directory '${s}'\n`;
    else {
      tree.remove(target);
      tree.move(s, target);
    }
  }
  return { code: stderr ? 1 : 0, stdout: '', stderr };
};

const rm: Command = (args, _stdin, tree) => {
  const o = options('rm', args, 'rfR');
  if (isResult(o)) return o;
  const force = o.flags.has('f');
  if (o.operands.length === 0 && !force) return { code: 1, stdout: '', stderr: "rm: missing operand\nTry 'rm --help' for more information.\n" };
  let stderr = '';
  for (const p of o.operands) {
    if (!tree.exists(p)) { if (!force) stderr += `rm: cannot remove '${p}': No such file or directory\n`; }
    else if (tree.isDir(p) && !o.flags.has('r') && !o.flags.has('R')) stderr += `rm: cannot remove '${p}': Is a directory\n`;
    else if (normalise(p) === '') stderr += `rm: it is dangerous to operate recursively on '${p}'\nrm: use --no-preserve-root to override this failsafe\n`;
    else tree.remove(p);
  }
  return { code: stderr ? 1 : 0, stdout: '', stderr };
};

export const COMMANDS: Readonly<Record<string, Command>> = { ls, cat, head, wc, grep, echo, mkdir, touch, mv, rm };
