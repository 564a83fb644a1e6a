/**
 * A simulated user (METHOD §9, issue 8): it asks held-out questions, checks the first reply of each session
 * against its hidden preference with the world's deterministic checkers, and answers in its own words.
 * Unmet: it states one missed wish (sometimes both), or only complains, or asks again in other words.
 * Met: it thanks, or thanks and moves on to its next question (which opens the next session).
 * With `checksAnswers`, a reply whose answer is wrong is corrected first, whatever its style: the user says so and
 * gives the right answer (`met` still says whether the style met the preference, for the metric).
 *
 * Deterministic for a seed. Every answer draws the same number of random numbers whatever the preference
 * and the reply, so two users with the same seed say the same words except where they state their wish.
 */
import { createRng, type Rng } from '../model/rng.ts';
import { rephrase, sampleHeldoutQuestion, type Question, type StyleId } from '../world/index.ts';
import { type Preference, unmetDimensions } from './preferences.ts';
import {
  ASK_AGAIN_PREFIXES, BARE_COMPLAINTS, MOVE_ON_PREFIXES, STATED_WISHES, THANKS, WISH_CLOSERS, WISH_JOINERS, WISH_OPENERS, WRONG_ANSWER_OPENERS,
} from './user-words.ts';

/**
 * `state`: names a missed style; `complain`: says it is wrong, not how; `ask-again`: repeats the question;
 * `correct`: says the answer is wrong and gives the right one (`checksAnswers` only).
 */
export type AnswerKind = 'state' | 'complain' | 'ask-again' | 'thanks' | 'move-on' | 'correct';

/** Shares of the answers to a reply that missed the preference. */
export const UNMET_SHARES: Readonly<Record<'state' | 'complain' | 'ask-again', number>> = { state: 0.6, complain: 0.2, 'ask-again': 0.2 };
/** Share of "move on" among the answers to a reply that met it. */
export const MOVE_ON_SHARE = 0.5;
/** Share of answers a user types all in lowercase, whatever its preference. */
const TYPED_LOWERCASE = 0.2;

export interface UserAnswer {
  met: boolean;
  kind: AnswerKind;
  /** What the user writes: the next state of the session's turn. */
  text: string;
  /** The dimensions the reply missed (empty when met). */
  unmet: StyleId[];
}

function at<T>(items: readonly T[], u: number): T {
  return items[Math.min(items.length - 1, Math.floor(u * items.length))];
}

export class SimulatedUser {
  private readonly questions: Rng;
  private readonly words: Rng;
  private pending: Question | null = null;
  private current: Question | null = null;
  private lastDrawn: Question | null = null;

  constructor(readonly preference: Preference, readonly seed: number, readonly options: { checksAnswers?: boolean } = {}) {
    this.questions = createRng(seed);
    this.words = createRng((seed ^ 0x5bd1e995) >>> 0);
  }

  /** The first message of the next session: the question moved on to, or a fresh held-out question. */
  ask(): Question {
    this.current = this.pending ?? this.drawQuestion();
    this.pending = null;
    return this.current;
  }

  /**
   * The next held-out question, never about the same fact as the one before (moving on to it would read as
   * asking again). Depends only on the seed, so users with the same seed ask the same questions.
   */
  private drawQuestion(): Question {
    let q: Question;
    do q = sampleHeldoutQuestion(this.questions);
    while (q.answer === this.lastDrawn?.answer);
    this.lastDrawn = q;
    return q;
  }

  /** The user's answer to the first reply of the session (its next state). */
  answer(reply: string): UserAnswer {
    if (!this.current) throw new Error('SimulatedUser.answer: ask() first');
    const u = Array.from({ length: 12 }, () => this.words());
    const unmet = unmetDimensions(this.preference, reply);
    const met = unmet.length === 0;
    let kind: AnswerKind;
    let text: string;
    if (this.options.checksAnswers && !this.current.check(reply)) {
      kind = 'correct';
      text = at(WRONG_ANSWER_OPENERS, u[2]) + this.current.answer + '.';
    } else if (met) {
      kind = u[0] < MOVE_ON_SHARE ? 'move-on' : 'thanks';
      if (kind === 'move-on') {
        this.pending = this.drawQuestion();
        text = at(MOVE_ON_PREFIXES, u[1]) + this.pending.text;
      } else {
        text = at(THANKS, u[2]);
      }
    } else if (u[0] < UNMET_SHARES.state) {
      kind = 'state';
      const first = at(unmet, u[3]);
      let wish = at(STATED_WISHES[first], u[4]);
      const other = unmet.find((d) => d !== first);
      if (other && u[5] < 0.3) wish += (/[.!?]$/.test(wish) ? '' : '.') + at(WISH_JOINERS, u[6]) + lowerFirst(at(STATED_WISHES[other], u[7]));
      const opener = at(WISH_OPENERS, u[8]);
      const closer = at(WISH_CLOSERS, u[9]);
      text = opener + (/[,:] $|but $/.test(opener) ? lowerFirst(wish) : wish);
      if (closer && !/[.!?]$/.test(text)) text += '.';
      text += closer;
    } else if (u[0] < UNMET_SHARES.state + UNMET_SHARES.complain) {
      kind = 'complain';
      text = at(BARE_COMPLAINTS, u[2]);
    } else {
      kind = 'ask-again';
      text = at(ASK_AGAIN_PREFIXES, u[1]) + rephrase(this.current, () => u[10]).text;
    }
    if (u[11] < TYPED_LOWERCASE) text = text.toLowerCase();
    return { met, kind, text, unmet };
  }
}

function lowerFirst(s: string): string {
  // "I" stays a capital: "Hmm. I would rather ..." reads wrong otherwise.
  return /^I\b/.test(s) ? s : s.charAt(0).toLowerCase() + s.slice(1);
}
