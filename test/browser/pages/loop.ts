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

let engines: WorkerEngines;
let loop: OnlineLoop;
let store: IndexedDbStore;
const updates: UpdateMetrics[] = [];
const errors: string[] = [];
let queue: QueueState | null = null;
let updateStartedAt: number | null = null;
/** When each message was sent (its next state written at once) and each update began and was published. */
const timeline = { sends: [] as number[], updates: [] as { start: number; end: number; version: number }[] };

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
  async start(options: { backend?: Settings['backend']; settings?: Partial<Settings>; model?: 'random' | string }): Promise<BackendChoice[]> {
    const settings = validateSettings({ ...options.settings, backend: options.backend ?? 'wasm' });
    engines = createWorkerEngines();
    const choices = await Promise.all([engines.policy.init(settings.backend), engines.signal.init(settings.backend), engines.trainer.init(settings.backend)]);
    store = await IndexedDbStore.open();
    loop = new OnlineLoop(engines, store, settings, {
      update: (m) => {
        updates.push(m);
        timeline.updates.push({ start: updateStartedAt ?? NaN, end: performance.now(), version: m.version });
      },
      queue: (q) => {
        if (q.updating && !queue?.updating) updateStartedAt = performance.now();
        queue = q;
      },
      error: (where, e) => errors.push(`${where}: ${e.name}: ${e.message}`),
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
  version: () => loop.version,
  updating: () => queue?.updating ?? false,
  updateStartedAt: () => updateStartedAt,
  updates: () => updates,
  /** Per update: from the last next state written before it began to the new version published for serving. */
  updateToServingMs: () =>
    timeline.updates.map((u) => u.end - Math.max(...timeline.sends.filter((t) => t <= u.start))),
  errors: () => errors,
  async dump(sessionId: string) {
    const turns = await store.listTurns(sessionId);
    return {
      turns: turns.map((t) => ({ turn: t.turn, status: t.status, version: t.policy_version, next: t.next_state?.content ?? null, trainedIn: t.trained_in_update ?? null })),
      judges: (await store.listJudges(sessionId)).map((j) => ({ turn: j.turn, kind: 'accepted' in j ? 'directive' : 'evaluative', score: 'score' in j ? j.score : null })),
      samples: (await store.listSamples({ sessionId })).map((s) => ({ turn: s.turn, status: s.status, case: s.case })),
      serving: await store.getServingVersion(),
      checkpoints: await store.listCheckpointVersions(),
    };
  },
};

(window as unknown as { harness: typeof harness }).harness = harness;
document.getElementById('status')!.textContent = 'idle';
