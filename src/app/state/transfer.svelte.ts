/**
 * Export and import (issue 6 "Sessions"): sessions as the store's JSONL files, the served policy version as
 * safetensors + manifest; import validates everything first and touches nothing when it refuses.
 */
import { exportDownloads, exportPrefix, importFiles, type NamedText } from '../sessions/export-files.ts';
import { recordLimits } from '../../rl/record-validate.ts';
import { need, type RuntimeRef } from './runtime.ts';
import { PEFT_CONFIG_FILE, PEFT_WEIGHTS_FILE } from '../../model/adapter/peft.ts';

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export interface DownloadLink {
  name: string;
  url: string;
  bytes: number;
}

export class TransferState {
  /** What a running export is doing; null when idle. */
  exporting = $state<string | null>(null);
  sessionLinks = $state.raw<DownloadLink[]>([]);
  checkpointLinks = $state.raw<DownloadLink[]>([]);
  importing = $state(false);
  /** The last import's outcome, or why it was refused (one problem per line). */
  imported = $state<string | null>(null);
  importProblems = $state.raw<string[]>([]);
  problem = $state<string | null>(null);

  constructor(private readonly runtime: RuntimeRef, private readonly afterImport: (sessionIds: string[]) => Promise<void>) {}

  /** All sessions (or the given ones) as four downloadable files. */
  async exportSessions(sessionIds?: string[]): Promise<void> {
    await this.run('sessionLinks', 'Reading the records…', async () => {
      const exported = await need(this.runtime).store.exportSessions(sessionIds);
      this.exporting = 'Writing the files…';
      return exportDownloads(exported, exportPrefix(new Date())).map(({ name, text }) => ({ name, blob: new Blob([text], { type: name.endsWith('.json') ? 'application/json' : 'application/x-ndjson' }) }));
    });
  }

  /**
   * The served policy version: its safetensors bytes and manifest, or on a loaded model its adapter in PEFT's
   * files (adapter_model.safetensors, adapter_config.json), which PEFT loads onto the same base elsewhere.
   */
  async exportCheckpoint(): Promise<void> {
    await this.run('checkpointLinks', 'Reading the checkpoint…', async () => {
      const { store, loop } = need(this.runtime);
      const version = loop.version;
      const adapter = await store.getAdapter(version);
      if (adapter) {
        return [
          { name: PEFT_WEIGHTS_FILE, blob: new Blob([adapter.adapter.weights as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }) },
          { name: PEFT_CONFIG_FILE, blob: new Blob([JSON.stringify(adapter.adapter.config, null, 2)], { type: 'application/json' }) },
        ];
      }
      const checkpoint = await store.getCheckpoint(version);
      if (!checkpoint) throw new Error(`No checkpoint of version ${version} is saved.`);
      const base = `nextstate-policy-v${version}`;
      return [
        { name: `${base}.safetensors`, blob: new Blob([checkpoint.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }) },
        { name: `${base}.json`, blob: new Blob([JSON.stringify(checkpoint.manifest, null, 1)], { type: 'application/json' }) },
      ];
    });
  }

  /** A PEFT adapter's two files as the next version on the loaded base; refused (nothing changed) when it does not fit it. */
  async importAdapter(picked: File[]): Promise<void> {
    this.importing = true;
    this.imported = null;
    this.importProblems = [];
    try {
      const weights = picked.find((f) => f.name === PEFT_WEIGHTS_FILE);
      const config = picked.find((f) => f.name === PEFT_CONFIG_FILE);
      if (!weights || !config) throw new Error(`Pick the adapter's two files: ${PEFT_WEIGHTS_FILE} and ${PEFT_CONFIG_FILE}.`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(await config.text());
      } catch (e) {
        throw new Error(`${PEFT_CONFIG_FILE} is not JSON: ${(e as Error).message}`);
      }
      const { loop } = need(this.runtime);
      const version = await loop.importAdapter({ weights: new Uint8Array(await weights.arrayBuffer()), config: parsed as Record<string, unknown> });
      this.imported = `Imported the adapter as version ${version}, now served.`;
      await this.afterImport([]);
    } catch (e) {
      this.importProblems = [(e as Error).message];
    } finally {
      this.importing = false;
    }
  }

  async importFrom(picked: File[]): Promise<void> {
    this.importing = true;
    this.imported = null;
    this.importProblems = [];
    try {
      const texts: NamedText[] = await Promise.all(picked.map(async (f) => ({ name: f.name, text: await f.text() })));
      const { files, ignored, duplicates } = importFiles(texts);
      if (duplicates.length > 0) {
        this.importProblems = duplicates.map((kind) => `Two of the picked files are ${kind}: pick one export's files.`);
        return;
      }
      const { store, vocabSize } = need(this.runtime);
      // Token ids must index the vocabulary of the policy they would train.
      const result = await store.importSessions(files, recordLimits(vocabSize));
      const renamed = Object.keys(result.renamed).length;
      this.imported =
        `Imported ${count(result.sessions.length, 'session')}: ${count(result.counts.turns, 'turn')}, ${count(result.counts.judges, 'judge record')}, ${count(result.counts.samples, 'sample')}.` +
        (renamed ? ` ${count(renamed, 'session')} already here got a new id.` : '') +
        (ignored.length ? ` Ignored: ${ignored.join(', ')}.` : '');
      await this.afterImport(result.sessions.map((s) => s.id));
    } catch (e) {
      const error = e as Error & { problems?: string[] };
      this.importProblems = error.problems ?? [error.message];
    } finally {
      this.importing = false;
    }
  }

  private async run(target: 'sessionLinks' | 'checkpointLinks', stage: string, work: () => Promise<{ name: string; blob: Blob }[]>): Promise<void> {
    this.exporting = stage;
    this.problem = null;
    try {
      const made = await work();
      for (const link of this[target]) URL.revokeObjectURL(link.url);
      this[target] = made.map(({ name, blob }) => ({ name, url: URL.createObjectURL(blob), bytes: blob.size }));
    } catch (e) {
      this.problem = `Export failed: ${(e as Error).message}`;
    } finally {
      this.exporting = null;
    }
  }
}
