/**
 * The training side as the dashboard shows it (METHOD §6–7): every update's metrics, the loop's queue,
 * the saved policy versions and which one is served; rollback serves an earlier version again.
 */
import type { QueueState } from '../../workers/online-loop.ts';
import type { UpdateMetrics } from '../../workers/protocol.ts';
import { need, type RuntimeRef } from './runtime.ts';

export class TrainingState {
  metrics = $state.raw<UpdateMetrics[]>([]);
  queue = $state<QueueState | null>(null);
  versions = $state.raw<number[]>([]);
  serving = $state(0);
  /** What a rollback in progress is doing, for the progress line. */
  rollingBack = $state<string | null>(null);
  problem = $state<string | null>(null);

  constructor(private readonly runtime: RuntimeRef) {}

  async refresh(): Promise<void> {
    const { store, loop } = need(this.runtime);
    const [metrics, versions] = await Promise.all([store.listMetrics(), store.listCheckpointVersions()]);
    this.metrics = metrics as unknown as UpdateMetrics[];
    this.versions = versions;
    this.serving = loop.version;
  }

  addUpdate(metrics: UpdateMetrics): void {
    this.metrics = [...this.metrics.filter((m) => m.version !== metrics.version), metrics].sort((a, b) => a.version - b.version);
    this.serving = metrics.version;
    if (!this.versions.includes(metrics.version)) this.versions = [...this.versions, metrics.version].sort((a, b) => a - b);
  }

  /** Serve `version` again: the loop records it and every worker loads it (a running update finishes first). */
  async rollback(version: number): Promise<void> {
    const { loop } = need(this.runtime);
    this.problem = null;
    try {
      this.rollingBack = `Loading version ${version} into the workers…`;
      await loop.rollback(version);
      await this.refresh();
    } catch (e) {
      this.problem = `Rollback failed: ${(e as Error).message}`;
    } finally {
      this.rollingBack = null;
    }
  }
}
