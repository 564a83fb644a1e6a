/**
 * Which model a policy server's data folder holds records of. Token ids, log-probs and checkpoints of one model
 * mean nothing to another, so a folder kept for one model is refused for another instead of mixing them. The
 * mark is a small JSON file beside the LevelDB files (LevelDB ignores files it did not write).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServedModelSource } from './policy-model.ts';

export const MODEL_MARK_FILE = 'nextstate-model.json';

export interface ModelMark {
  /** `builtin`, or the family of a Hugging Face model. */
  model: string;
  /** For a Hugging Face model: SHA-256 over its files (names and bytes), so another model of the same family differs. */
  sha256?: string;
  /** Where it was loaded from, for the message only. */
  source?: string;
}

export function modelMark(served: ServedModelSource): ModelMark {
  if (served.kind === 'builtin') return { model: 'builtin' };
  const hash = createHash('sha256');
  for (const name of Object.keys(served.location.files).sort()) hash.update(`${name}\0`).update(served.location.files[name]);
  return { model: served.family, sha256: hash.digest('hex'), source: served.location.name };
}

/**
 * Refuses a data folder whose records belong to another model, with a message saying which; marks a new folder.
 * A folder from before the mark existed holds the built-in model's records if it has its checkpoint 0.
 */
export function claimDataFolder(dataDir: string, mark: ModelMark, hasBuiltinCheckpoint: boolean): void {
  const file = join(dataDir, MODEL_MARK_FILE);
  let kept: ModelMark | null = hasBuiltinCheckpoint ? { model: 'builtin' } : null;
  if (existsSync(file)) {
    try {
      kept = JSON.parse(readFileSync(file, 'utf8')) as ModelMark;
    } catch (error) {
      throw new Error(`${file} is not valid JSON (${(error as Error).message}); it says which model the records belong to`);
    }
  }
  if (kept && (kept.model !== mark.model || kept.sha256 !== mark.sha256)) {
    const name = (m: ModelMark) => (m.model === 'builtin' ? 'the built-in model' : `a ${m.model} model from ${m.source ?? 'a folder'}`);
    throw new Error(`the data folder ${dataDir} holds records of ${name(kept)}, not of ${name(mark)}: use another --data`);
  }
  if (!existsSync(file)) writeFileSync(file, `${JSON.stringify(mark, null, 2)}\n`);
}
