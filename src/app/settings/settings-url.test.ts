import { describe, it, expect } from 'vitest';
import { createRng } from '../../model/rng.ts';
import { DEFAULT_SETTINGS, SETTING_KEYS, SETTING_SPECS, SettingsError, type Settings } from '../../rl/settings.ts';
import { pageQueryWithSettings, queryHasSettings, settingsFromPageQuery } from './settings-url.ts';
import { SETTING_GROUPS } from './setting-groups.ts';
import { parseJudgeConfig } from './judge-storage.ts';
import { modelBase, SHIPPED_MODEL_BASE } from '../load/model-url.ts';

/** Random valid settings: each knob at its default or at a random allowed value. */
function randomSettings(seed: number): Settings {
  const rng = createRng(seed);
  const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const key of SETTING_KEYS) {
    if (rng() < 0.5) continue;
    const spec = SETTING_SPECS[key] as { type: string; choices?: readonly string[]; min?: number; max?: number; integer?: boolean; minExclusive?: boolean };
    if (spec.type === 'choice') out[key] = spec.choices![Math.floor(rng() * spec.choices!.length)];
    else {
      const lo = spec.min ?? 0;
      const hi = Math.min(spec.max ?? lo + 100, lo + 100);
      let v = lo + rng() * (hi - lo);
      if (spec.integer) v = Math.round(v);
      if (spec.minExclusive && v <= lo) v = lo + (hi - lo) / 2;
      out[key] = v;
    }
  }
  return out as unknown as Settings;
}

describe('settings in the page URL', () => {
  it('round-trips random settings and keeps the page\'s other parameters', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const s = randomSettings(seed);
      const query = pageQueryWithSettings('?model=%2Fmodels%2Fx&k=2', s);
      expect(new URLSearchParams(query).get('model')).toBe('/models/x');
      expect(settingsFromPageQuery(query)).toEqual(s);
      expect(queryHasSettings(query)).toBe(SETTING_KEYS.some((k) => s[k] !== DEFAULT_SETTINGS[k]));
    }
  });

  it('writes nothing for the defaults and refuses bad values with the reason', () => {
    expect(pageQueryWithSettings('', { ...DEFAULT_SETTINGS })).toBe('');
    expect(pageQueryWithSettings('?model=a&batchSize=3', { ...DEFAULT_SETTINGS })).toBe('?model=a');
    expect(() => settingsFromPageQuery('?k=0')).toThrow(SettingsError);
    expect(() => settingsFromPageQuery('?k=0')).toThrow(/k must be in \[1, 32\], got 0/);
    expect(settingsFromPageQuery('?model=x&unknown=1').k).toBe(DEFAULT_SETTINGS.k);
    expect(settingsFromPageQuery('?environment=terminal').environment).toBe('terminal');
    expect(DEFAULT_SETTINGS.environment).toBe('chat');
    expect(() => settingsFromPageQuery('?environment=shell')).toThrow(SettingsError);
  });

  it('the settings panel shows every knob exactly once', () => {
    const shown = SETTING_GROUPS.flatMap((g) => g.keys.map((k) => k.key));
    expect([...shown].sort()).toEqual([...SETTING_KEYS].sort());
  });
});

describe('judge config in localStorage', () => {
  it('keeps well-formed configs field by field and falls back to the built-in judge otherwise', () => {
    const openai = { kind: 'openai', baseUrl: 'https://x/v1', model: 'm', apiKey: 'k1' } as const;
    expect(parseJudgeConfig(JSON.stringify({ ...openai, extra: 1 }))).toEqual(openai);
    expect(parseJudgeConfig(JSON.stringify({ kind: 'server', url: 'http://h', token: '' }))).toEqual({ kind: 'server', url: 'http://h' });
    for (const bad of [null, '', '{', '"x"', '{"kind":"server"}', '{"kind":"openai","baseUrl":1}']) expect(parseJudgeConfig(bad)).toEqual({ kind: 'builtin' });
  });
});

describe('model URL', () => {
  it('takes a same-origin path from ?model= and nothing else', () => {
    expect(modelBase('')).toBe(SHIPPED_MODEL_BASE);
    expect(modelBase('?model=/x/y.json')).toBe('/x/y');
    expect(modelBase('?model=/x/y.safetensors')).toBe('/x/y');
    expect(modelBase('?model=https://evil.example/m')).toBe(SHIPPED_MODEL_BASE);
    expect(modelBase('?model=//evil.example/m')).toBe(SHIPPED_MODEL_BASE);
  });
});
