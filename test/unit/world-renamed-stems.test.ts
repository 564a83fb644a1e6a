/**
 * The names of the corpus's renamed terminal tasks (`renamedStem`): many, never a near task's or the corpus's own
 * name, never a word the style checkers read as slang, and half of them siblings of a familiar name (the same first
 * letters, then others), so that copying a name from a hint is taught where the model's habit writes another.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/model/rng.ts';
import { SLANG_WORDS } from '../../src/world/styles.ts';
import { FAMILIAR_STEMS, NEAR_DIRECTORIES, NEAR_LOG_NAMES, renamedStem } from '../../src/world/environments/terminal/terminal.ts';

const rng = createRng(Math.floor(Math.random() * 1e9));
const stems = Array.from({ length: 3000 }, () => renamedStem(rng));
const randomLetters = /^(?:[bcdfgklmnprstvz][aeiou]){2,4}$/;

describe('renamedStem', () => {
  it('never contains a near task\'s name or the corpus\'s own, and is never slang', () => {
    const forbidden = [...NEAR_LOG_NAMES.map((n) => n.replace('.log', '')), ...NEAR_DIRECTORIES, 'app', 'logs', 'notes'];
    for (const stem of stems) {
      expect(stem).toMatch(/^[a-z]{3,}$/);
      for (const f of forbidden) expect(stem.includes(f), `${f} in ${stem}`).toBe(false);
      expect(SLANG_WORDS.includes(stem), stem).toBe(false);
    }
    expect(new Set(stems).size).toBeGreaterThan(stems.length / 3);
  });

  it('draws about half siblings: a familiar name\'s first letters (two or more), then letters that make it another name', () => {
    const siblings = stems.filter((s) => !FAMILIAR_STEMS.includes(s) && !randomLetters.test(s));
    // Siblings that happen to look like random letters (ap + "o" is not CV-CV, "de" + "la" is) count as random here.
    expect(siblings.length / stems.length).toBeGreaterThan(0.3);
    expect(siblings.length / stems.length).toBeLessThan(0.55);
    for (const s of siblings) {
      const source = FAMILIAR_STEMS.filter((w) => w.slice(0, 2) === s.slice(0, 2));
      expect(source.length, s).toBeGreaterThan(0);
      expect(source.includes(s), s).toBe(false);
    }
    // The familiar names of the corpus's own tasks get siblings too (beside app.log: apa, apo, apku ...).
    expect(siblings.some((s) => s.startsWith('ap'))).toBe(true);
    expect(siblings.some((s) => s.startsWith('se'))).toBe(true);
  });
});
