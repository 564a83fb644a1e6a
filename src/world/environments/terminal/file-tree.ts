/**
 * The terminal's sandbox: an in-memory file tree, one per episode. Paths are `/`-separated, relative to the
 * root (the shell's only working directory) or absolute; nothing here reaches the visitor's machine.
 */

export class FileTree {
  /** Every directory, by normalised path ('' is the root). */
  private readonly dirs = new Set<string>(['']);
  private readonly files = new Map<string, string>();

  /** A tree holding `files` (path → content); their parent directories are created. */
  static of(files: Record<string, string>, dirs: readonly string[] = []): FileTree {
    const tree = new FileTree();
    for (const d of dirs) tree.makeDirs(normalise(d));
    for (const [path, content] of Object.entries(files)) {
      const p = normalise(path);
      tree.makeDirs(parentOf(p));
      tree.files.set(p, content);
    }
    return tree;
  }

  isDir(path: string): boolean {
    return this.dirs.has(normalise(path));
  }

  isFile(path: string): boolean {
    return this.files.has(normalise(path));
  }

  exists(path: string): boolean {
    return this.isDir(path) || this.isFile(path);
  }

  read(path: string): string | undefined {
    return this.files.get(normalise(path));
  }

  /** Writes a file whose parent directory exists (the caller checks). */
  write(path: string, content: string): void {
    this.files.set(normalise(path), content);
  }

  makeDir(path: string): void {
    this.dirs.add(normalise(path));
  }

  /** The names directly inside a directory, sorted as `ls` sorts them (C locale). */
  list(dir: string): string[] {
    const d = normalise(dir);
    const prefix = d === '' ? '' : `${d}/`;
    const names = new Set<string>();
    for (const p of [...this.dirs, ...this.files.keys()]) {
      if (p !== d && p.startsWith(prefix) && !p.slice(prefix.length).includes('/')) names.add(p.slice(prefix.length));
    }
    return [...names].sort();
  }

  /** Removes a file, or a directory with everything below it. */
  remove(path: string): void {
    const p = normalise(path);
    this.files.delete(p);
    for (const d of [...this.dirs]) if (d === p || d.startsWith(`${p}/`)) this.dirs.delete(d);
    for (const f of [...this.files.keys()]) if (f.startsWith(`${p}/`)) this.files.delete(f);
  }

  /** Moves a file or a directory (with its contents) to a path whose parent exists. */
  move(from: string, to: string): void {
    const [a, b] = [normalise(from), normalise(to)];
    const rename = (p: string) => b + p.slice(a.length);
    for (const d of [...this.dirs]) {
      if (d === a || d.startsWith(`${a}/`)) { this.dirs.delete(d); this.dirs.add(rename(d)); }
    }
    for (const [f, content] of [...this.files]) {
      if (f === a || f.startsWith(`${a}/`)) { this.files.delete(f); this.files.set(rename(f), content); }
    }
  }

  /** Every file, path → content (checkers, the page's view of the tree). */
  snapshot(): Record<string, string> {
    return Object.fromEntries([...this.files].sort(([x], [y]) => (x < y ? -1 : 1)));
  }

  directories(): string[] {
    return [...this.dirs].filter((d) => d !== '').sort();
  }

  private makeDirs(path: string): void {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) this.dirs.add(parts.slice(0, i).join('/'));
  }
}

/** `./a//b/` → `a/b`; `/a/../b` → `b`; the root is ''. */
export function normalise(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

export function parentOf(path: string): string {
  const p = normalise(path);
  return p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
}

export function baseName(path: string): string {
  const p = normalise(path);
  return p.slice(p.lastIndexOf('/') + 1);
}
