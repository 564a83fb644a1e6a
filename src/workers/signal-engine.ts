/**
 * The signal engine (METHOD §2–6): for a main turn whose next state has arrived, runs the evaluative and
 * directive judges, scores the reply under each hint candidate with the teacher (teacher forcing, nothing
 * generated), selects the hint, and builds the turn's training sample.
 */
import type { Policy } from '../model/policy.ts';
import { loadPolicy } from '../model/checkpoint.ts';
import { Tokenizer } from '../model/tokenizer.ts';
import type { ChatTokenizer } from '../model/chat-tokenizer.ts';
import { locationFiles, servedHfModel, withPublished } from './served-model.ts';
import type { LoraConfig } from '../model/adapter/lora.ts';
import { runJudges } from '../rl/judge/run.ts';
import { judgeErrorIsTransient } from '../connector/judge-errors.ts';
import type { JudgeBackend } from '../rl/judge/types.ts';
import { teacherMessages } from '../rl/teacher.ts';
import * as tf from '@tensorflow/tfjs';
import { buildSample, newSampleRecord, sampleCase, turnSeed, withSupport } from '../rl/sample.ts';
import type { SampleRecord } from '../rl/records.ts';
import type { Backend, Settings } from '../rl/settings.ts';
import { initBackend } from './tfjs-backend.ts';
import { withGpuFallback } from './gpu-recovery.ts';
import { directiveOnGpu, logprobRows, overlapReport } from './directive-signal.ts';
import type { BackendChoice, CheckpointBlob, HfModelLocation, OverlapReport, PolicyWeights, SignalEngineApi, SignalRequest, SignalResult } from './protocol.ts';

/**
 * The judge cannot be reached right now (network, timeout, 5xx, 429): the turn waits, persisted, and is
 * judged when the judge is back. Its name survives the worker boundary (comlink copies name and message).
 */
export class JudgeUnavailableError extends Error {
  override name = 'JudgeUnavailableError';
}

export class SignalEngine implements SignalEngineApi {
  /** The policy as first loaded: the `frozen` teacher (METHOD §3). */
  private frozen: Policy | null = null;
  /** The newest published version: the student for π_old, and the `live` teacher. */
  private current: Policy | null = null;
  private currentVersion = 0;
  private tokenizer: ChatTokenizer | null = null;
  /** Set when the policy is a Hugging Face base: rebuilt from it, and frozen and current are one model. */
  private hf: HfModelLocation | null = null;
  /** What the policies can be rebuilt from if the GPU fails. */
  private initial: CheckpointBlob | null = null;
  private published: { checkpoint?: CheckpointBlob; weights?: Record<string, Float32Array>; adapter?: LoraConfig } = {};

  constructor(private judge: JudgeBackend) {}

  setJudge(judge: JudgeBackend): void {
    this.judge = judge;
  }

  async init(requested: Backend): Promise<BackendChoice> {
    return initBackend(requested);
  }

  async load(initial: CheckpointBlob, serving: { checkpoint: CheckpointBlob; version: number } | null): Promise<void> {
    const { policy, manifest } = await loadPolicy(initial.bytes, initial.manifest);
    if (this.current !== this.frozen) this.current?.dispose();
    this.hf = null;
    this.initial = initial;
    this.published = serving ? { checkpoint: serving.checkpoint } : {};
    this.frozen?.dispose();
    this.frozen = policy;
    this.current = serving ? (await loadPolicy(serving.checkpoint.bytes, serving.checkpoint.manifest)).policy : policy.clone();
    this.currentVersion = serving?.version ?? 0;
    this.tokenizer = Tokenizer.fromJSON(manifest.tokenizer as never);
  }

  async loadHf(location: HfModelLocation): Promise<void> {
    const served = await servedHfModel(locationFiles(location));
    this.current?.adapter?.dispose();
    this.frozen?.dispose();
    this.frozen = served.policy;
    this.current = served.policy; // a frozen base: one copy serves as teacher and student
    this.currentVersion = 0;
    this.tokenizer = served.tokenizer;
    this.initial = null;
    this.published = {};
    this.hf = location;
  }

  async publish(update: PolicyWeights): Promise<void> {
    if (!this.current || update.version <= this.currentVersion) return;
    // an adapter version goes on top of the base, which stays the frozen teacher (no second copy of its weights)
    this.current = withPublished(this.current, update);
    this.currentVersion = update.version;
    this.published = { weights: update.weights, adapter: update.adapter };
  }

  private async rebuild(): Promise<void> {
    if (this.hf) {
      const { published, currentVersion } = this;
      await this.loadHf(this.hf);
      if (published.weights) this.current = withPublished(this.current!, { version: currentVersion, weights: published.weights, adapter: published.adapter });
      this.currentVersion = currentVersion;
      this.published = published;
      return;
    }
    this.frozen = (await loadPolicy(this.initial!.bytes, this.initial!.manifest)).policy;
    const base = this.published.checkpoint ?? this.initial!;
    this.current = (await loadPolicy(base.bytes, base.manifest)).policy;
    if (this.published.weights) this.current.setWeights(this.published.weights);
  }

  async process(request: SignalRequest, settings: Settings): Promise<SignalResult> {
    const { result, fellBack } = await withGpuFallback(() => this.processNow(request, settings), () => this.rebuild());
    return fellBack ? { ...result, fellBack } : result;
  }

  private async processNow(request: SignalRequest, settings: Settings): Promise<SignalResult> {
    if (!this.frozen || !this.current || !this.tokenizer) throw new Error('SignalEngine: no checkpoint loaded');
    const t0 = performance.now();
    let judged;
    try {
      judged = await runJudges(
        this.judge,
        { kind: request.kind, messages: request.messages, reply: request.reply, nextState: request.nextState },
        settings.judgeVotes,
      );
    } catch (e) {
      if (judgeErrorIsTransient(e)) throw new JudgeUnavailableError(e instanceof Error ? e.message : String(e));
      throw e;
    }
    const evaluative = judged.evaluative!;
    const directive = judged.directive!;
    const t1 = performance.now();
    const base = {
      sessionId: request.sessionId,
      turn: request.turn,
      policyVersion: request.policyVersion,
      promptIds: request.promptIds,
      responseIds: request.responseIds,
      responseLogprobs: request.responseLogprobs,
      score: evaluative.score,
    };
    if (!directive.accepted) {
      const sample = buildSample({ ...base, hints: [] }, settings);
      return { sessionId: request.sessionId, turn: request.turn, evaluative, directive, sample, report: null, timings: { judgeMs: t1 - t0, teacherMs: 0, kernelMs: 0 } };
    }
    // π_old is the sampling policy; the newest version is at most one ahead of it (METHOD §7).
    const teacher = settings.teacher === 'frozen' ? this.frozen : this.current;
    const T = request.responseIds.length;
    const V = this.current.config.vocabSize;
    // A long hint may push the context past maxLen: keep its newest tokens.
    const contexts = directive.hints.map((hint) => this.tokenizer!.encodePrompt(teacherMessages(request.messages, hint)).slice(-(teacher.config.maxLen - T)));
    const input = { ...base, hints: directive.hints };
    const which = sampleCase(evaluative.score, true)!;
    let sample: SampleRecord | null;
    let report: OverlapReport;
    let t2: number;
    if (tf.getBackend() === 'webgpu' && settings.support === 'student' && (settings.selection === 'sequence' || settings.selection === 'token')) {
      t2 = performance.now();
      const gpu = await directiveOnGpu(this.current, teacher, request.promptIds, contexts, request.responseIds, {
        ...settings,
        seed: turnSeed(settings.seed, request.sessionId, request.turn),
      });
      sample = withSupport(newSampleRecord(input, which), directive.hints, gpu.positions);
      report = gpu.report;
    } else {
      const student = await logprobRows(this.current, request.promptIds, request.responseIds, settings.temperature);
      const teachers: Float32Array[] = [];
      for (const contextIds of contexts) teachers.push(await logprobRows(teacher, contextIds, request.responseIds, settings.temperature));
      t2 = performance.now();
      sample = buildSample({ ...input, vocabSize: V, studentLogprobs: student, teacherLogprobs: teachers }, settings);
      report = overlapReport(student, teachers, T, V, settings, request.sessionId, request.turn);
    }
    const t3 = performance.now();
    report.teacher = { identity: settings.teacher, version: settings.teacher === 'frozen' ? 0 : this.currentVersion, adapter: teacher.adapter !== null };
    return {
      sessionId: request.sessionId,
      turn: request.turn,
      evaluative,
      directive,
      sample,
      report,
      timings: { judgeMs: t1 - t0, teacherMs: t2 - t1, kernelMs: t3 - t2 },
    };
  }
}
