/**
 * Simulated users (issue 8): the checker on hand-written replies, answers that are varied, deterministic
 * for a seed, in the users' own words, and that carry the preference only where the user states it.
 */
import { describe, it, expect } from 'vitest';
import { createRng } from '../../src/model/rng.ts';
import { CORRECTIONS, HINT_PHRASINGS, STYLE_IDS, randomStyles, renderReply, type Question } from '../../src/world/index.ts';
import { readNextState, STYLE_HINTS } from '../../src/rl/judge/builtin/index.ts';
import {
  PREFERENCES, SimulatedUser, UNMET_SHARES, meetsPreference, preferenceById, unmetDimensions, type UserAnswer,
} from '../../src/experiments/index.ts';
import { ASK_AGAIN_PREFIXES, BARE_COMPLAINTS, MOVE_ON_PREFIXES, STATED_WISHES, THANKS, WRONG_ANSWER_OPENERS } from '../../src/experiments/user-words.ts';

describe('the preference checker', () => {
  // Each row: a hand-written reply and, per preference, whether it is met (read off the reply by eye).
  const rows: [string, Record<string, boolean>][] = [
    ['the capital of peru is lima. 🙂', { lowercase: true, brief: true, emoji: true, 'lowercase+emoji': true, 'brief+formal': false, 'list+followup': false }],
    ['The capital of Peru is Lima. It lies on the coast. 🙂', { lowercase: false, brief: false, emoji: true, 'lowercase+emoji': false, 'brief+formal': false, 'list+followup': false }],
    ['- The answer is 12.', { lowercase: false, brief: true, emoji: false, 'lowercase+emoji': false, 'brief+formal': false, 'list+followup': false }],
    ['- The answer is 12.\nWant another one?', { lowercase: false, brief: true, emoji: false, 'lowercase+emoji': false, 'brief+formal': false, 'list+followup': true }],
    ['Certainly, the answer is 12.', { lowercase: false, brief: true, emoji: false, 'lowercase+emoji': false, 'brief+formal': true, 'list+followup': false }],
    ["Certainly, it's 12.", { lowercase: false, brief: true, emoji: false, 'lowercase+emoji': false, 'brief+formal': false, 'list+followup': false }],
    ['Of course, the answer is 12. Adding is counting on.', { lowercase: false, brief: false, emoji: false, 'lowercase+emoji': false, 'brief+formal': false, 'list+followup': false }],
    ['the answer is 12', { lowercase: true, brief: true, emoji: false, 'lowercase+emoji': false, 'brief+formal': false, 'list+followup': false }],
    ['here it is:\n- one kilometre is 1000 metres.\n- kilo means a thousand.\nanother one? 🙂', { lowercase: true, brief: false, emoji: true, 'lowercase+emoji': true, 'brief+formal': false, 'list+followup': true }],
  ];
  it('agrees with hand-labelled replies for every preference', () => {
    expect(PREFERENCES.map((p) => p.id).sort()).toEqual(Object.keys(rows[0][1]).sort());
    for (const [reply, expected] of rows) {
      for (const p of PREFERENCES) expect(meetsPreference(p, reply), `${p.id} on ${JSON.stringify(reply)}`).toBe(expected[p.id]);
    }
  });

  it('names exactly the missed dimensions', () => {
    expect(unmetDimensions(preferenceById('lowercase+emoji'), 'the answer is 12')).toEqual(['emoji']);
    expect(unmetDimensions(preferenceById('lowercase+emoji'), 'The answer is 12.')).toEqual(['lowercase', 'emoji']);
    expect(unmetDimensions(preferenceById('brief+formal'), 'Certainly, the answer is 12.')).toEqual([]);
  });

  it('has at least six preferences, some over two dimensions, and reads ad-hoc ids', () => {
    expect(PREFERENCES.length).toBeGreaterThanOrEqual(6);
    expect(PREFERENCES.filter((p) => p.dims.length === 2).length).toBeGreaterThanOrEqual(2);
    expect(preferenceById('formal+followup').dims).toEqual(['formal', 'followup']);
    expect(() => preferenceById('shouty')).toThrow();
  });
});

/** `n` sessions of a user against world replies with random styles (fresh seeds per call). */
function talk(prefId: string, seed: number, n: number, replySeed: number, checksAnswers = false, wrongShare = 0): { question: Question; reply: string; answer: UserAnswer }[] {
  const user = new SimulatedUser(preferenceById(prefId), seed, { checksAnswers });
  const rng = createRng(replySeed);
  return Array.from({ length: n }, () => {
    const question = user.ask();
    let reply = renderReply(question, randomStyles(rng, 0.3), rng);
    // a wrong answer: the right one's digits or words swapped for others, the style kept
    if (rng() < wrongShare) reply = reply.split(question.answer).join(/\d/.test(question.answer) ? String(Number.parseInt(question.answer, 10) + 7) : 'Atlantis');
    return { question, reply, answer: user.answer(reply) };
  });
}

describe('simulated users', () => {
  it('are deterministic for a seed and differ across seeds', () => {
    const a = talk('brief', 11, 40, 5).map((x) => x.answer.text);
    const b = talk('brief', 11, 40, 5).map((x) => x.answer.text);
    const c = talk('brief', 12, 40, 5).map((x) => x.answer.text);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('ask held-out questions only', () => {
    for (const { question } of talk('emoji', 3, 50, 9)) expect(question.split).toBe('heldout');
  });

  it('answer in every kind, in proportions near the stated shares', () => {
    const sessions = PREFERENCES.flatMap((p, i) => talk(p.id, 100 + i, 150, 200 + i));
    const unmet = sessions.filter((s) => !s.answer.met);
    const share = (kind: string) => unmet.filter((s) => s.answer.kind === kind).length / unmet.length;
    expect(share('state')).toBeCloseTo(UNMET_SHARES.state, 1);
    expect(share('complain')).toBeCloseTo(UNMET_SHARES.complain, 1);
    expect(share('ask-again')).toBeCloseTo(UNMET_SHARES['ask-again'], 1);
    for (const s of sessions.filter((x) => x.answer.met)) expect(['thanks', 'move-on']).toContain(s.answer.kind);
    // Varied English: many distinct messages.
    expect(new Set(sessions.map((s) => s.answer.text)).size).toBeGreaterThan(300);
  });

  it('met only when every wanted dimension shows, and state a dimension the reply missed', () => {
    for (const p of PREFERENCES) {
      for (const s of talk(p.id, 7, 80, 8)) {
        expect(s.answer.met).toBe(meetsPreference(p, s.reply));
        expect(s.answer.unmet).toEqual(unmetDimensions(p, s.reply));
        if (s.answer.kind === 'state') {
          const said = s.answer.text.toLowerCase();
          expect(s.answer.unmet.some((d) => STATED_WISHES[d].some((w) => said.includes(w.toLowerCase().replace(/[.?!]$/, '').slice(1)))), said).toBe(true);
        }
      }
    }
  });

  it('move on to the question that opens the next session', () => {
    const user = new SimulatedUser(preferenceById('lowercase'), 21);
    let movedOn = 0;
    for (let i = 0; i < 30; i++) {
      const q = user.ask();
      const a = user.answer('it is twelve');
      expect(a.met).toBe(true);
      if (a.kind === 'move-on') {
        const next = user.ask();
        expect(a.text.toLowerCase().endsWith(next.text.toLowerCase())).toBe(true);
        expect(next.answer).not.toBe(q.answer);
        movedOn++;
        user.answer('It is twelve.');
      }
    }
    expect(movedOn).toBeGreaterThan(3);
  });

  it('carry the preference only in stated wishes: otherwise two users with the same seed say the same words', () => {
    for (const [p, q] of [['lowercase', 'list+followup'], ['emoji', 'brief+formal'], ['brief', 'lowercase+emoji']]) {
      const a = talk(p, 31, 120, 41);
      const b = talk(q, 31, 120, 41);
      expect(a.map((x) => x.question.text)).toEqual(b.map((x) => x.question.text));
      let compared = 0;
      a.forEach((x, i) => {
        const y = b[i];
        if (x.answer.kind !== 'state' && y.answer.kind !== 'state' && x.answer.met === y.answer.met) {
          expect(x.answer.text).toBe(y.answer.text);
          compared++;
        }
      });
      expect(compared).toBeGreaterThan(20);
    }
  });

  it('that check answers correct a wrong one first, giving the right answer, and otherwise say what users who do not check say', () => {
    for (const p of PREFERENCES) {
      const plain = talk(p.id, 41, 80, 9, false, 0.4);
      const checking = talk(p.id, 41, 80, 9, true, 0.4);
      let corrected = 0;
      checking.forEach((s, i) => {
        expect(s.answer.met).toBe(plain[i].answer.met); // the metric still reads the style
        if (s.question.check(s.reply)) {
          expect(s.answer).toEqual(plain[i].answer);
        } else {
          corrected++;
          expect(s.answer.kind).toBe('correct');
          expect(s.answer.text.toLowerCase()).toBe((WRONG_ANSWER_OPENERS.find((o) => s.answer.text.startsWith(o) || s.answer.text.startsWith(o.toLowerCase())) + s.question.answer + '.').toLowerCase());
        }
      });
      expect(corrected).toBeGreaterThan(10);
    }
  });

  it('speak their own words, not the corpus correction templates or hint lines', () => {
    const corpus = new Set([...STYLE_IDS.flatMap((d) => [...CORRECTIONS[d].on, ...CORRECTIONS[d].off, ...HINT_PHRASINGS[d]])].map((s) => s.toLowerCase()));
    const ours = [...Object.values(STATED_WISHES).flat(), ...BARE_COMPLAINTS, ...THANKS, ...ASK_AGAIN_PREFIXES, ...MOVE_ON_PREFIXES];
    for (const line of ours) expect(corpus.has(line.toLowerCase()), line).toBe(false);
    for (const d of STYLE_IDS) expect(STATED_WISHES[d].length).toBeGreaterThanOrEqual(6);
  });
});

describe('the built-in judge on the users\' own words (generalisation, measured)', () => {
  /** The dimensions whose wish the user's words state (an independent reference: the user's own wish lines). */
  const stated = (text: string, unmet: readonly string[]) =>
    unmet.filter((d) => STATED_WISHES[d as keyof typeof STATED_WISHES].some((w) => text.toLowerCase().includes(w.toLowerCase())));

  it('reads stated wishes as −1 with the hint of every style stated, complaints and asking again as −1 without a hint, thanks and moving on as +1', () => {
    // Measured when written (issue 8): stated 98%, thanks 100%, move-on 100%, ask-again 97%, bare complaints 77%.
    // Issue 17: "not the way I want it", "talk to me formally", "that would help me", "same question:" read; every kind 100%.
    const counts: Record<string, { n: number; ok: number }> = {};
    let both = 0;
    for (const p of PREFERENCES) {
      for (const s of talk(p.id, 500, 60, 600)) {
        const r = readNextState(s.reply, { role: 'user', content: s.answer.text }, 'personal', [{ role: 'user', content: s.question.text }]);
        const wanted = stated(s.answer.text, s.answer.unmet);
        if (s.answer.kind === 'state') expect(wanted.length, s.answer.text).toBeGreaterThan(0);
        if (wanted.length === 2) both++;
        // The hint: the canonical hint of each stated style, one sentence each, in any order.
        const sentences = r.hint?.split(/(?<=\.) /).sort() ?? [];
        const ok = s.answer.kind === 'state' ? r.score === -1 && sentences.join(' ') === wanted.map((d) => STYLE_HINTS[d as keyof typeof STYLE_HINTS].on).sort().join(' ')
          // A bare complaint or the question asked again names nothing to hint (METHOD §3; issue 17: a generic hint read as "be brief").
          : s.answer.met ? r.score === 1 && r.hint === null : r.score === -1 && r.hint === null;
        const c = (counts[s.answer.kind] ??= { n: 0, ok: 0 });
        c.n++;
        if (ok) c.ok++;
      }
    }
    const rate = (k: string) => counts[k].ok / counts[k].n;
    expect(both).toBeGreaterThan(5);
    expect(rate('state')).toBeGreaterThan(0.97);
    expect(rate('thanks')).toBeGreaterThan(0.97);
    expect(rate('move-on')).toBeGreaterThan(0.97);
    expect(rate('ask-again')).toBeGreaterThan(0.97);
    expect(rate('complain')).toBeGreaterThan(0.97);
  });

  it('reads a checking user\'s correction of a wrong answer as −1 with a hint that states the right answer', () => {
    let n = 0;
    for (const p of PREFERENCES) {
      for (const s of talk(p.id, 700, 60, 800, true, 0.5)) {
        if (s.answer.kind !== 'correct') continue;
        n++;
        const r = readNextState(s.reply, { role: 'user', content: s.answer.text }, 'personal', [{ role: 'user', content: s.question.text }]);
        expect(r.score, s.answer.text).toBe(-1);
        expect(r.hint, s.answer.text).toContain(s.question.answer);
      }
    }
    expect(n).toBeGreaterThan(50);
  });
});
