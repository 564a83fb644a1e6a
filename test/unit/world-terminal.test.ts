/**
 * The terminal sandbox against the real thing: each command line runs in the sandbox and in bash with GNU
 * coreutils and grep (LC_ALL=C) on the same random tree in a temporary directory; exit status, stdout,
 * stderr and the final tree must agree. Trees and command lines are drawn fresh each run (seed printed).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng, pick, randomInt, type Rng } from '../../src/model/rng.ts';
import { FileTree, runCommandLine } from '../../src/world/environments/index.ts';

const hasBash = spawnSync('bash', ['-c', 'mv --version && grep --version'], { encoding: 'utf8' }).stdout?.includes('GNU coreutils');

function randomTree(rng: Rng): { files: Record<string, string>; dirs: string[] } {
  const names = ['a.txt', 'b.txt', 'app.log', 'notes.md', 'x.txt'];
  const files: Record<string, string> = {};
  for (const n of names) if (rng() < 0.7) files[n] = Array.from({ length: randomInt(rng, 14) }, (_, i) => `${i} ${pick(rng, ['ok', 'error here', 'Error twice error', 'fine'])}`).join('\n') + (rng() < 0.9 ? '\n' : '');
  const dirs = ['notes', 'logs'].filter(() => rng() < 0.6);
  if (dirs.includes('logs') && rng() < 0.7) files['logs/one.log'] = 'error one\nfine\n';
  return { files, dirs };
}

const TEMPLATES = [
  'ls', 'ls {d}', 'ls {f} {d}', 'ls {m}', 'ls {f} {d} {m}', 'ls -z', 'ls *.txt', 'ls *.zip', 'ls {d}/',
  'cat {f}', 'cat {f} {f2}', 'cat {m}', 'cat {d}',
  'head {f}', 'head -n 2 {f}', 'head -3 {f}', 'head -n 2 {f} {f2}', 'head {m}', 'head {d}', 'head -n x {f}',
  'wc -l {f}', 'wc -l {f} {f2}', 'wc -l {m}', 'wc -l {d} {f}', 'wc -l {f} {m}', 'cat {f} | wc -l',
  'grep error {f}', 'grep -c error {f}', 'grep -i error {f}', 'grep -n error {f} {f2}', 'grep -v ok {f}', 'grep zzz {f}',
  'grep error {m}', 'grep', 'grep -c error {f} {f2}', 'grep error {f} | wc -l', 'cat {f} | grep -c error',
  'echo hello', "echo 'a  b' \"c d\"", 'echo -n hi', 'echo hi > {f}', 'echo hi >> {f}', 'echo new > fresh.txt', 'echo x > {d}', 'echo x > {m}/q',
  'mkdir {d}', 'mkdir newdir', 'mkdir {m}/sub', 'mkdir -p {m}/sub', 'mkdir -p {f}/sub', 'mkdir -p {f}', 'mkdir',
  'touch {f}', 'touch new.txt', 'touch {m}/q', 'touch',
  'mv {f} {d}', 'mv {f} {d}/', 'mv *.txt {d}', 'mv {f} renamed.txt', 'mv {m} {d}', 'mv {f} {f2} {m}', 'mv {f} {f2} {f}',
  'mv {d} {d}/inner', 'mv {f} {f}', 'mv {f}', 'mv', 'mv {d} moved', 'mv {f} {m}/q',
  'rm {f}', 'rm {m}', 'rm {d}', 'rm -r {d}', 'rm -f {m}', 'rm -rf {d}', 'rm', 'rm -z',
  'nosuchcmd {f}',
];

function fill(template: string, tree: { files: Record<string, string>; dirs: string[] }, rng: Rng): string {
  const files = Object.keys(tree.files).filter((f) => !f.includes('/'));
  const f = files.length > 0 ? pick(rng, files) : 'a.txt';
  const others = files.filter((x) => x !== f);
  return template
    .replaceAll('{f2}', others.length > 0 ? pick(rng, others) : 'b.txt')
    .replaceAll('{f}', f)
    .replaceAll('{d}', tree.dirs.length > 0 ? pick(rng, tree.dirs) : 'notes')
    .replaceAll('{m}', 'missing');
}

function realTree(root: string, dir = ''): { files: Record<string, string>; dirs: string[] } {
  const out = { files: {} as Record<string, string>, dirs: [] as string[] };
  for (const name of readdirSync(join(root, dir)).sort()) {
    const rel = dir ? `${dir}/${name}` : name;
    if (statSync(join(root, rel)).isDirectory()) {
      out.dirs.push(rel);
      const inner = realTree(root, rel);
      Object.assign(out.files, inner.files);
      out.dirs.push(...inner.dirs);
    } else out.files[rel] = readFileSync(join(root, rel), 'utf8');
  }
  return out;
}

const sorted = (files: Record<string, string>) => Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)));

describe.skipIf(!hasBash)('terminal sandbox vs bash + GNU coreutils', () => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  it(`agrees on every command line (seed ${seed})`, () => {
    const rng = createRng(seed);
    const mismatches: string[] = [];
    for (let round = 0; round < 2; round++) {
      for (const template of TEMPLATES) {
        const start = randomTree(rng);
        const line = fill(template, start, rng);
        const dir = mkdtempSync(join(tmpdir(), 'nextstate-term-'));
        try {
          for (const d of start.dirs) mkdirSync(join(dir, d), { recursive: true });
          for (const [p, c] of Object.entries(start.files)) writeFileSync(join(dir, p), c);
          const real = spawnSync('bash', ['--norc', '--noprofile', '-c', line], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, LC_ALL: 'C' } });
          const tree = FileTree.of(start.files, start.dirs);
          const ours = runCommandLine(line, tree);
          const want = { code: real.status, stdout: real.stdout, stderr: real.stderr.replace(/^bash: line 1: /gm, 'bash: '), tree: realTree(dir) };
          const got = { code: ours.code, stdout: ours.stdout, stderr: ours.stderr, tree: { files: tree.snapshot(), dirs: tree.directories() } };
          want.tree.dirs.sort();
          want.tree.files = sorted(want.tree.files);
          got.tree.files = sorted(got.tree.files);
          if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${line}\n  bash: ${JSON.stringify(want)}\n  ours: ${JSON.stringify(got)}`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
    expect(mismatches.slice(0, 5).join('\n')).toBe('');
  });
});

describe('terminal sandbox', () => {
  it('never reaches outside its tree', () => {
    const tree = FileTree.of({ 'a.txt': 'a\n' });
    expect(runCommandLine('cat /etc/passwd', tree)).toEqual({ code: 1, stdout: '', stderr: 'cat: /etc/passwd: No such file or directory\n' });
    expect(runCommandLine('cat ../../a.txt', tree).stdout).toBe('a\n');
    expect(runCommandLine('rm -rf /', tree).code).toBe(1);
    expect(tree.snapshot()).toEqual({ 'a.txt': 'a\n' });
  });

  it('reports an unclosed quote and a dangling redirection as bash does', () => {
    const tree = FileTree.of({});
    expect(runCommandLine("echo 'a", tree).code).toBe(2);
    expect(runCommandLine('echo a >', tree)).toEqual({ code: 2, stdout: '', stderr: "bash: syntax error near unexpected token `newline'\n" });
  });

  it('runs the real bash on its reference side (the comparison above is not vacuous)', () => {
    if (!hasBash) return;
    expect(execFileSync('bash', ['-c', 'echo hi'], { encoding: 'utf8' })).toBe('hi\n');
  });
});
