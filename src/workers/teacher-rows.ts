/**
 * The frozen teacher's log-prob rows of recent replies, kept in memory (METHOD §3, §7): a sample recomputed
 * because it fell behind needs π_old again, but under the frozen teacher the teacher's rows of the same reply
 * under the same hint context are the same numbers, so they are looked up rather than scored again. Keyed by
 * the exact teacher context, reply and temperature; the least recently used go first past a byte budget (a
 * large vocabulary keeps few or none); emptied whenever the teacher's weights change.
 */
export class TeacherRows {
  private readonly rows = new Map<string, Float32Array>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  private static key(contextIds: readonly number[], responseIds: readonly number[], temperature: number): string {
    return `${temperature}|${contextIds.join(',')}|${responseIds.join(',')}`;
  }

  /** The rows of this reply under this context, scored once by `score`, then looked up. */
  async get(contextIds: readonly number[], responseIds: readonly number[], temperature: number, score: () => Promise<Float32Array>): Promise<Float32Array> {
    const key = TeacherRows.key(contextIds, responseIds, temperature);
    const kept = this.rows.get(key);
    if (kept) {
      this.rows.delete(key);
      this.rows.set(key, kept); // most recently used last
      return kept;
    }
    const rows = await score();
    if (rows.byteLength > this.budgetBytes) return rows;
    this.rows.set(key, rows);
    this.bytes += rows.byteLength;
    for (const [oldest, value] of this.rows) {
      if (this.bytes <= this.budgetBytes) break;
      this.rows.delete(oldest);
      this.bytes -= value.byteLength;
    }
    return rows;
  }

  clear(): void {
    this.rows.clear();
    this.bytes = 0;
  }
}
