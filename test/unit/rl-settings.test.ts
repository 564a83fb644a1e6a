import { describe, it, expect } from 'vitest';
import {
  DEFAULT_SETTINGS,
  SETTING_DOCS,
  SETTING_KEYS,
  SETTING_SPECS,
  SettingsError,
  settingsFromQuery,
  settingsToQuery,
  validateSettings,
  withEnvironmentC,
  ENVIRONMENT_C,
  type Settings,
} from '../../src/rl/settings.ts';
import { createRng, pick } from '../../src/model/rng.ts';

describe('settings (METHOD §2–6 knobs)', () => {
  it('defaults are the method\'s own', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({
      judgeVotes: 3, judgeTemperature: 0.6, k: 4, selection: 'sequence', support: 'student', C: 1,
      temperature: 0.6, topP: 1, epsLo: 0.2, epsHi: 0.28, wRL: 1, wOPD: 1, klCoef: 0, entropyCoef: 0,
      teacher: 'frozen', lr: 3e-4, adamBeta1: 0.9, adamBeta2: 0.98, backend: 'auto', maxStaleness: 4, behaviourWeightCap: 2,
    });
    expect(validateSettings({})).toEqual(DEFAULT_SETTINGS);
  });

  it('every knob has a one-line description', () => {
    for (const key of SETTING_KEYS) {
      expect(SETTING_DOCS[key].length).toBeGreaterThan(10);
      expect(SETTING_DOCS[key]).not.toContain('\n');
    }
  });

  it('rejects wrong types, ranges and unknown keys, naming each', () => {
    const bad = () => validateSettings({ k: 2.5, selection: 'best', lr: '1e-3', bogus: 1, topP: 0 });
    expect(bad).toThrow(SettingsError);
    try {
      bad();
    } catch (e) {
      const problems = (e as SettingsError).problems.join('\n');
      expect(problems).toMatch(/k must be an integer/);
      expect(problems).toMatch(/selection must be one of sequence \| token \| shortest \| random/);
      expect(problems).toMatch(/lr must be a finite number/);
      expect(problems).toMatch(/unknown setting "bogus"/);
      expect(problems).toMatch(/topP must be in \(0, 1\]/);
      expect((e as SettingsError).problems).toHaveLength(5);
    }
    expect(() => validateSettings({ epsLo: NaN })).toThrow(/epsLo must be a finite number/);
    expect(() => validateSettings([])).toThrow(/must be an object/);
    expect(validateSettings({ C: 0, teacher: 'live' })).toMatchObject({ C: 0, teacher: 'live' });
  });

  it('prototype-named keys are unknown settings, never stored (own-property checks)', () => {
    for (const key of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(() => validateSettings(JSON.parse(`{"${key}": 1}`))).toThrow(new RegExp(`unknown setting "${key}"`));
      expect(() => settingsFromQuery(`k=8&${key}=1`)).toThrow(new RegExp(`unknown setting "${key}"`));
      const page = settingsFromQuery(`k=8&${key}=x`, { ignoreUnknown: true });
      expect(page.k).toBe(8);
      expect(Object.hasOwn(page, key)).toBe(false);
    }
  });

  it('the query holds only non-default values', () => {
    expect(settingsToQuery(DEFAULT_SETTINGS)).toBe('');
    expect(settingsToQuery({ ...DEFAULT_SETTINGS, k: 8, selection: 'token' })).toBe('k=8&selection=token');
    expect(() => settingsFromQuery('k=8&nope=1')).toThrow(/unknown setting "nope"/);
    expect(settingsFromQuery('k=8&nope=1', { ignoreUnknown: true }).k).toBe(8);
    expect(() => settingsFromQuery('k=')).toThrow(/k must be a finite number/);
  });

  it('property: random settings survive the URL round trip', () => {
    const rng = createRng(21);
    for (let trial = 0; trial < 200; trial++) {
      const s: Record<string, unknown> = { ...DEFAULT_SETTINGS };
      for (const key of SETTING_KEYS) {
        if (rng() < 0.5) continue;
        const spec = SETTING_SPECS[key];
        if (spec.type === 'choice') {
          s[key] = pick(rng, spec.choices as readonly string[]);
        } else {
          const lo = spec.min ?? 0;
          const hi = spec.max ?? lo + 10;
          let v = lo + rng() * (hi - lo);
          if (spec.integer) v = Math.round(v);
          if (spec.minExclusive && v <= lo) v = hi;
          s[key] = v;
        }
      }
      const settings = validateSettings(s) as Settings;
      const back = settingsFromQuery(settingsToQuery(settings));
      expect(back).toEqual(settings);
    }
  });
});

describe('C follows the environment (METHOD §5: C = 1 in chat, 2 where the agent acts)', () => {
  it('switching environment moves a default C to the new default, keeps a chosen C, and an explicit C wins', () => {
    const chat = validateSettings({});
    expect(validateSettings(withEnvironmentC(chat, { environment: 'tool-use' })).C).toBe(ENVIRONMENT_C);
    expect(ENVIRONMENT_C).toBe(2);
    const tool = validateSettings(withEnvironmentC(chat, { environment: 'tool-use' }));
    expect(validateSettings(withEnvironmentC(tool, { environment: 'terminal' })).C).toBe(2);
    expect(validateSettings(withEnvironmentC(tool, { environment: 'chat' })).C).toBe(DEFAULT_SETTINGS.C);
    expect(validateSettings(withEnvironmentC({ ...chat, C: 0.5 }, { environment: 'terminal' })).C).toBe(0.5);
    expect(validateSettings(withEnvironmentC(chat, { environment: 'terminal', C: 3 })).C).toBe(3);
    expect(validateSettings(withEnvironmentC(tool, { k: 8 }))).toMatchObject({ C: 2, k: 8, environment: 'tool-use' });
    expect(validateSettings(withEnvironmentC({ ...tool, C: 1 }, { environment: 'chat' })).C).toBe(1);
  });
});
