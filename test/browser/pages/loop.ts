/**
 * A harness page for the online loop's browser tests and `npm run bench:loop`: the real workers, the real
 * IndexedDB store and the real loop, driven from Playwright through `window.harness`.
 */
import { createWorkerEngines, type WorkerEngines } from '../../../src/workers/page-engines.ts';
import { OnlineLoop, type QueueState } from '../../../src/workers/online-loop.ts';
import type { BackendChoice, CheckpointBlob, UpdateMetrics } from '../../../src/workers/protocol.ts';
import { IndexedDbStore } from '../../../src/store/index.ts';
import { validateSettings, type Settings } from '../../../src/rl/settings.ts';
import { Policy } from '../../../src/model/policy.ts';
import { encodeCheckpoint } from '../../../src/model/checkpoint.ts';
import { defaultTokenizer } from '../../../src/model/tokenizer.ts';
import { initBackend } from '../../../src/workers/tfjs-backend.ts';
import { directiveOnGpu, logprobRows, overlapReport } from '../../../src/workers/directive-signal.ts';

let engines: WorkerEngines;
let loop: OnlineLoop;
let store: IndexedDbStore;
let loopSettings: Settings;
const updates: UpdateMetrics[] = [];
const errors: string[] = [];
const fallbacks: { engine: string; backend: string; reason: string }[] = [];
let queue: QueueState | null = null;
let updateStartedAt: number | null = null;
/** When each message was sent (its next state written at once) and each update began and was published. */
const timeline = { sends: [] as number[], updates: [] as { start: number; end: number; version: number }[], signals: [] as { end: number; ms: number }[] };

/** A small random policy, so plumbing tests need no shipped model. */
async function randomCheckpoint(): Promise<CheckpointBlob> {
  const tokenizer = defaultTokenizer();
  const config = { vocabSize: tokenizer.vocabSize, dModel: 32, nLayers: 2, nHeads: 2, dFF: 64, maxLen: 256, ropeBase: 10000 };
  const policy = Policy.create(config, 3);
  const blob = await encodeCheckpoint(policy.getWeights(), { preset: 'test', config, tokenizer: tokenizer.toJSON(), corpusVersion: null, tokensSeen: 0, finalLoss: null });
  policy.dispose();
  return blob;
}

async function shippedCheckpoint(name: string): Promise<CheckpointBlob> {
  const [bytes, manifest] = await Promise.all([
    fetch(`/models/${name}.safetensors`).then((r) => r.arrayBuffer()),
    fetch(`/models/${name}.json`).then((r) => r.json()),
  ]);
  return { bytes: new Uint8Array(bytes), manifest };
}

const harness = {
  async start(options: { backend?: Settings['backend']; settings?: Partial<Settings>; model?: 'random' | string; servingGate?: boolean }): Promise<BackendChoice[]> {
    const settings = validateSettings({ ...options.settings, backend: options.backend ?? 'wasm' });
    loopSettings = settings;
    engines = createWorkerEngines({ servingGate: options.servingGate });
    const choices = await Promise.all([engines.policy.init(settings.backend), engines.signal.init(settings.backend), engines.trainer.init(settings.backend)]);
    store = await IndexedDbStore.open();
    loop = new OnlineLoop(engines, store, settings, {
      // Serving from the moment it is published; its drift metric comes after (the `update` event).
      published: (version) => timeline.updates.push({ start: updateStartedAt ?? NaN, end: performance.now(), version }),
      update: (m) => updates.push(m),
      signal: (r) => timeline.signals.push({ end: performance.now(), ms: r.timings.judgeMs + r.timings.teacherMs + r.timings.kernelMs }),
      queue: (q) => {
        if (q.updating && !queue?.updating) updateStartedAt = performance.now();
        queue = q;
      },
      error: (where, e) => errors.push(`${where}: ${e.name}: ${e.message}`),
      backend: (engine, choice) => fallbacks.push({ engine, ...choice }),
    });
    const initial = !options.model || options.model === 'random' ? await randomCheckpoint() : await shippedCheckpoint(options.model);
    await loop.start(initial);
    document.getElementById('status')!.textContent = 'ready';
    return choices;
  },
  async newSession(): Promise<string> {
    return (await loop.newSession()).id;
  },
  async sessions(): Promise<string[]> {
    return (await store.listSessions()).map((s) => s.id);
  },
  /** Sends a message; returns the reply with the time of each streamed piece. */
  async send(sessionId: string, text: string) {
    const t0 = performance.now();
    timeline.sends.push(t0);
    const times: number[] = [];
    const turn = await loop.send(sessionId, text, () => times.push(performance.now() - t0));
    return { turn: turn.turn, version: turn.policy_version, text: turn.response_text, times, updating: queue?.updating ?? false };
  },
  idle: () => loop.idle(),
  /** Updates wait for this many samples from now on (a large B pauses training); `batchFill` as the settings say. */
  setBatchSize: (batchSize: number, batchFill: Settings['batchFill'] = loopSettings.batchFill) => {
    loopSettings = { ...loopSettings, batchSize, batchFill };
    loop.setSettings(loopSettings);
  },
  servingGated: () => engines.servingGated,
  version: () => loop.version,
  updating: () => queue?.updating ?? false,
  updateStartedAt: () => updateStartedAt,
  updates: () => updates,
  /** Per update: from the last next state written before it began to the new version published for serving. */
  updateToServingMs: () =>
    timeline.updates.map((u) => u.end - Math.max(...timeline.sends.filter((t) => t <= u.start))),
  /**
   * Where update-to-serving goes, per update: the last next state's wait for its signal, the signal itself,
   * the wait for the trainer, then the update's own stages (its metrics).
   */
  updateStages: () =>
    timeline.updates.map((u) => {
      const sent = Math.max(...timeline.sends.filter((t) => t <= u.start));
      const signal = timeline.signals.find((x) => x.end >= sent);
      const m = updates.find((x) => x.version === u.version) ?? ({} as UpdateMetrics);
      return {
        signalled: signal ? signal.end - sent : NaN,
        signal: signal?.ms ?? NaN,
        untilUpdate: u.start - sent,
        proximal: m.proximalMs ?? NaN,
        train: m.trainMs ?? NaN,
        backward: m.backwardMs,
        trainerSync: m.syncMs,
        commit: m.commitMs ?? NaN,
        publish: m.publishMs ?? NaN,
        driftAfterPublish: m.driftMs ?? NaN,
        samples: m.samples,
        proximalSamples: m.proximalSamples ?? 0,
        proximalRescored: m.proximalRescored ?? 0,
      };
    }),
  errors: () => errors,
  /** Samples by status: pending, trained, stale (METHOD §7: more than maxStaleness versions behind). */
  sampleCounts: async () => {
    const counts: Record<string, number> = { pending: 0, trained: 0, stale: 0 };
    for (const s of await store.listSamples()) counts[s.status]++;
    return counts;
  },
  /** Each sample as `turn:v<version>:<status><update>` (diagnostics). */
  sampleList: async () => (await store.listSamples()).sort((a, b) => a.turn - b.turn).map((s) => `${s.turn}:v${s.policy_version}:${s.status}${s.trained_in_update ?? ''}`).join(' '),
  fallbacks: () => fallbacks,
  destroyPolicyGpuDevice: () => engines.destroyPolicyGpuDevice(),
  /** The directive signal of one turn on the kernels vs the reference, in this page on the webgpu backend. */
  async signalParity(seed: number) {
    await initBackend('webgpu');
    const tokenizer = defaultTokenizer();
    const config = { vocabSize: tokenizer.vocabSize, dModel: 32, nLayers: 2, nHeads: 2, dFF: 64, maxLen: 256, ropeBase: 10000 };
    const student = Policy.create(config, seed);
    const teacher = Policy.create(config, seed + 1);
    const prompt = tokenizer.encodePrompt([{ role: 'user', content: 'What is 3 plus 4?' }]);
    const contexts = ['answer in lowercase', 'one short sentence please'].map((h) => tokenizer.encodePrompt([{ role: 'user', content: `What is 3 plus 4?\n\n[user's hint / instruction]\n${h}` }]));
    const response = tokenizer.encodeText('The answer is 7.');
    const settings = { k: 4, selection: 'sequence' as const, support: 'student' as const, seed: 0, C: 1, temperature: 0.6 };
    const gpu = await directiveOnGpu(student, teacher, prompt, contexts, response, settings);
    const studentRows = await logprobRows(student, prompt, response, 0.6);
    const teacherRows = await Promise.all(contexts.map((c) => logprobRows(teacher, c, response, 0.6)));
    const ref = overlapReport(studentRows, teacherRows, response.length, config.vocabSize, settings, 's', 1);
    const flat = (x: number[][]) => x.flat();
    const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    return {
      idsEqual: JSON.stringify(gpu.report.studentTop.map((t) => t.ids)) === JSON.stringify(ref.studentTop.map((t) => t.ids)),
      overlapEqual: JSON.stringify(gpu.report.overlap) === JSON.stringify(ref.overlap),
      perPositionEqual: JSON.stringify(gpu.report.perPosition) === JSON.stringify(ref.perPosition),
      logprobDiff: maxDiff(flat(gpu.report.studentTop.map((t) => t.logprobs)), flat(ref.studentTop.map((t) => t.logprobs))),
      advantageDiff: maxDiff(flat(gpu.report.advantages), flat(ref.advantages)),
      path: gpu.report.path,
    };
  },
  async dump(sessionId: string) {
    const turns = await store.listTurns(sessionId);
    return {
      turns: turns.map((t) => ({ path: (t as { report?: { path: string } | null }).report?.path ?? null, turn: t.turn, status: t.status, version: t.policy_version, next: t.next_state?.content ?? null, trainedIn: t.trained_in_update ?? null })),
      judges: (await store.listJudges(sessionId)).map((j) => ({ turn: j.turn, kind: 'accepted' in j ? 'directive' : 'evaluative', score: 'score' in j ? j.score : null })),
      samples: (await store.listSamples({ sessionId })).map((s) => ({ turn: s.turn, status: s.status, case: s.case })),
      serving: await store.getServingVersion(),
      checkpoints: await store.listCheckpointVersions(),
    };
  },
};

(window as unknown as { harness: typeof harness }).harness = harness;
document.getElementById('status')!.textContent = 'idle';
