/**
 * The serving engine: loads a checkpoint and answers with streamed tokens. It records for each reply the
 * policy version and the sampling log-probs (METHOD §7–8), and swaps in a published version only between
 * replies (never mid-reply, never refusing one).
 */
import type { Message } from '../model/chat.ts';
import type { Policy } from '../model/policy.ts';
import { StreamDecoder, type ChatTokenizer } from '../model/chat-tokenizer.ts';
import { disposePolicy, locationFiles, servedCheckpoint, servedHfModel, withPublished, type ServedModel } from './served-model.ts';
import type { Backend } from '../rl/settings.ts';
import { initBackend } from './tfjs-backend.ts';
import { withGpuFallback } from './gpu-recovery.ts';
import type { BackendChoice, CheckpointBlob, HfModelLocation, PolicyEngineApi, PolicyInfo, PolicyWeights, ReplyRequest, ReplyResult, StreamedToken } from './protocol.ts';
import { logSoftmax } from '../model/sampling.ts';
import { fitTogether, generateBatch, type BatchPrompt } from '../model/generate.ts';

/** Room kept for the reply when a long session is cut to fit the context. */
const MIN_REPLY_ROOM = 96;

/** The most replies decoded together (requests that arrived while others were decoding). */
const MAX_BATCH = 8;

type OnToken = (piece: string, token: StreamedToken) => void;

/** A reply asked for and not started yet. */
interface Waiting {
  request: ReplyRequest;
  onToken?: OnToken;
  resolve: (result: ReplyResult) => void;
  reject: (error: unknown) => void;
}

/** A waiting reply taken into a batch: its context as it fits, and its token budget there. */
interface BatchRow {
  waiting: Waiting;
  contextMessages: Message[];
  promptIds: number[];
  maxTokens: number;
}

/**
 * The newest messages that fit in `maxLen` with room for a reply: the oldest are dropped whole; the last
 * message (the user's) is always kept, cut from its start if it alone is too long.
 */
export function fitContext(tokenizer: ChatTokenizer, messages: Message[], maxLen: number, maxTokens: number): { messages: Message[]; ids: number[] } {
  const budget = maxLen - Math.min(maxTokens, MIN_REPLY_ROOM);
  for (let first = 0; first < messages.length; first++) {
    const kept = messages.slice(first);
    const ids = tokenizer.encodePrompt(kept);
    if (ids.length <= budget) return { messages: kept, ids };
  }
  const last = messages[messages.length - 1];
  const cut = { ...last, content: last.content.slice(-Math.max(1, budget - 8)) };
  return { messages: [cut], ids: tokenizer.encodePrompt([cut]) };
}

/** The `topLogprobs` most likely tokens under the sampling policy (logits / temperature; temperature 1 when greedy). */
function topAlternatives(tokenizer: ChatTokenizer, logits: Float32Array, request: ReplyRequest): StreamedToken['top'] {
  const n = Math.min(request.topLogprobs ?? 0, logits.length);
  if (n <= 0) return [];
  const logprobs = logSoftmax(logits, request.sampling.temperature > 0 ? request.sampling.temperature : 1);
  const top: number[] = [];
  for (let i = 0; i < logprobs.length; i++) {
    if (top.length === n && logprobs[i] <= logprobs[top[n - 1]]) continue;
    const at = top.findIndex((j) => logprobs[i] > logprobs[j]);
    top.splice(at < 0 ? top.length : at, 0, i);
    if (top.length > n) top.pop();
  }
  return top.map((id) => ({ piece: tokenizer.decode([id]), logprob: logprobs[id] }));
}

export class PolicyEngine implements PolicyEngineApi {
  private policy: Policy | null = null;
  private tokenizer: ChatTokenizer | null = null;
  private preset = '';
  private version = 0;
  private backend: BackendChoice = { backend: 'cpu', reason: 'not started' };
  private staged: PolicyWeights | null = null;
  /** What the policy can be rebuilt from if the GPU fails: the loaded checkpoint or model, and the newest published weights. */
  private source: (() => Promise<ServedModel>) | null = null;
  private published: PolicyWeights | null = null;
  /** Replies asked for while others decode; they start together, in order, once those end. */
  private waiting: Waiting[] = [];
  private decoding = false;
  /** Told when a batch starts decoding, at each of its steps, and when it ends (the page's serving gate: serving-gate.ts). */
  protected onDecoding?: (event: 'start' | 'step' | 'end') => void;

  async init(requested: Backend): Promise<BackendChoice> {
    this.backend = await initBackend(requested);
    return this.backend;
  }

  async load(checkpoint: CheckpointBlob, version: number): Promise<PolicyInfo> {
    return this.serve(() => servedCheckpoint(checkpoint), version);
  }

  async loadHf(location: HfModelLocation, version: number): Promise<PolicyInfo> {
    return this.serve(() => servedHfModel(locationFiles(location)), version);
  }

  private async serve(source: () => Promise<ServedModel>, version: number): Promise<PolicyInfo> {
    const served = await source();
    this.source = source;
    this.published = null;
    disposePolicy(this.policy);
    this.policy = served.policy;
    this.tokenizer = served.tokenizer;
    this.preset = served.preset;
    this.version = version;
    this.staged = null;
    return this.describe();
  }

  async publish(update: PolicyWeights): Promise<void> {
    if (!this.staged || update.version > this.staged.version) this.staged = update;
  }

  async info(): Promise<PolicyInfo | null> {
    return this.policy ? this.describe() : null;
  }

  /**
   * A reply, streamed through `onToken`. Requests that arrive while replies are decoding wait, and then decode
   * together (one forward pass per step for all of them, up to MAX_BATCH, those whose replies fit beside the
   * longest prompt), in the order they arrived; a published version is taken up only between such batches.
   */
  reply(request: ReplyRequest, onToken?: OnToken): Promise<ReplyResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ request, onToken, resolve, reject });
      void this.decodeWaiting();
    });
  }

  private async decodeWaiting(): Promise<void> {
    if (this.decoding) return;
    this.decoding = true;
    try {
      while (this.waiting.length > 0) {
        let batch: BatchRow[];
        try {
          this.applyStaged();
          batch = this.nextBatch();
        } catch (error) {
          // no policy loaded: every waiting reply fails with the reason
          for (const w of this.waiting.splice(0)) w.reject(error);
          break;
        }
        try {
          const { result, fellBack } = await withGpuFallback(() => this.replyNow(batch), (choice) => this.rebuild(choice));
          batch.forEach((b, i) => b.waiting.resolve(fellBack ? { ...result[i], fellBack } : result[i]));
        } catch (error) {
          for (const b of batch) b.waiting.reject(error);
        }
      }
    } finally {
      this.decoding = false;
    }
  }

  /** The first waiting request and the next ones (in order) that fit together with it (generate.ts fitTogether). */
  private nextBatch(): BatchRow[] {
    const maxLen = this.need().config.maxLen;
    const batch: BatchRow[] = [];
    for (let i = 0; i < this.waiting.length && batch.length < MAX_BATCH; ) {
      const waiting = this.waiting[i];
      const { messages: contextMessages, ids: promptIds } = fitContext(this.tokenizer!, waiting.request.messages, maxLen, waiting.request.sampling.maxTokens);
      const row = { waiting, contextMessages, promptIds, maxTokens: Math.min(waiting.request.sampling.maxTokens, maxLen - promptIds.length) };
      const rows = [...batch, row];
      if (batch.length === 0 || fitTogether(maxLen, rows.map((r) => ({ promptLength: r.promptIds.length, maxTokens: r.maxTokens })))) {
        batch.push(row);
        this.waiting.splice(i, 1);
      } else i++;
    }
    return batch;
  }

  private async rebuild(choice: BackendChoice): Promise<void> {
    this.backend = choice;
    const { policy } = await this.source!();
    this.policy = this.published ? withPublished(policy, this.published) : policy;
  }

  private describe(): PolicyInfo {
    const policy = this.need();
    return {
      version: this.version,
      backend: this.backend,
      preset: this.preset,
      parameters: policy.parameterCount,
      vocabSize: policy.config.vocabSize,
    };
  }

  private need(): Policy {
    if (!this.policy || !this.tokenizer) throw new Error('PolicyEngine: no checkpoint loaded');
    return this.policy;
  }

  /** Between replies: the newest published version, if any, becomes the serving one. */
  private applyStaged(): void {
    if (!this.staged || this.staged.version <= this.version) return;
    this.policy = withPublished(this.need(), this.staged);
    this.version = this.staged.version;
    this.published = this.staged;
    this.staged = null;
  }

  private async replyNow(batch: BatchRow[]): Promise<ReplyResult[]> {
    const policy = this.need();
    const tokenizer = this.tokenizer!;
    const version = this.version;
    const started = performance.now();
    const timings = batch.map(() => ({ last: started, ttftMs: 0, tokenMs: [] as number[] }));
    const streams = batch.map(() => new StreamDecoder(tokenizer, { skipSpecial: true }));
    const prompts: BatchPrompt[] = batch.map(({ waiting: { request, onToken }, promptIds, maxTokens }, b) => ({
      promptIds,
      options: {
        maxTokens,
        temperature: request.sampling.temperature,
        topP: request.sampling.topP,
        seed: request.sampling.seed ?? Math.floor(Math.random() * 2 ** 31),
        stopIds: tokenizer.stopIds,
        onToken: (id, logprob, logits) => {
          this.onDecoding?.('step');
          const now = performance.now();
          const time = timings[b];
          if (time.tokenMs.length === 0 && time.ttftMs === 0) time.ttftMs = now - started;
          else time.tokenMs.push(now - time.last);
          time.last = now;
          const piece = streams[b].push(id); // whole characters only: a BPE token can end inside one
          if (!tokenizer.isSpecial(id)) onToken?.(piece, { logprob, top: topAlternatives(tokenizer, logits, request) });
        },
      },
    }));
    this.onDecoding?.('start');
    let results;
    try {
      results = await generateBatch(policy, prompts);
    } finally {
      this.onDecoding?.('end');
    }
    return batch.map(({ waiting: { onToken }, contextMessages, promptIds }, b) => {
      const rest = streams[b].flush(); // a character still incomplete at the end shows as U+FFFD, as in `text`
      // Not a token of its own: the text of a character the reply ended inside (its tokens already carried their log-probs).
      if (rest) onToken?.(rest, { logprob: Number.NaN, top: [] });
      const result = results[b];
      return {
        text: tokenizer.decode(result.ids, { skipSpecial: true }),
        promptText: tokenizer.decode(promptIds),
        contextMessages,
        promptIds,
        responseIds: result.ids,
        responseLogprobs: result.logprobs,
        policyVersion: version,
        stopped: result.stopped,
        ttftMs: timings[b].ttftMs,
        tokenMs: timings[b].tokenMs,
      };
    });
  }
}
