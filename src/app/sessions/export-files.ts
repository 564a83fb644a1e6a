/**
 * Export files as the visitor downloads them and gives them back: the store's four files (METHOD §8 JSONL
 * in the reference framework's field names, plus our manifest) under dated names, and the reverse mapping
 * from whatever the visitor picked to the names the store's import expects.
 */
import { EXPORT_FILE_NAMES, type ExportFileName, type SessionExport } from '../../store/types.ts';

export interface NamedText {
  name: string;
  text: string;
}

/** The download names of an export: `<prefix>-turns.jsonl`, … */
export function exportDownloads(exported: SessionExport, prefix: string): NamedText[] {
  return EXPORT_FILE_NAMES.map((name) => ({ name: `${prefix}-${name}`, text: exported.files[name] }));
}

/** `nextstate-2026-11-24-1530`: sortable and safe in every file system. */
export function exportPrefix(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `nextstate-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
}

/**
 * The picked files keyed by the export name each one ends with; `ignored` lists files that match none and
 * `duplicates` names a kind picked twice (the import is refused then: which one was meant is unclear).
 */
export function importFiles(picked: readonly NamedText[]): { files: Partial<Record<ExportFileName, string>>; ignored: string[]; duplicates: string[] } {
  const files: Partial<Record<ExportFileName, string>> = {};
  const ignored: string[] = [];
  const duplicates: string[] = [];
  for (const { name, text } of picked) {
    const kind = EXPORT_FILE_NAMES.find((n) => name === n || name.endsWith(`-${n}`) || name.endsWith(`_${n}`));
    if (!kind) ignored.push(name);
    else if (kind in files) duplicates.push(kind);
    else files[kind] = text;
  }
  return { files, ignored, duplicates };
}
