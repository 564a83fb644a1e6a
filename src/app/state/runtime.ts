/** What the panels act on once the model is loaded: the store, the worker engines, the loop and the tokenizer. */
import type { OnlineLoop } from '../../workers/online-loop.ts';
import type { WorkerEngines } from '../../workers/page-engines.ts';
import type { CheckpointBlob, HfModelLocation } from '../../workers/protocol.ts';
import type { ChatTokenizer } from '../../model/chat-tokenizer.ts';
import type { RecordStore } from '../../store/types.ts';

export interface Runtime {
  store: RecordStore;
  engines: WorkerEngines;
  /** Replaced when a rollback or a backend change restarts the loop. */
  loop: OnlineLoop;
  /**
   * What the page loaded: the built-in checkpoint (version 0, and the frozen teacher, METHOD §3), or a Hugging
   * Face model's files, served as a frozen base.
   */
  model: CheckpointBlob | { hf: HfModelLocation };
  tokenizer: ChatTokenizer;
  /** The policy's vocabulary: token ids of its records index it. */
  vocabSize: number;
}

/** Filled in once booting is done; the states read it when they act. */
export interface RuntimeRef {
  current: Runtime | null;
}

export function need(ref: RuntimeRef): Runtime {
  if (!ref.current) throw new Error('The model is not loaded yet.');
  return ref.current;
}
