/**
 * One run of the experiment (METHOD §9 through NextState's own online loop): one simulated user, one arm,
 * one seed. Each session is the user's first message (a held-out question), the policy's reply and the
 * user's answer, which `endSession` records as the turn's next state; the loop judges it, teaches, and
 * updates as it would for a visitor. The run stops once the preference is met in `streak` consecutive
 * sessions, or at the cap.
 *
 * The loop gets the user's words and the arm's settings, nothing else: the preference stays in the user.
 */
import type { CheckpointBlob, PolicyEngineApi, SignalEngineApi, SignalResult, TrainerEngineApi, UpdateMetrics } from '../workers/protocol.ts';
import { OnlineLoop } from '../workers/online-loop.ts';
import { MemoryStore } from '../store/index.ts';
import { validateSettings, type Settings } from '../rl/settings.ts';
import type { JudgeBackend } from '../rl/judge/types.ts';
import { builtinJudgeBackend } from '../rl/judge/builtin/index.ts';
import { armById, armSettings, EXPERIMENT_SETTINGS } from './arms.ts';
import { preferenceById } from './preferences.ts';
import { SimulatedUser, type AnswerKind } from './simulated-user.ts';
import { isSatisfied, SATISFY_STREAK, SESSION_CAP, sessionsToSatisfy } from './metric.ts';
import { variedHintJudge } from './varied-hint-judge.ts';

/** The engines a run drives: the loop's three, with a signal engine whose judge can be chosen. */
export interface ExperimentEngines {
  policy: PolicyEngineApi;
  signal: SignalEngineApi & { setJudge(judge: JudgeBackend): void };
  trainer: TrainerEngineApi;
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
}

export interface RunResult {
  spec: Required<RunSpec>;
  sessions: SessionRecord[];
  sessionsToSatisfy: number;
  hitCap: boolean;
  updates: number;
  wallMs: number;
}

export interface RunOptions {
  /** The settings arms are built on (EXPERIMENT_SETTINGS by default). */
  base?: Partial<Settings>;
  onSession?: (record: SessionRecord) => void;
  onUpdate?: (metrics: UpdateMetrics) => void;
  /** Checked between sessions: true ends the run early (it is then reported as capped). */
  shouldStop?: () => boolean;
}

function mix(seed: number, n: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(n + 1, 0xc2b2ae35);
  h ^= h >>> 13;
  return Math.imul(h, 0x27d4eb2f) >>> 0;
}

/** The policy engine with a reproducible sampling seed per reply (the loop leaves it to chance). */
export function seededPolicy(policy: PolicyEngineApi, seed: number): PolicyEngineApi {
  let replies = 0;
  return {
    init: (b) => policy.init(b),
    load: (c, v) => policy.load(c, v),
    publish: (u) => policy.publish(u),
    info: () => policy.info(),
    reply: (request, onToken) => policy.reply({ ...request, sampling: { ...request.sampling, seed: mix(seed, replies++) } }, onToken),
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `runExperiment(engines, initial, spec, options?)`: one user, one arm, one seed, on a fresh in-memory store. */
export async function runExperiment(engines: ExperimentEngines, initial: CheckpointBlob, spec: RunSpec, options: RunOptions = {}): Promise<RunResult> {
  const full: Required<RunSpec> = { cap: SESSION_CAP, streak: SATISFY_STREAK, ...spec };
  const arm = armById(full.arm);
  const settings = validateSettings(armSettings(arm, full.seed, options.base ?? EXPERIMENT_SETTINGS));
  if (!arm.updates && full.cap >= settings.batchSize) throw new RangeError(`a no-update run needs cap < ${settings.batchSize}`);
  const user = new SimulatedUser(preferenceById(full.preference), full.seed);
  engines.signal.setJudge(arm.judge === 'varied' ? variedHintJudge(builtinJudgeBackend, full.seed) : builtinJudgeBackend);

  const signals = new Map<string, SignalResult>();
  const errors: Error[] = [];
  let samples = 0;
  let updates = 0;
  const loop = new OnlineLoop(
    { policy: seededPolicy(engines.policy, full.seed), signal: engines.signal, trainer: engines.trainer },
    await MemoryStore.open(),
    settings,
    {
      signal: (r) => {
        signals.set(r.sessionId, r);
        if (r.sample) samples++;
      },
      update: (m) => {
        updates++;
        options.onUpdate?.(m);
      },
      error: (_where, e) => errors.push(e),
    },
  );
  const started = performance.now();
  await loop.start(initial);
  const sessions: SessionRecord[] = [];
  const met: boolean[] = [];
  for (let n = 1; n <= full.cap && !isSatisfied(met, full.streak) && !options.shouldStop?.(); n++) {
    const session = await loop.newSession();
    const question = user.ask();
    const turn = await loop.send(session.id, question.text);
    const answer = user.answer(turn.response_text);
    await loop.endSession(session.id, { role: 'user', content: answer.text });
    // Like a visitor who reads the reply and types: the next session starts after the update its sample completes.
    await loop.idle();
    while (errors.length === 0 && samples - updates * settings.batchSize >= settings.batchSize) await pause(5);
    await loop.idle();
    if (errors.length > 0) throw errors[0];
    const signal = signals.get(session.id);
    const record: SessionRecord = {
      session: n,
      met: answer.met,
      answer: answer.kind,
      reward: signal?.evaluative.score ?? 0,
      hinted: signal?.directive.accepted ?? false,
      sampled: !!signal?.sample,
      question: question.text,
      reply: turn.response_text,
      userText: answer.text,
      replyTokens: turn.response_ids.length,
      correct: question.check(turn.response_text),
      version: turn.policy_version,
    };
    sessions.push(record);
    met.push(answer.met);
    options.onSession?.(record);
  }
  const { sessions: toSatisfy, hitCap } = sessionsToSatisfy(met, full.streak, full.cap);
  return { spec: full, sessions, sessionsToSatisfy: toSatisfy, hitCap, updates, wallMs: performance.now() - started };
}
