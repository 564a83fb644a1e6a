/**
 * The serving version's lineage (METHOD §7): the serving version, the version it was trained from, that one's
 * parent, … as far as a sample may be behind and still train. A rollback starts a new lineage, so samples of
 * the versions it left behind are in none. Parents come from the checkpoints' manifests, read only as deep
 * as asked.
 */
import type { CheckpointBlob } from './protocol.ts';

/** What the lineage reads of a saved version: a checkpoint's manifest, or an adapter's parent as one. */
export type VersionManifest = Pick<CheckpointBlob['manifest'], 'training'>;

/**
 * The version a checkpoint was trained from (online updates record it; otherwise the number before), or
 * undefined for the shipped checkpoint.
 */
export function parentVersion(version: number, manifest: VersionManifest): number | undefined {
  if (version === 0) return undefined;
  const parent = manifest.training?.parentVersion;
  return typeof parent === 'number' ? parent : version - 1;
}

export class VersionLineage {
  /** Serving first; `complete` once the chain's root (or a deleted checkpoint) has been reached. */
  private chain: number[] = [];
  private complete = false;

  /** @param manifestOf a stored version's checkpoint manifest, undefined when it is not stored. */
  constructor(private readonly manifestOf: (version: number) => Promise<VersionManifest | undefined>) {}

  /** A new serving version whose checkpoint manifest is `manifest` (start, rollback). */
  reset(version: number, manifest: VersionManifest): void {
    const parent = parentVersion(version, manifest);
    this.chain = parent === undefined ? [version] : [version, parent];
    this.complete = parent === undefined;
  }

  /** An update made `version` from the serving one. */
  advance(version: number): void {
    this.chain.unshift(version);
  }

  /** The serving version and up to `depth` ancestors, nearest first (reads the manifests it does not know yet). */
  async ancestors(depth: number): Promise<number[]> {
    while (!this.complete && this.chain.length < depth + 1) {
      const oldest = this.chain[this.chain.length - 1];
      const manifest = await this.manifestOf(oldest);
      if (this.chain[this.chain.length - 1] !== oldest) continue; // another reader (or a reset) got there first
      const parent = manifest ? parentVersion(oldest, manifest) : undefined;
      if (parent === undefined) this.complete = true;
      else this.chain.push(parent);
    }
    return this.chain.slice(0, depth + 1);
  }
}
