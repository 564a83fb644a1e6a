/**
 * The Hugging Face model the page runs (issue 12): what the picker chose, the probe before any download (files,
 * sizes, the memory plan, the storage quota), the visitor's go-ahead, the download with progress per file and
 * overall, and "Forget this model". A model that will not fit is refused here, before its weights are fetched.
 */
import { HfModelError } from '../../model/hf/errors.ts';
import type { HfModelLocation } from '../../workers/protocol.ts';
import { deviceLimits, HfFolderDownload, probeLocalFolder, type ModelProbe } from '../load/hf-download.ts';
import { folderBase, type ModelChoice } from '../load/model-choice.ts';
import { cacheStorageStore, type FileProgress } from '../load/model-cache.ts';

export type HfStage = 'probing' | 'planned' | 'refused' | 'downloading' | 'failed' | 'loaded';

export interface HfReady {
  location: HfModelLocation;
  probe: ModelProbe;
}

export class HfModelState {
  choice = $state<ModelChoice>({ kind: 'builtin' });
  stage = $state<HfStage | null>(null);
  probe = $state.raw<ModelProbe | null>(null);
  /** Per file, as the download reports it. */
  progress = $state<Record<string, FileProgress>>({});
  /** Why the model was refused or its download failed (one message, with the numbers or the file). */
  problem = $state<string | null>(null);
  forgotten = $state<string | null>(null);
  private download: HfFolderDownload | null = null;
  private go: (() => void) | null = null;

  /** Bytes downloaded and to download over every file, for the overall bar. */
  get overall(): { loaded: number; total: number } {
    let loaded = 0;
    let total = 0;
    for (const f of this.probe?.files ?? []) {
      const p = this.progress[f.name];
      total += f.bytes ?? p?.totalBytes ?? 0;
      loaded += f.here ? (f.bytes ?? 0) : (p?.loadedBytes ?? 0);
    }
    return { loaded, total };
  }

  /**
   * Probes the chosen folder, waits for the visitor's go-ahead unless every file is cached already, downloads,
   * and returns the files for the workers. Resolves only once the model is ready; a refusal waits for another pick.
   */
  async prepare(choice: Exclude<ModelChoice, { kind: 'builtin' | 'files' }>, pageUrl: string): Promise<HfReady> {
    this.choice = choice;
    this.download = new HfFolderDownload(folderBase(choice, pageUrl), cacheStorageStore());
    const { limits, storage } = await deviceLimits();
    this.stage = 'probing';
    const probe = await this.refuseOnError(() => this.download!.probe(limits, storage));
    this.probe = probe;
    if (probe.plan.refusals.length > 0) return this.refuse(`This model will not fit, so nothing was downloaded: ${probe.plan.refusals.join('; ')}.`);
    if (probe.files.some((f) => !f.cached)) {
      this.stage = 'planned';
      await new Promise<void>((resolve) => (this.go = resolve));
    }
    for (;;) {
      this.stage = 'downloading';
      this.problem = null;
      try {
        const files = await this.download.download((p) => (this.progress = { ...this.progress, [p.file]: p }));
        this.probe = { ...probe, files: probe.files.map((f) => ({ ...f, bytes: files[f.name]?.length ?? f.bytes })) };
        this.stage = 'loaded';
        return { location: { kind: 'files', name: this.download.base, files }, probe };
      } catch (e) {
        this.problem = (e as Error).message;
        this.stage = 'failed';
        await new Promise<void>((resolve) => (this.go = resolve));
      }
    }
  }

  /** A folder picked from disk: checked and planned the same way, nothing downloaded or cached. */
  async prepareLocal(name: string, files: Record<string, Uint8Array>): Promise<HfReady> {
    this.choice = { kind: 'files', name };
    this.download = null;
    this.progress = {};
    this.stage = 'probing';
    const { limits } = await deviceLimits();
    const probe = await this.refuseOnError(() => probeLocalFolder(name, files, limits));
    this.probe = probe;
    if (probe.plan.refusals.length > 0) return this.refuse(`This model will not fit: ${probe.plan.refusals.join('; ')}.`);
    this.stage = 'loaded';
    return { location: { kind: 'files', name, files }, probe };
  }

  /** The visitor's go-ahead: download (or retry a download that failed). */
  start(): void {
    this.go?.();
    this.go = null;
  }

  async forget(): Promise<void> {
    if (!this.download) return;
    const n = await this.download.forget();
    this.forgotten = `Forgot ${n} cached file${n === 1 ? '' : 's'} of ${this.download.base}. The next visit downloads it again.`;
  }

  private async refuseOnError(work: () => Promise<ModelProbe>): Promise<ModelProbe> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof HfModelError) return this.refuse(`This model cannot be loaded, so nothing was downloaded: ${e.message}.`);
      return this.refuse(`The model could not be read: ${(e as Error).message}`);
    }
  }

  /** Stays refused (never resolves): the visitor picks another model. */
  private refuse(message: string): Promise<never> {
    this.problem = message;
    this.stage = 'refused';
    return new Promise<never>(() => {});
  }
}
