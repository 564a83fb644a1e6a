/**
 * One run of the experiment (METHOD §9 through NextState's own online loop): one simulated user, one arm,
 * one seed. Each session is the user's first message (a held-out question), the policy's reply and the
 * user's answer, which `endSession` records as the turn's next state; the loop judges it, teaches, and
 * updates as it would for a visitor. The run stops once the preference is met in `streak` consecutive
 * sessions, or at the cap.
 *
 * The loop gets the user's words and the arm's settings, nothing else: the preference stays in the user.
 */
import type { ModelSource, PolicyEngineApi, ReplyResult, SignalEngineApi, SignalResult, TrainerEngineApi, UpdateMetrics } from '../workers/protocol.ts';
import { OnlineLoop } from '../workers/online-loop.ts';
import { MemoryStore } from '../store/index.ts';
import { validateSettings, type Settings } from '../rl/settings.ts';
import type { JudgeBackend } from '../rl/judge/types.ts';
import { builtinJudgeBackend } from '../rl/judge/builtin/index.ts';
import { runJudges } from '../rl/judge/run.ts';
import { armById, armSettings, EXPERIMENT_SETTINGS, type Arm } from './arms.ts';
import { preferenceById } from './preferences.ts';
import { SimulatedUser, type AnswerKind } from './simulated-user.ts';
import { isSatisfied, SATISFY_STREAK, SESSION_CAP, sessionsToSatisfy } from './metric.ts';
import { variedHintJudge } from './varied-hint-judge.ts';
import { hintedDimensions } from './hinted-dimensions.ts';
import { createRng } from '../model/rng.ts';
import { sampleHeldoutQuestion, styleDimension } from '../world/index.ts';
import { teacherMessages } from '../rl/teacher.ts';

/** The engines a run drives: the loop's three, with a signal engine whose judge can be chosen. */
export interface ExperimentEngines {
  policy: PolicyEngineApi;
  signal: SignalEngineApi & { setJudge(judge: JudgeBackend): void };
  trainer: TrainerEngineApi;
  /**
   * The initial policy, never updated: when given, each turn the teacher scored under a hint also gets one
   * reply sampled from the teacher's context, checked against the styles the hint names (a diagnostic: the
   * teacher's hint-follow rate on the replies it scored).
   */
  teacher?: PolicyEngineApi;
}

export interface RunSpec {
  arm: string;
  preference: string;
  seed: number;
  cap?: number;
  streak?: number;
}

/** What happened in one session. */
export interface SessionRecord {
  session: number;
  /** The first reply met the hidden preference (the user's checker). */
  met: boolean;
  answer: AnswerKind;
  /** The evaluative score r the judge gave the turn (METHOD §2). */
  reward: number;
  /** The directive judge accepted a hint (METHOD §3). */
  hinted: boolean;
  /** The turn became a training sample (METHOD §6). */
  sampled: boolean;
  /** The hint selected for the sample (METHOD §4; without updates, the first candidate); null without one. */
  hint: string | null;
  /** The user's first message: a held-out question. */
  question: string;
  /** The first reply, as the user saw it. */
  reply: string;
  /** What the user answered: the turn's next state. */
  userText: string;
  replyTokens: number;
  /** The reply states the question's right answer (world checker); reported, not part of the metric. */
  correct: boolean;
  /** The policy version that wrote the reply. */
  version: number;
  /**
   * The teacher (initial policy under the selected hint) followed the hint when it answered the same
   * question itself; null without a hint, without a teacher engine, or for a hint that names no style.
   */
  teacherFollowed: boolean | null;
}

/** Means over a run's updates of the trainer's metrics (METHOD §5–6); null without updates. */
export interface UpdateStats {
  meanAbsAdvantage: number;
  fractionDeltaClipped: number;
  fractionRatioClipped: number;
  klToFrozen: number;
  /** The loss terms of the update's first epoch (METHOD §6), as the trainer reports them. */
  lossGRPO: number;
  lossOPD: number;
}

export interface RunResult {
  spec: Required<RunSpec>;
  sessions: SessionRecord[];
  sessionsToSatisfy: number;
  hitCap: boolean;
  updates: number;
  updateStats: UpdateStats | null;
  /**
   * Bounded staleness (METHOD §7) in this run: samples trained more than one version behind (with the decoupled
   * objective) and samples kept stale. Both 0 means every update was the one maxStaleness = 1 makes. Absent in
   * runs files written before it was recorded.
   */
  staleness?: { proximalSamples: number; staleSamples: number };
  /** The final policy's answers to the run's accuracy questions (the same for every arm of a seed); null when not asked. */
  accuracyAfter: { questions: number; correct: number } | null;
  wallMs: number;
}

export interface RunOptions {
  /** The settings arms are built on (EXPERIMENT_SETTINGS by default). */
  base?: Partial<Settings>;
  onSession?: (record: SessionRecord) => void;
  onUpdate?: (metrics: UpdateMetrics) => void;
  /** Checked between sessions: true ends the run early (it is then reported as capped). */
  shouldStop?: () => boolean;
  /**
   * Replies of the initial policy (version 0), shared by the runs given the same map and initial checkpoint:
   * the same context and sampling seed on the same weights give the same reply, so it is computed once.
   */
  replyCache?: Map<string, ReplyResult>;
  /** After the run, the final policy answers this many held-out questions (answer accuracy after learning). */
  accuracyQuestions?: number;
  /** The simulated user corrects a wrong answer before judging the style (SimulatedUser's `checksAnswers`). */
  usersCheckAnswers?: boolean;
}

function mix(seed: number, n: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(n + 1, 0xc2b2ae35);
  h ^= h >>> 13;
  return Math.imul(h, 0x27d4eb2f) >>> 0;
}

/**
 * The policy engine with a reproducible sampling seed per reply (the loop leaves it to chance): reply n of a
 * run samples with seed mix(seed, n) whatever the arm, so arms share their policy's random numbers too.
 */
export function seededPolicy(policy: PolicyEngineApi, seed: number, cache?: Map<string, ReplyResult>, updated = false): PolicyEngineApi {
  let replies = 0;
  let published = updated;
  return {
    init: (b) => policy.init(b),
    load: (c, v) => policy.load(c, v),
    ...(policy.loadHf ? { loadHf: (l, v) => policy.loadHf!(l, v) } : {}),
    publish: (u) => {
      published = true;
      return policy.publish(u);
    },
    info: () => policy.info(),
    reply: async (request, onToken) => {
      const seeded = { ...request, sampling: { ...request.sampling, seed: mix(seed, replies++) } };
      if (!cache || published) return policy.reply(seeded, onToken);
      const key = JSON.stringify([seeded.messages, seeded.sampling]);
      const hit = cache.get(key);
      if (hit) return hit;
      const reply = await policy.reply(seeded, onToken);
      if (reply.policyVersion === 0) cache.set(key, reply);
      return reply;
    },
  };
}

/**
 * The signal engine seeing sessions named by their number in the run: the loop names sessions with random
 * UUIDs, and `random` hint selection seeds its draw from the session's name (turnSeed), which made that arm
 * differ from run to run. Results are renamed back, so the store and the loop see their own ids.
 */
function numberedSessions(signal: SignalEngineApi): SignalEngineApi & { name(sessionId: string, n: number): void } {
  const names = new Map<string, string>();
  return {
    name: (sessionId, n) => void names.set(sessionId, `session-${n}`),
    init: (b) => signal.init(b),
    load: (i, s) => signal.load(i, s),
    ...(signal.loadHf ? { loadHf: (l) => signal.loadHf!(l) } : {}),
    publish: (u) => signal.publish(u),
    process: async (request, settings) => {
      const own = request.sessionId;
      const result = await signal.process({ ...request, sessionId: names.get(own) ?? own }, settings);
      return { ...result, sessionId: own, sample: result.sample && { ...result.sample, session_id: own } };
    },
    proximal: async (request, settings) => {
      const own = request.sample.session_id;
      const result = await signal.proximal({ ...request, sample: { ...request.sample, session_id: names.get(own) ?? own } }, settings);
      return { ...result, sample: result.sample && { ...result.sample, session_id: own } };
    },
    drift: (samples, settings) => signal.drift(samples, settings),
  };
}

/**
 * The no-update arm's signal engine: it judges every turn (METHOD §2–3) like the others but scores no
 * teacher and builds no sample, since nothing it would learn from is ever trained (a no-update run made
 * the same replies, and so the same metric, with the full engine, at twice the cost).
 */
function judgeOnly(signal: SignalEngineApi, judge: JudgeBackend): SignalEngineApi {
  return {
    init: (b) => signal.init(b),
    load: (i, s) => signal.load(i, s),
    ...(signal.loadHf ? { loadHf: (l) => signal.loadHf!(l) } : {}),
    publish: (u) => signal.publish(u),
    // Never asked: this arm trains nothing, so no sample falls behind and no version drifts.
    proximal: (r, s) => signal.proximal(r, s),
    drift: (samples, s) => signal.drift(samples, s),
    process: async (request, settings) => {
      const started = performance.now();
      const judged = await runJudges(judge, { kind: request.kind, messages: request.messages, reply: request.reply, nextState: request.nextState }, settings.judgeVotes);
      return {
        sessionId: request.sessionId,
        turn: request.turn,
        evaluative: judged.evaluative!,
        directive: judged.directive!,
        sample: null,
        report: null,
        timings: { judgeMs: performance.now() - started, teacherMs: 0, kernelMs: 0 },
      };
    },
  };
}

/** Separate random streams per purpose, so a probe never shifts the draws of the run's own replies. */
const TEACHER_STREAM = 0x7eac4e12;
const ACCURACY_STREAM = 0x3acc0a11;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `runExperiment(engines, initial, spec, options?)`: one user, one arm, one seed, on a fresh in-memory store.
 * `initial` is the built-in checkpoint or a loaded Hugging Face model (its LoRA adapter trains, issue 13).
 */
export async function runExperiment(engines: ExperimentEngines, initial: ModelSource, spec: RunSpec, options: RunOptions = {}): Promise<RunResult> {
  const full: Required<RunSpec> = { cap: SESSION_CAP, streak: SATISFY_STREAK, ...spec };
  const arm = armById(full.arm);
  const settings = validateSettings(armSettings(arm, full.seed, options.base ?? EXPERIMENT_SETTINGS));
  if (!arm.updates && full.cap >= settings.batchSize) throw new RangeError(`a no-update run needs cap < ${settings.batchSize}`);
  const user = new SimulatedUser(preferenceById(full.preference), full.seed, { checksAnswers: options.usersCheckAnswers });
  const judge = arm.judge === 'varied' ? variedHintJudge(builtinJudgeBackend, full.seed) : builtinJudgeBackend;
  engines.signal.setJudge(judge);

  const signals = new Map<string, SignalResult>();
  const errors: Error[] = [];
  const metrics: UpdateMetrics[] = [];
  let samples = 0;
  let updates = 0;
  const signal = numberedSessions(arm.updates ? engines.signal : judgeOnly(engines.signal, judge));
  const store = await MemoryStore.open();
  const loop = new OnlineLoop(
    { policy: seededPolicy(engines.policy, full.seed, options.replyCache), signal, trainer: engines.trainer },
    store,
    settings,
    {
      signal: (r) => {
        signals.set(r.sessionId, r);
        if (r.sample) samples++;
      },
      update: (m) => {
        updates++;
        metrics.push(m);
        options.onUpdate?.(m);
      },
      error: (_where, e) => errors.push(e),
    },
  );
  const started = performance.now();
  await startArm(loop, initial, arm);
  if (engines.teacher && arm.updates) await loadInitial(engines.teacher, initial);
  const sessions: SessionRecord[] = [];
  const met: boolean[] = [];
  for (let n = 1; n <= full.cap && !isSatisfied(met, full.streak) && !options.shouldStop?.(); n++) {
    const session = await loop.newSession();
    signal.name(session.id, n);
    const question = user.ask();
    const turn = await loop.send(session.id, question.text);
    const answer = user.answer(turn.response_text);
    await loop.endSession(session.id, { role: 'user', content: answer.text });
    // Like a visitor who reads the reply and types: the next session starts after the update its sample completes.
    await loop.idle();
    while (errors.length === 0 && samples - updates * settings.batchSize >= settings.batchSize) await pause(5);
    await loop.idle();
    if (errors.length > 0) throw errors[0];
    const result = signals.get(session.id);
    // The sample's selected hint; a no-update arm builds no sample: its first candidate.
    const hint = result?.sample?.hint ?? (result?.directive.accepted ? result.directive.hints[0] ?? null : null);
    const record: SessionRecord = {
      session: n,
      met: answer.met,
      answer: answer.kind,
      reward: result?.evaluative.score ?? 0,
      hinted: result?.directive.accepted ?? false,
      sampled: !!result?.sample,
      hint,
      question: question.text,
      reply: turn.response_text,
      userText: answer.text,
      replyTokens: turn.response_ids.length,
      correct: question.check(turn.response_text),
      version: turn.policy_version,
      teacherFollowed: engines.teacher && arm.updates && result?.sample?.hint ? await teacherFollows(engines.teacher, question.text, result.sample.hint, settings, mix(full.seed ^ TEACHER_STREAM, n)) : null,
    };
    sessions.push(record);
    met.push(answer.met);
    options.onSession?.(record);
  }
  const accuracyAfter = options.accuracyQuestions ? await answerAccuracy(seededPolicy(engines.policy, full.seed ^ ACCURACY_STREAM, options.replyCache, updates > 0), full.seed, options.accuracyQuestions, settings) : null;
  const { sessions: toSatisfy, hitCap } = sessionsToSatisfy(met, full.streak, full.cap);
  const staleness = {
    proximalSamples: metrics.reduce((n, m) => n + (m.proximalSamples ?? 0), 0),
    staleSamples: (await store.listSamples({ status: 'stale' })).length,
  };
  return { spec: full, sessions, sessionsToSatisfy: toSatisfy, hitCap, updates, updateStats: updateStats(metrics), staleness, accuracyAfter, wallMs: performance.now() - started };
}

/** Starts an experiment's loop; an arm that should update but whose settings train nothing is refused here, by name. */
export async function startArm(loop: OnlineLoop, initial: ModelSource, arm: Arm): Promise<void> {
  await loop.start(initial);
  if (arm.updates && loop.trainingOff) throw new Error(`arm ${arm.id} would train nothing: ${loop.trainingOff}`);
}

/** The initial policy, version 0, into a policy engine (the hint-follow probe's teacher). */
export async function loadInitial(policy: PolicyEngineApi, initial: ModelSource): Promise<void> {
  if (!('hf' in initial)) return void (await policy.load(initial, 0));
  if (!policy.loadHf) throw new Error('this policy engine cannot serve a Hugging Face model');
  await policy.loadHf(initial.hf, 0);
}

/** One reply of the teacher to the question with the hint (METHOD §3 context): does it show every style the hint names? */
async function teacherFollows(teacher: PolicyEngineApi, question: string, hint: string, settings: Settings, seed: number): Promise<boolean | null> {
  const dims = hintedDimensions(hint);
  if (dims.length === 0) return null;
  const reply = await teacher.reply({
    sessionId: 'teacher-probe',
    messages: teacherMessages([{ role: 'user', content: question }], hint),
    sampling: { temperature: settings.temperature, topP: settings.topP, maxTokens: settings.maxTokens, seed },
  });
  return dims.every((d) => styleDimension(d).check(reply.text));
}

/** The policy as the run left it answers `count` held-out questions drawn from the run's seed alone (so every arm gets the same). */
async function answerAccuracy(policy: PolicyEngineApi, seed: number, count: number, settings: Settings): Promise<{ questions: number; correct: number }> {
  const rng = createRng((seed ^ ACCURACY_STREAM) >>> 0);
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const q = sampleHeldoutQuestion(rng);
    const reply = await policy.reply({ sessionId: `accuracy-${i}`, messages: [{ role: 'user', content: q.text }], sampling: { temperature: settings.temperature, topP: settings.topP, maxTokens: settings.maxTokens } });
    if (q.check(reply.text)) correct++;
  }
  return { questions: count, correct };
}

function updateStats(metrics: readonly UpdateMetrics[]): UpdateStats | null {
  if (metrics.length === 0) return null;
  const avg = (f: (m: UpdateMetrics) => number) => metrics.reduce((s, m) => s + f(m), 0) / metrics.length;
  return {
    meanAbsAdvantage: avg((m) => m.meanAbsAdvantage),
    fractionDeltaClipped: avg((m) => m.fractionDeltaClipped),
    fractionRatioClipped: avg((m) => m.fractionRatioClipped),
    klToFrozen: avg((m) => m.klToFrozen),
    lossGRPO: avg((m) => m.lossGRPO),
    lossOPD: avg((m) => m.lossOPD),
  };
}
