/**
 * Everything recorded about the open session's main turns (METHOD §1–8): the stored turn (status, policy
 * version, update that trained it, overlap report), its judge records and its training sample.
 */
import type { DirectiveRecord, EvaluativeRecord, SampleRecord } from '../../rl/records.ts';
import type { RecordStore, StoredSample } from '../../store/types.ts';
import { storedSessionProblem } from '../../store/index.ts';
import type { StoredTurn } from '../../workers/online-loop.ts';
import type { OverlapReport, SignalResult } from '../../workers/protocol.ts';
import { turnKey } from '../../workers/protocol.ts';

export interface TurnView {
  key: string;
  stored: StoredTurn;
  evaluative: EvaluativeRecord | null;
  directive: DirectiveRecord | null;
  /** With its store status once stored (`failed`, `foreign`, … say why it is not trained). */
  sample: (SampleRecord & Partial<Pick<StoredSample, 'status' | 'error'>>) | null;
  report: OverlapReport | null;
}

export class TurnsState {
  sessionId = $state<string | null>(null);
  /** By `session_id/turn`; replaced whole on every change (large arrays stay unproxied). */
  byKey = $state.raw<Record<string, TurnView>>({});
  /** The open session's turns in order. */
  ordered: TurnView[] = $derived(Object.values(this.byKey).sort((a, b) => a.stored.turn - b.stored.turn));

  /** The serving policy's vocabulary: a stored token id past it cannot be shown. */
  vocabSize: number | undefined = undefined;

  /** All turns of one session, from the store; throws (showing nothing of it) when a record could not be shown. */
  async load(store: RecordStore, sessionId: string): Promise<void> {
    const [turns, judges, samples] = await Promise.all([store.listTurns(sessionId), store.listJudges(sessionId), store.listSamples({ sessionId })]);
    const problem = storedSessionProblem({ turns, judges, samples }, this.vocabSize);
    if (problem) throw new Error(`Session "${sessionId}" cannot be opened: ${problem}. Export it to look at it, or delete it.`);
    const next: Record<string, TurnView> = {};
    for (const stored of turns as StoredTurn[]) {
      const key = turnKey(stored.session_id, stored.turn);
      next[key] = { key, stored, evaluative: null, directive: null, sample: null, report: stored.report ?? null };
    }
    for (const j of judges) {
      const view = next[turnKey(j.session_id, j.turn)];
      if (!view) continue;
      if ('accepted' in j) view.directive = j;
      else view.evaluative = j;
    }
    for (const s of samples) {
      const view = next[turnKey(s.session_id, s.turn)];
      if (view) view.sample = s;
    }
    this.sessionId = sessionId;
    this.byKey = next;
  }

  /** The signal worker's result for a turn of the open session: judges, sample and report at once. */
  applySignal(result: SignalResult): void {
    const key = turnKey(result.sessionId, result.turn);
    const old = this.byKey[key];
    if (!old) return;
    this.byKey = {
      ...this.byKey,
      [key]: {
        key,
        stored: { ...old.stored, status: result.sample ? 'sampled' : 'no_sample', report: result.report },
        evaluative: { session_id: result.sessionId, turn: result.turn, score: result.evaluative.score, votes: result.evaluative.votes as EvaluativeRecord['votes'] },
        directive: { session_id: result.sessionId, turn: result.turn, ...result.directive },
        sample: result.sample,
        report: result.report,
      },
    };
  }

  clear(sessionId: string | null = null): void {
    this.sessionId = sessionId;
    this.byKey = {};
  }
}
