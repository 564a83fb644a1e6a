import { describe, it, expect } from 'vitest';
import { DEFAULT_SETTINGS, validateSettings } from '../../rl/settings.ts';
import { WORKSHOP_PRESETS, variantActive, variantSettings } from './presets.ts';

describe('workshop presets', () => {
  const visitor = { ...DEFAULT_SETTINGS, backend: 'wasm' as const, maxTokens: 40, seed: 7, lr: 1e-3, C: 5 };

  it('every arm is valid settings: the defaults, the visitor\'s runtime choices, then the arm', () => {
    for (const p of WORKSHOP_PRESETS) {
      expect(p.explanation.length).toBeGreaterThan(0);
      expect(p.variants.length).toBeGreaterThan(1);
      for (const v of p.variants) {
        const s = variantSettings(p, v, visitor);
        expect(validateSettings(s)).toEqual(s);
        expect([s.backend, s.maxTokens, s.seed]).toEqual(['wasm', 40, 7]);
        for (const [k, value] of Object.entries({ ...p.base, ...v.settings })) expect(s[k as keyof typeof s]).toBe(value);
        expect(s.lr).toBe(DEFAULT_SETTINGS.lr);
      }
    }
  });

  it('exactly the applied arm of a preset is active, and none before it is applied', () => {
    for (const p of WORKSHOP_PRESETS) {
      expect(p.variants.filter((v) => variantActive(p, v, visitor))).toEqual([]);
      for (const v of p.variants) {
        const applied = variantSettings(p, v, visitor);
        expect(p.variants.filter((w) => variantActive(p, w, applied)).map((w) => w.id)).toEqual([v.id]);
      }
    }
  });

  it('the arms differ where the question is: w_OPD, C, selection or k', () => {
    const arms = (id: string) => WORKSHOP_PRESETS.find((p) => p.id === id)!.variants.map((v) => v.settings);
    expect(arms('hybrid-vs-grpo').map((s) => [s.wRL, s.wOPD])).toEqual([[1, 1], [1, 0], [0, 1]]);
    expect(arms('clip').map((s) => s.C)).toContain(0);
    expect(new Set(arms('hint-selection').map((s) => `${s.selection}/${s.k}`)).size).toBe(4);
  });
});
