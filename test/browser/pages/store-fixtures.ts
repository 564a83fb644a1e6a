/**
 * Seeded, valid store records for the store's tests (Node and the browser page): sessions with main turns,
 * next states, judge records, METHOD §6 samples of each case, and checkpoint bytes with a manifest.
 */
import type { CheckpointManifest } from '../../../src/model/checkpoint.ts';
import { createRng, randomInt, pick, type Rng } from '../../../src/model/rng.ts';
import type { DirectiveRecord, EvaluativeRecord, SampleRecord } from '../../../src/rl/records.ts';
import type { SessionInfo, StoredSample, StoredTurn } from '../../../src/store/types.ts';
import { recordLimits, type RecordLimits } from '../../../src/rl/record-validate.ts';
import { defaultTokenizer } from '../../../src/model/tokenizer.ts';

/** What an import of fixtures is checked against: the default tokenizer's vocabulary (fixture ids lie below 88). */
export const fixtureLimits = (): RecordLimits => recordLimits(defaultTokenizer().vocabSize);

const WORDS = ['capital', 'of', 'france', 'is', 'paris', 'please', 'shorter', 'lowercase', 'thanks', '12 km', 'in', 'miles', 'é', '🙂', '"quoted"', 'line\nbreak'];

const sentence = (rng: Rng, n = 3 + randomInt(rng, 6)) => Array.from({ length: n }, () => pick(rng, WORDS)).join(' ');
const ids = (rng: Rng, n: number) => Array.from({ length: n }, () => randomInt(rng, 76));
const logprob = (rng: Rng) => Math.log(0.01 + 0.98 * rng());

export interface FixtureSession {
  session: SessionInfo;
  turns: StoredTurn[];
  judges: (EvaluativeRecord | DirectiveRecord)[];
  samples: StoredSample[];
}

/** A session of `turns` main turns: all but the last have a next state, judges and (per METHOD §6) maybe a sample. */
export function fixtureSession(seed: number, id = `s${seed}`, turns = 3): FixtureSession {
  const rng = createRng(seed);
  const createdAt = 1_700_000_000_000 + seed * 1000;
  const session: SessionInfo = { id, title: `Session ${sentence(rng, 2)}`, createdAt, updatedAt: createdAt, kind: 'chat' };
  const out: FixtureSession = { session, turns: [], judges: [], samples: [] };
  for (let t = 1; t <= turns; t++) {
    const prompt = sentence(rng);
    const responseIds = ids(rng, 4 + randomInt(rng, 8));
    const answered = t < turns;
    const turn: StoredTurn = {
      session_id: id, turn: t, timestamp: createdAt + t * 10, messages: [{ role: 'user', content: prompt }],
      prompt_text: `<user>${prompt}`, response_text: sentence(rng),
      tool_calls: rng() < 0.3 ? [{ id: `call${t}`, name: 'convert', arguments: JSON.stringify({ value: t }) }] : [],
      next_state: answered ? { role: rng() < 0.7 ? 'user' : 'tool', content: sentence(rng) } : null,
      policy_version: randomInt(rng, 3), prompt_ids: ids(rng, 5), response_ids: responseIds,
      response_logprobs: responseIds.map(() => logprob(rng)), status: answered ? 'sampled' : 'awaiting_next_state',
    };
    out.turns.push(turn);
    if (!answered) continue;
    const score = pick(rng, [-1, 0, 1] as const);
    const hints = rng() < 0.6 ? [sentence(rng, 4) + ' please'] : [];
    out.judges.push({ session_id: id, turn: t, score, votes: [score, score, rng() < 0.5 ? null : score] });
    out.judges.push({
      session_id: id, turn: t, accepted: hints.length > 0, hints,
      votes: hints.length > 0 ? [{ score: 1, hint: hints[0] }, { score: -1, hint: null }] : [{ score: -1, hint: null }, { score: null, hint: null }],
    });
    const sample = fixtureSample(rng, turn, score, hints);
    if (sample) out.samples.push({ ...sample, id: `${id}#${t}`, status: 'pending' });
    else turn.status = 'no_sample';
  }
  return out;
}

function fixtureSample(rng: Rng, turn: StoredTurn, score: -1 | 0 | 1, hints: string[]): SampleRecord | null {
  const which = hints.length > 0 ? (score === 0 ? 'opd' : 'combined') : score === 0 ? null : 'grpo';
  if (which === null) return null;
  const T = turn.response_ids.length;
  const support = (t: number) => (hints.length > 0 ? [turn.response_ids[t], 76 + t] : []);
  return {
    session_id: turn.session_id, turn: turn.turn, policy_version: turn.policy_version, case: which,
    prompt_ids: turn.prompt_ids, response_ids: turn.response_ids, response_logprobs: turn.response_logprobs,
    loss_mask: new Array<number>(T).fill(1), reward: { score }, hints, hint: hints[0] ?? null,
    hint_index: new Array<number>(T).fill(hints.length > 0 ? 0 : -1),
    support_ids: Array.from({ length: T }, (_, t) => support(t)),
    old_logprobs_at_support: Array.from({ length: T }, (_, t) => support(t).map(() => logprob(rng))),
    teacher_logprobs_at_support: Array.from({ length: T }, (_, t) => support(t).map(() => logprob(rng))),
  };
}

/** Checkpoint-shaped bytes (random, `size` long) and a manifest in the checkpoint format's shape. */
export function fixtureCheckpoint(seed: number, size = 4096): { bytes: Uint8Array; manifest: CheckpointManifest } {
  const rng = createRng(seed);
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = randomInt(rng, 256);
  const manifest: CheckpointManifest = {
    format: 'nextstate-checkpoint', formatVersion: 1, preset: 'tiny',
    config: { vocabSize: 76, dModel: 128, nLayers: 4, nHeads: 4, dFF: 352, maxLen: 384, ropeBase: 10000 },
    tokenizer: { kind: 'char' }, corpusVersion: 1, tokensSeen: seed * 1000, finalLoss: null,
    sha256: (seed.toString(16).padStart(8, '0')).repeat(8), bytes: size, created: new Date(1_700_000_000_000 + seed).toISOString(),
  };
  return { bytes, manifest };
}

/** Writes a fixture session through the store's own methods, in the loop's order. */
export async function writeFixture(store: {
  putSession(s: SessionInfo): Promise<void>;
  putTurn(t: StoredTurn): Promise<void>;
  putJudge(j: EvaluativeRecord | DirectiveRecord): Promise<void>;
  putSample(s: StoredSample): Promise<void>;
}, fixture: FixtureSession): Promise<void> {
  await store.putSession(fixture.session);
  for (const t of fixture.turns) await store.putTurn(t);
  for (const j of fixture.judges) await store.putJudge(j);
  for (const s of fixture.samples) await store.putSample(s);
}
