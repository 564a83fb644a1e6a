import { describe, it, expect } from 'vitest';
import type { TurnView } from '../state/turns.svelte.ts';
import { scoreLabel, selectedHint, trainingLine } from './turn-status.ts';
import { staleReason } from '../../rl/staleness.ts';

function view(over: Partial<TurnView> & { status?: TurnView['stored']['status']; trained?: number }): TurnView {
  const stored = { session_id: 's', turn: 1, status: over.status ?? 'sampled', trained_in_update: over.trained } as TurnView['stored'];
  return { key: 's/1', stored, evaluative: null, directive: null, sample: null, report: null, ...over };
}

describe('turn lines under a reply', () => {
  it('say where the turn is in the loop', () => {
    expect(trainingLine(view({ status: 'awaiting_next_state' }), null)).toMatch(/Waiting for its next state/);
    expect(trainingLine(view({ status: 'pending_signals' }), null)).toMatch(/judging/);
    expect(trainingLine(view({ status: 'no_sample' }), null)).toMatch(/No training sample: score 0 and no hint/);
    const judged = (score: -1 | 0 | 1, hints: string[]) => view({
      status: 'no_sample',
      evaluative: { session_id: 's', turn: 1, score, votes: [] },
      directive: { session_id: 's', turn: 1, accepted: hints.length > 0, hints, votes: [] },
    });
    expect(trainingLine(judged(0, []), null)).toMatch(/score 0 and no hint/);
    expect(trainingLine(judged(-1, []), null)).toMatch(/no hint, and its GRPO term is off \(w_RL = 0/);
    expect(trainingLine(judged(0, ['say it briefly.']), null)).toMatch(/score 0, and its OPD term is off \(w_OPD = 0/);
    expect(trainingLine(judged(1, ['say it briefly.']), null)).toMatch(/both its terms are off/);
    expect(trainingLine(view({ status: 'sampled' }), { pendingSamples: 2, batchSize: 4, servingVersion: 3 })).toBe('Sample queued for update v4 (2/4 samples).');
    expect(trainingLine(view({ status: 'trained', trained: 5 }), null)).toBe('Trained in the update that made v5.');
    const stale = view({ status: 'stale' });
    (stale.stored as { policy_version: number }).policy_version = 2;
    expect(trainingLine(stale, null)).toMatch(/^Not trained: written by v2, more than one version behind/);
    const loop = { pendingSamples: 0, batchSize: 4, servingVersion: 9, staleReason: staleReason(4) };
    expect(trainingLine(stale, loop)).toBe('Not trained: written by v2, more than 4 versions behind the policy being trained, or from a version a rollback left behind (METHOD §7).');
  });

  it('say why a sampled turn is not trained: its batch failed (with the error), or it was imported', () => {
    const sample = (status: 'failed' | 'foreign' | 'pending', error?: string) => ({ status, error }) as TurnView['sample'];
    const loop = { pendingSamples: 1, batchSize: 4, servingVersion: 0 };
    expect(trainingLine(view({ sample: sample('failed', 'RangeError: GatherV2 index 4000') }), loop))
      .toMatch(/^Not trained: every update on its batch failed \(RangeError: GatherV2 index 4000\); set aside\. .*Retry failed samples/);
    expect(trainingLine(view({ sample: sample('foreign') }), loop)).toMatch(/^Imported sample: .*trains only if you ask .*Train on imported samples/);
    expect(trainingLine(view({ sample: sample('pending') }), loop)).toBe('Sample queued for update v1 (1/4 samples).');
  });

  it('show scores with a real minus sign and failed votes as failed', () => {
    expect([1, 0, -1, null].map(scoreLabel)).toEqual(['+1', '0', '−1', 'failed']);
  });

  it('mark the sample\'s hint as selected, else the largest overlap sum (ties to the shorter hint)', () => {
    const directive = { session_id: 's', turn: 1, accepted: true, hints: ['short.', 'a longer hint.', 'the longest hint here.'], votes: [] };
    const report = { sums: [3, 7, 7] } as TurnView['report'];
    expect(selectedHint(view({ directive, report }))).toBe(1);
    expect(selectedHint(view({ directive, report, sample: { hint: 'the longest hint here.' } as TurnView['sample'] }))).toBe(2);
    expect(selectedHint(view({ directive: { ...directive, hints: [] } }))).toBeNull();
    expect(selectedHint(view({ directive }))).toBe(0);
  });
});
