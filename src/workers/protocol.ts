/**
 * Every message that crosses a worker boundary, in one place (STYLE: one protocol). Engines implement these
 * interfaces as plain classes (testable in Node); engine.worker.ts only exposes them with comlink.
 */
import type { Message } from '../model/chat.ts';
import type { CheckpointManifest } from '../model/checkpoint.ts';
import type { NextState, JudgeKind, EvaluativeResult, DirectiveResult } from '../rl/judge/types.ts';
import type { SampleRecord } from '../rl/records.ts';
import type { TrainingSample } from '../rl/staleness.ts';
import type { Settings } from '../rl/settings.ts';
import type { SavedOptimizer } from '../store/types.ts';
import type { LoraConfig } from '../model/adapter/lora.ts';
import type { BaseModelIdentity, PeftFiles } from '../model/adapter/peft.ts';
import type { ModelConfig } from '../model/presets.ts';

/** The tfjs backend a worker runs on and why it was chosen (the page tells the visitor). */
export interface BackendChoice {
  backend: 'webgpu' | 'wasm' | 'cpu';
  reason: string;
}

/** A checkpoint as it travels and is stored: safetensors bytes plus the manifest (src/model/checkpoint.ts). */
export interface CheckpointBlob {
  bytes: Uint8Array;
  manifest: CheckpointManifest;
}

/** What a loop starts from: the built-in checkpoint (version 0), or a Hugging Face model whose adapter trains. */
export type ModelSource = CheckpointBlob | { hf: HfModelLocation };

/** Published weights of one policy version (trainer → policy and signal workers). */
export interface PolicyWeights {
  version: number;
  weights: Record<string, Float32Array>;
  /** Set when the weights are a LoRA adapter's (adapterSpecs names), applied on the loaded base rather than replacing it. */
  adapter?: LoraConfig;
}

/** An adapter version as it travels and is stored: PEFT's own files (src/model/adapter/peft.ts). */
export interface AdapterVersion {
  version: number;
  files: PeftFiles;
}

/** What the trainer serves after `loadHf`: the adapter (the stored one, or a fresh one as version 0) on its base. */
export interface LoadedAdapter {
  version: number;
  /** The adapter in PEFT's files (what a version stores). */
  files: PeftFiles;
  /** The loaded base's name, revision and checksum. */
  base: BaseModelIdentity;
  /** The adapter's weights as published to the policy and signal engines. */
  weights: PolicyWeights;
  /** The base's shapes and the adapter's: the loop states an update's memory from them (update-memory.ts). */
  model: ModelConfig;
  lora: LoraConfig;
  /** The trainer's GPU's largest storage buffer (bytes), when it runs on WebGPU. */
  maxBufferBytes?: number;
}

/** Loading progress, 0..1, with what is happening. */
export interface Progress {
  fraction: number;
  stage: string;
}

export interface PolicyInfo {
  version: number;
  backend: BackendChoice;
  preset: string;
  parameters: number;
  vocabSize: number;
}

export type SamplingSettings = Pick<Settings, 'temperature' | 'topP' | 'maxTokens'> & { seed?: number };

export interface ReplyRequest {
  sessionId: string;
  /** The context the policy answers: every message so far, the user's last. */
  messages: Message[];
  sampling: SamplingSettings;
  /** How many most likely alternatives to report with each streamed token (an OpenAI-compatible server's `top_logprobs`); 0 or unset: none. */
  topLogprobs?: number;
}

/** What is known of one streamed token besides its text: its sampling log-prob and the most likely alternatives asked for. */
export interface StreamedToken {
  logprob: number;
  top: { piece: string; logprob: number }[];
}

/** A finished reply with everything METHOD §7–8 needs recorded. */
export interface ReplyResult {
  text: string;
  /** The prompt as the policy saw it, role markers included (METHOD §8 `prompt_text`). */
  promptText: string;
  /** The messages the policy actually saw: the oldest are dropped when the session outgrows its context. */
  contextMessages: Message[];
  promptIds: number[];
  responseIds: number[];
  /** The sampling policy's log-prob of each response token (on logits / temperature). */
  responseLogprobs: number[];
  policyVersion: number;
  stopped: 'end' | 'length';
  /** Set when this reply found the GPU gone and the engine moved to wasm (the page tells the visitor). */
  fellBack?: BackendChoice;
  /** Time to the first token and between tokens, for the loop benchmark. */
  ttftMs: number;
  tokenMs: number[];
}

/** Serving: never waits for a judge, a teacher pass or an update (METHOD §7). */
/** Where a Hugging Face model's folder is: a Hub repo, a folder URL on any static server, or files read from disk. */
export type HfModelLocation =
  | { kind: 'hub'; repo: string; revision?: string }
  | { kind: 'url'; url: string }
  | { kind: 'files'; name: string; files: Record<string, Uint8Array> };

export interface PolicyEngineApi {
  init(backend: Settings['backend']): Promise<BackendChoice>;
  load(checkpoint: CheckpointBlob, version: number): Promise<PolicyInfo>;
  /** A Hugging Face model as the (frozen) policy, instead of a checkpoint (engines that serve only checkpoints omit it). */
  loadHf?(location: HfModelLocation, version: number): Promise<PolicyInfo>;
  reply(request: ReplyRequest, onToken?: (piece: string, token: StreamedToken) => void): Promise<ReplyResult>;
  /** Staged, applied between replies, never mid-reply. */
  publish(update: PolicyWeights): Promise<void>;
  info(): Promise<PolicyInfo | null>;
}

/** One main turn whose next state has arrived: what the signal worker needs (METHOD §2–6). */
export interface SignalRequest {
  sessionId: string;
  turn: number;
  kind: JudgeKind;
  /** The context the reply answered. */
  messages: Message[];
  reply: string;
  nextState: NextState;
  promptIds: number[];
  responseIds: number[];
  responseLogprobs: number[];
  policyVersion: number;
  /** Environments (METHOD §2): the task statement the step judge sees. */
  task?: string;
  /** Environments: the episode's outcome, on the step that ended it (the checker's ±1); other steps 0. */
  outcome?: number;
}

/** What the token inspector shows about one turn's directive signal (METHOD §4–5). */
export interface OverlapReport {
  k: number;
  /** O[h][i], per hint candidate and response position. */
  overlap: number[][];
  sums: number[];
  perPosition: number[];
  /** Student top-k ids / log-probs per position, and each hint's teacher top-k. */
  studentTop: { ids: number[]; logprobs: number[] }[];
  teacherTop: { ids: number[]; logprobs: number[] }[][];
  /** Per position: D before the clip, and A after, over the support set. */
  deltas: number[][];
  advantages: number[][];
  /** The clip C the advantages used (METHOD §5; ≤ 0: off). Absent in reports recorded before it was kept. */
  clip?: number;
  path: 'kernels' | 'reference';
  /** Which weights scored as the teacher (METHOD §3): the frozen base or policy as loaded, or the live version (with its adapter, if any). */
  teacher?: { identity: 'frozen' | 'live'; version: number; adapter: boolean };
}

export interface SignalTimings {
  judgeMs: number;
  teacherMs: number;
  kernelMs: number;
}

export interface SignalResult {
  /** Set when the GPU failed and the signal engine moved to wasm. */
  fellBack?: BackendChoice;
  sessionId: string;
  turn: number;
  evaluative: EvaluativeResult;
  directive: DirectiveResult;
  sample: SampleRecord | null;
  report: OverlapReport | null;
  timings: SignalTimings;
}

/** A stored sample more than one version behind, with its turn's context, to recompute (METHOD §7). */
export interface ProximalRequest {
  sample: SampleRecord;
  /** The context the reply answered (the teacher's prompts are built from it and the recorded hints). */
  messages: Message[];
}

export interface ProximalResult {
  /** Set when the GPU failed and the signal engine moved to wasm. */
  fellBack?: BackendChoice;
  /** The sample with the proximal policy's numbers, or null when nothing is left to train. */
  sample: TrainingSample | null;
  /** The version whose weights recomputed it. */
  version: number;
}

/** The trainer's recomputation of stale samples: one per sample, null where the teacher must score again. */
export interface ProximalBatch {
  /** Set when the GPU failed and the trainer moved to wasm. */
  fellBack?: BackendChoice;
  /** The version whose weights recomputed them. */
  version: number;
  samples: (TrainingSample | null)[];
}

export interface SignalEngineApi {
  init(backend: Settings['backend']): Promise<BackendChoice>;
  /** The initial checkpoint (the frozen teacher) and the serving version (the student). */
  load(initial: CheckpointBlob, serving: { checkpoint: CheckpointBlob; version: number } | null): Promise<void>;
  /** A Hugging Face model as the frozen base: teacher and student are the same weights until adapters learn. */
  loadHf?(location: HfModelLocation): Promise<void>;
  publish(update: PolicyWeights): Promise<void>;
  process(request: SignalRequest, settings: Settings): Promise<SignalResult>;
  /** Recomputes a sample's student-side numbers with the newest version, the one being trained (METHOD §7). */
  proximal(request: ProximalRequest, settings: Settings): Promise<ProximalResult>;
  /**
   * The drift metric of the newest published version (METHOD §6): mean k3 KL(current ‖ frozen) on the sampled
   * tokens of `samples` (its update's batch). Here, not in the trainer, so the next update need not wait for it.
   */
  drift(samples: SampleRecord[], settings: Settings): Promise<DriftResult>;
}

/** Metrics of one update (issue 5): loss terms, clipping, case counts, stage times. */
export interface UpdateMetrics {
  version: number;
  timestamp: number;
  samples: number;
  cases: { combined: number; opd: number; grpo: number };
  loss: number;
  lossGRPO: number;
  lossOPD: number;
  kl: number;
  meanAbsAdvantage: number;
  fractionDeltaClipped: number;
  fractionRatioClipped: number;
  /** Samples trained more than one version behind (METHOD §7), their mean behaviour weight and capped fraction. */
  proximalSamples?: number;
  meanBehaviourWeight?: number;
  fractionBehaviourWeightCapped?: number;
  meanReward: number;
  meanResponseLength: number;
  /**
   * Drift from the frozen reference after the update (the exact KL(current ‖ frozen) over the vocabulary, mean over the batch's trained reply positions); computed after the
   * version is published (`SignalEngineApi.drift`), absent from `UpdateResult.metrics`.
   */
  klToFrozen: number;
  backwardMs: number;
  syncMs: number;
  /** Signal work behind this batch's samples, summed over the turns judged since the last update. */
  judgeMs?: number;
  teacherMs?: number;
  kernelMs?: number;
  /**
   * The loop's stages of this update: recomputing stale samples, the trainer call, the store commit, publishing
   * (the last two only in the loop's update event: the metrics are stored before them).
   */
  proximalMs?: number;
  /** Stale samples whose π_old top-k moved, so the signal engine scored their teacher again (METHOD §7). */
  proximalRescored?: number;
  trainMs?: number;
  commitMs?: number;
  publishMs?: number;
  /** Measuring the drift metric after publishing (two forward passes). */
  driftMs?: number;
  tokensPerS: number;
}

/** A sample on its way to an update, with its store id (an import may have renamed it), which the result names. */
/** A sample as an update trains it: with its stored id (reported back as trained) and, when stale, its recomputed quantities. */
export type BatchSample = TrainingSample & { id: string };

export interface UpdateResult {
  /** Set when the GPU failed and the trainer moved to wasm. */
  fellBack?: BackendChoice;
  version: number;
  /** Every weight (full fine-tuning), or the adapter's when `adapterConfig` is set: what the engines are published. */
  weights: Record<string, Float32Array>;
  adapterConfig?: LoraConfig;
  /** The whole policy (full fine-tuning); absent when the version is an adapter on a loaded base (then `adapter`). */
  checkpoint?: CheckpointBlob;
  /** The version's adapter in PEFT's files, with the base's name, revision and checksum. */
  adapter?: PeftFiles;
  /** The base the adapter was trained on (with `adapter`). */
  base?: BaseModelIdentity;
  /** Saved with the update, so the optimizer resumes after a reload. */
  optimizer: SavedOptimizer;
  /** Every metric but the drift, which `drift` gives once the version serves. */
  metrics: Omit<UpdateMetrics, 'klToFrozen'>;
  /** The store ids of the samples this update trained on, as `update` received them. */
  trainedSamples: string[];
}

export interface TrainerEngineApi {
  init(backend: Settings['backend']): Promise<BackendChoice>;
  /**
   * `optimizer`: the Adam state saved with the serving version's update; used when it is that version's and
   * was written with the settings of the next update, otherwise Adam starts over.
   */
  load(initial: CheckpointBlob, serving: CheckpointBlob | null, servingVersion: number, optimizer?: SavedOptimizer | null): Promise<void>;
  /**
   * Samples more than one version behind, recomputed with the weights the next update trains (METHOD §7); null
   * where the teacher must score the reply again (then the signal engine's `proximal` does).
   */
  proximal(samples: SampleRecord[], settings: Settings): Promise<ProximalBatch>;
  /**
   * A Hugging Face model as the frozen base and a LoRA adapter as what trains: `serving`'s adapter (refused on
   * another base), or a new one from `lora` (B = 0: version 0 is the base).
   */
  loadHf?(location: HfModelLocation, lora: LoraConfig, serving: AdapterVersion | null, optimizer?: SavedOptimizer | null): Promise<LoadedAdapter>;
  /** Runs one hybrid update (METHOD §6) on these samples; the result is policy version `version`. */
  update(samples: BatchSample[], settings: Settings, version: number): Promise<UpdateResult>;
}

export interface DriftResult {
  /** The version whose weights were measured. */
  version: number;
  klToFrozen: number;
  /** Set when the GPU failed and the trainer moved to wasm. */
  fellBack?: BackendChoice;
}

/** The key of a turn or sample across the store and the workers. */
export function turnKey(sessionId: string, turn: number): string {
  return `${sessionId}/${turn}`;
}
