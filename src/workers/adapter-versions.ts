/**
 * Adapter versions on a loaded Hugging Face base (issue 13), as the online loop uses them: loading a saved
 * version into the trainer (refused, with the base it was saved for, on another base), the lineage's view of a
 * saved version, and what an update of the adapter needs in memory against the `updateMemoryMb` cap.
 */
import type { Settings } from '../rl/settings.ts';
import type { RecordStore, StoredAdapter } from '../store/types.ts';
import type { HfModelLocation, LoadedAdapter, TrainerEngineApi } from './protocol.ts';
import type { VersionManifest } from './version-lineage.ts';
import { loraConfigOf } from '../model/adapter/lora.ts';
import { describeUpdateMemory, planUpdate, updateMemoryCap, updateMemoryRefusal, type UpdateShape } from '../model/adapter/update-memory.ts';

/**
 * The trainer on `location` with adapter `version` (a fresh one, B = 0, where version 0 was not saved yet) and the
 * saved Adam state. An adapter saved for another base is refused with the base it names; the trainer keeps what it had.
 */
export async function loadAdapterVersion(
  store: RecordStore, trainer: Pick<TrainerEngineApi, 'loadHf'>, location: HfModelLocation, settings: Settings, version: number,
): Promise<{ loaded: LoadedAdapter; stored: StoredAdapter | undefined }> {
  const [stored, optimizer] = await Promise.all([store.getAdapter(version), store.getOptimizer()]);
  if (version > 0 && !stored) throw new Error(`no saved adapter for version ${version}`);
  try {
    const loaded = await trainer.loadHf!(location, loraConfigOf(settings), stored ? { version, files: stored.adapter } : null, optimizer ?? null);
    return { loaded, stored };
  } catch (e) {
    if (stored && e instanceof Error && e.name === 'AdapterError') {
      throw new Error(`adapter version ${version} was saved for ${baseLabel(stored)} and is refused on this base: ${e.message}`);
    }
    throw e;
  }
}

/** A saved version's parent as the lineage reads it: an adapter's, or a whole checkpoint's manifest. */
export async function versionManifest(store: RecordStore, version: number): Promise<VersionManifest | undefined> {
  const adapter = await store.getAdapter(version);
  if (adapter) return adapterManifest(adapter);
  return (await store.getCheckpoint(version))?.manifest;
}

/** A saved adapter's parent, as the version lineage reads a checkpoint's manifest. */
export function adapterManifest(adapter: StoredAdapter | undefined): VersionManifest {
  return adapter && adapter.parentVersion !== null ? { training: { step: adapter.version, parentVersion: adapter.parentVersion } } : {};
}

function baseLabel(adapter: StoredAdapter): string {
  const { name, revision, sha256 } = adapter.base;
  return `"${name}"${revision ? ` at revision ${revision}` : ''} (weights sha256 ${sha256.slice(0, 12)}…)`;
}

/**
 * What an update of `batch` needs (update-memory.ts planUpdate: one sample at a time, checkpointing, when the
 * whole is over the cap) as the page states it, and why it is refused, or null: over the `updateMemoryMb` cap
 * even one sample at a time, or logits over the trainer's GPU buffer limit.
 */
export function updateMemory(adapter: LoadedAdapter, batch: UpdateShape, settings: Pick<Settings, 'updateMemoryMb'>): { line: string; refusal: string | null } {
  const cap = updateMemoryCap(settings);
  const { shape, memory } = planUpdate(adapter.model, adapter.lora, batch, cap);
  return {
    line: `${describeUpdateMemory(memory, shape)}; the cap is ${settings.updateMemoryMb} MB.`,
    refusal: updateMemoryRefusal(memory, shape, cap, adapter.maxBufferBytes),
  };
}
