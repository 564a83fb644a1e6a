import { describe, it, expect } from 'vitest';
import { EXPORT_FILE_NAMES } from '../../store/types.ts';
import { exportDownloads, exportPrefix, importFiles } from './export-files.ts';

describe('export files as downloaded and picked again', () => {
  const exported = { files: { 'turns.jsonl': 'T\n', 'judge.jsonl': 'J\n', 'samples.jsonl': 'S\n', 'manifest.json': '{}\n' } };

  it('round-trip: the downloads, picked in any order, give the store back its four files', () => {
    const prefix = exportPrefix(new Date(2026, 10, 24, 9, 5));
    expect(prefix).toBe('nextstate-2026-11-24-0905');
    const downloads = exportDownloads(exported, prefix);
    expect(downloads.map((d) => d.name)).toEqual(EXPORT_FILE_NAMES.map((n) => `${prefix}-${n}`));
    const { files, ignored, duplicates } = importFiles([...downloads].reverse());
    expect(files).toEqual(exported.files);
    expect(ignored).toEqual([]);
    expect(duplicates).toEqual([]);
  });

  it('takes the plain names too, ignores other files and reports a kind picked twice', () => {
    const r = importFiles([
      { name: 'turns.jsonl', text: 'a' },
      { name: 'notes.txt', text: 'b' },
      { name: 'x-turns.jsonl', text: 'c' },
      { name: 'mysamples.jsonl', text: 'd' },
    ]);
    expect(r.files).toEqual({ 'turns.jsonl': 'a' });
    expect(r.ignored).toEqual(['notes.txt', 'mysamples.jsonl']);
    expect(r.duplicates).toEqual(['turns.jsonl']);
  });
});
