/**
 * The built-in judge with varied hint wording, for the hint-selection ablation (METHOD §3–4).
 *
 * The built-in judge is a rule table: its m votes are copies, so every turn has one hint candidate and the
 * selection modes `sequence | token | shortest | random` cannot differ. A sampled model judge words the same
 * insight differently from vote to vote. This wrapper imitates that: each directive vote whose hint is the
 * built-in judge's canonical hint for a style is reworded with one of the world's phrasings of that hint.
 * The judge still sees only the turn (reply and next state); nothing here knows the user's preference.
 */
import { createRng } from '../model/rng.ts';
import { HINT_END, HINT_START } from '../rl/judge/parse.ts';
import type { JudgeBackend, JudgeRequest } from '../rl/judge/types.ts';
import { HINT_PHRASINGS, JUDGE_HINTS, STYLE_IDS } from '../world/index.ts';

function hash(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** `variedHintJudge(base, seed)`: `base` with its canonical style hints reworded per vote, deterministically per turn. */
export function variedHintJudge(base: JudgeBackend, seed: number): JudgeBackend {
  return {
    name: `${base.name}+varied-hints`,
    async complete(request: JudgeRequest, m: number, options?: { signal?: AbortSignal }): Promise<string[]> {
      const texts = await base.complete(request, m, options);
      if (request.signal !== 'directive') return texts;
      const rng = createRng(hash(`${request.reply}\u0000${request.nextState.content}`, seed));
      return texts.map((text) => {
        const start = text.indexOf(HINT_START);
        const end = text.indexOf(HINT_END, start);
        if (start < 0 || end < 0) return text;
        // A hint naming several styles is their canonical sentences joined by a space: each is reworded.
        let hint = text.slice(start + HINT_START.length, end);
        for (const id of STYLE_IDS) {
          if (!hint.includes(JUDGE_HINTS[id])) continue;
          const phrasings = HINT_PHRASINGS[id];
          hint = hint.replace(JUDGE_HINTS[id], phrasings[Math.floor(rng() * phrasings.length)]);
        }
        return text.slice(0, start + HINT_START.length) + hint + text.slice(end);
      });
    },
  };
}
