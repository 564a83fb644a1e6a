/**
 * The signal engine (METHOD §2–6): for a main turn whose next state has arrived, runs the evaluative and
 * directive judges, scores the reply under each hint candidate with the teacher (teacher forcing, nothing
 * generated), selects the hint, and builds the turn's training sample. It also measures each published
 * version's drift from the frozen policy (it holds both).
 */
import type { Policy } from '../model/policy.ts';
import { loadPolicy } from '../model/checkpoint.ts';
import { Tokenizer } from '../model/tokenizer.ts';
import type { ChatTokenizer } from '../model/chat-tokenizer.ts';
import { locationFiles, servedHfModel, withPublished } from './served-model.ts';
import type { LoraConfig } from '../model/adapter/lora.ts';
import { runJudges } from '../rl/judge/run.ts';
import { stepReward } from '../rl/judge/vote.ts';
import { judgeErrorIsTransient } from '../connector/judge-errors.ts';
import type { JudgeBackend } from '../rl/judge/types.ts';
import { teacherMessages } from '../rl/teacher.ts';
import * as tf from '@tensorflow/tfjs';
import { buildSample, caseTrains, newSampleRecord, sampleCase, turnSeed, withSupport, type SampleInput } from '../rl/sample.ts';
import { withBehaviourWeights } from '../rl/staleness.ts';
import type { SampleRecord } from '../rl/records.ts';
import type { Backend, Settings } from '../rl/settings.ts';
import { initBackend } from './tfjs-backend.ts';
import { withGpuFallback } from './gpu-recovery.ts';
import { directiveOnGpu, logprobRows, overlapReport } from './directive-signal.ts';
import { exactKl } from './update-metrics.ts';
import { TeacherRows } from './teacher-rows.ts';
import type { BackendChoice, CheckpointBlob, DriftResult, HfModelLocation, OverlapReport, PolicyWeights, ProximalRequest, ProximalResult, SignalEngineApi, SignalRequest, SignalResult } from './protocol.ts';
import type { Message } from '../model/chat.ts';

/**
 * The judge cannot be reached right now (network, timeout, 5xx, 429): the turn waits, persisted, and is
 * judged when the judge is back. Its name survives the worker boundary (comlink copies name and message).
 */
export class JudgeUnavailableError extends Error {
  override name = 'JudgeUnavailableError';
}

/** Memory for the frozen teacher's rows of recent replies: ~100 replies of the built-in model, none of a 49K vocabulary. */
const TEACHER_ROWS_BYTES = 32 * 2 ** 20;

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
  /** The frozen teacher's rows of recent replies (a stale sample's recomputation looks them up). */
  private readonly teacherRows = new TeacherRows(TEACHER_ROWS_BYTES);

  constructor(private judge: JudgeBackend) {}

  setJudge(judge: JudgeBackend): void {
    this.judge = judge;
  }

  async init(requested: Backend): Promise<BackendChoice> {
    return initBackend(requested);
  }

  async load(initial: CheckpointBlob, serving: { checkpoint: CheckpointBlob; version: number } | null): Promise<void> {
    const { policy, manifest } = await loadPolicy(initial.bytes, initial.manifest);
    this.teacherRows.clear();
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
    this.teacherRows.clear();
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
    this.teacherRows.clear();
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
        { kind: request.kind, messages: request.messages, reply: request.reply, nextState: request.nextState,
          ...(request.kind === 'personal' ? {} : { task: request.task, history: request.messages }) },
        settings.judgeVotes,
      );
    } catch (e) {
      if (judgeErrorIsTransient(e)) throw new JudgeUnavailableError(e instanceof Error ? e.message : String(e));
      throw e;
    }
    const evaluative = judged.evaluative!;
    const directive = judged.directive!;
    const t1 = performance.now();
    // Environments (METHOD §2): r = outcome + mean(valid votes); its sign picks the sample's case (§6).
    const step = request.kind === 'personal' ? undefined : stepReward(request.outcome ?? 0, evaluative.votes);
    const input: SampleInput = {
      sessionId: request.sessionId,
      turn: request.turn,
      policyVersion: request.policyVersion,
      promptIds: request.promptIds,
      responseIds: request.responseIds,
      responseLogprobs: request.responseLogprobs,
      score: step === undefined ? evaluative.score : (Math.sign(step) as -1 | 0 | 1),
      ...(step === undefined ? {} : { stepReward: step }),
      hints: directive.accepted ? directive.hints : [],
    };
    const signal = await this.directiveSample(input, request.messages, settings, true);
    return {
      sessionId: request.sessionId,
      turn: request.turn,
      evaluative,
      directive,
      sample: signal.sample,
      report: signal.report,
      timings: { judgeMs: t1 - t0, teacherMs: signal.teacherMs, kernelMs: signal.kernelMs },
    };
  }

  async drift(samples: SampleRecord[], settings: Settings): Promise<DriftResult> {
    const { result, fellBack } = await withGpuFallback(async () => {
      if (!this.current || !this.frozen) throw new Error('SignalEngine: no checkpoint loaded');
      if (samples.length === 0) throw new RangeError('SignalEngine.drift: no samples');
      // Read before computing: the measured weights are those of this version (nothing awaits in between).
      const version = this.currentVersion;
      const rows = (policy: Policy) => Promise.all(samples.map((s) => logprobRows(policy, s.prompt_ids, s.response_ids, settings.temperature)));
      const current = await rows(this.current);
      return { version, klToFrozen: exactKl(current, await rows(this.frozen), samples, this.current.config.vocabSize) };
    }, () => this.rebuild());
    return fellBack ? { ...result, fellBack } : result;
  }

  /**
   * A sample signalled under an older policy, recomputed with the newest published weights, which are the
   * weights being trained (METHOD §7 decoupled objective): π_old's top-k, the hint selection, the support set
   * and the log-probs the advantages are made of, from the recorded hints and score; then l_prox of the
   * sampled tokens and the behaviour weights. `sample: null` when nothing is left to train (an `opd` sample
   * whose recomputed supports are all empty). `version` is the version the numbers come from.
   */
  async proximal(request: ProximalRequest, settings: Settings): Promise<ProximalResult> {
    const { result, fellBack } = await withGpuFallback(() => this.proximalNow(request, settings), () => this.rebuild());
    return fellBack ? { ...result, fellBack } : result;
  }

  private async proximalNow({ sample, messages }: ProximalRequest, settings: Settings): Promise<ProximalResult> {
    if (!this.current) throw new Error('SignalEngine: no checkpoint loaded');
    const version = this.currentVersion;
    const input: SampleInput = {
      sessionId: sample.session_id,
      turn: sample.turn,
      policyVersion: sample.policy_version,
      promptIds: sample.prompt_ids,
      responseIds: sample.response_ids,
      responseLogprobs: sample.response_logprobs,
      score: sample.reward.score as -1 | 0 | 1,
      hints: sample.hints,
    };
    const V = this.current.config.vocabSize;
    const rows = await logprobRows(this.current, sample.prompt_ids, sample.response_ids, settings.temperature);
    const { sample: recomputed } = await this.directiveSample(input, messages, settings, false, rows);
    if (!recomputed) return { sample: null, version };
    const proximal = sample.response_ids.map((id, t) => rows[t * V + id]);
    return { sample: withBehaviourWeights(recomputed, proximal, settings), version };
  }

  /**
   * The directive signal of one judged turn (METHOD §3–5): the newest version as π_old, the teacher under each
   * accepted hint, selection and support, on the WGSL kernels where they apply, else the reference; the
   * token inspector's report when asked for. Without hints, the sample (if any) needs no teacher.
   * `studentRows`: π_old's [T·V] log-prob rows when the caller has them already.
   */
  private async directiveSample(
    input: SampleInput,
    messages: Message[],
    settings: Settings,
    withReport: boolean,
    studentRows?: Float32Array,
  ): Promise<{ sample: SampleRecord | null; report: OverlapReport | null; teacherMs: number; kernelMs: number }> {
    if (input.hints.length === 0) return { sample: buildSample(input, settings), report: null, teacherMs: 0, kernelMs: 0 };
    const t1 = performance.now();
    const current = this.current!;
    const teacher = settings.teacher === 'frozen' ? this.frozen! : current;
    const responseIds = [...input.responseIds];
    const promptIds = [...input.promptIds];
    const T = responseIds.length;
    const V = current.config.vocabSize;
    // A long hint may push the context past maxLen: keep its newest tokens.
    const contexts = input.hints.map((hint) => this.tokenizer!.encodePrompt(teacherMessages(messages, hint)).slice(-(teacher.config.maxLen - T)));
    const which = sampleCase(input.score, true)!;
    let sample: SampleRecord | null;
    let report: OverlapReport | null = null;
    let t2: number;
    if (tf.getBackend() === 'webgpu' && settings.support === 'student' && (settings.selection === 'sequence' || settings.selection === 'token')) {
      t2 = performance.now();
      const gpu = await directiveOnGpu(current, teacher, promptIds, contexts, responseIds, {
        ...settings,
        seed: turnSeed(settings.seed, input.sessionId, input.turn),
      });
      sample = caseTrains(which, settings) ? withSupport(newSampleRecord(input, which), input.hints, gpu.positions) : null;
      report = gpu.report;
    } else {
      const student = studentRows ?? (await logprobRows(current, promptIds, responseIds, settings.temperature));
      const teachers: Float32Array[] = [];
      const score = (contextIds: number[]) => () => logprobRows(teacher, contextIds, responseIds, settings.temperature);
      for (const contextIds of contexts) {
        teachers.push(settings.teacher === 'frozen' ? await this.teacherRows.get(contextIds, responseIds, settings.temperature, score(contextIds)) : await score(contextIds)());
      }
      t2 = performance.now();
      sample = buildSample({ ...input, vocabSize: V, studentLogprobs: student, teacherLogprobs: teachers }, settings);
      if (withReport) report = overlapReport(student, teachers, T, V, settings, input.sessionId, input.turn);
    }
    // The inspector says which teacher scored: the base without the adapter (frozen) or the live policy.
    if (report) report.teacher = { identity: settings.teacher, version: settings.teacher === 'frozen' ? 0 : this.currentVersion, adapter: teacher.adapter !== null };
    return { sample, report, teacherMs: t2 - t1, kernelMs: performance.now() - t2 };
  }
}
