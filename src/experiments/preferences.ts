/**
 * The simulated users' hidden preferences (METHOD §9, issue 8): each wants one or two of the world's style
 * dimensions on. Only the simulated user sees a preference; the learning path sees the user's words.
 *
 * Only "on" wishes are measured: with the world's base rates an "off" wish (no emoji, no list) is met by
 * most replies of an untrained policy, so it would say nothing about learning.
 */
import { styleDimension, type StyleId } from '../world/index.ts';

export interface Preference {
  /** `lowercase`, `brief+formal`: the dimensions joined by '+'. */
  id: string;
  /** The style dimensions the user wants on, in the order the user mentions them. */
  dims: readonly StyleId[];
}

function preference(...dims: StyleId[]): Preference {
  return { id: dims.join('+'), dims };
}

/**
 * The six preferences of the experiment: three single dimensions and three pairs. Chosen for low base rates
 * of the shipped policy at T = 0.6 (eval:model on the 20M-token checkpoint: brief .07, lowercase .21, emoji .30;
 * a pair is about the product), so that a policy that does not learn seldom meets one three times in a row by
 * luck; `list` alone (.40) would be met by luck in most runs and say nothing. With emoji at .30 a policy that
 * never updates does meet it by luck in some runs: the no-update arm reports that rate as it is.
 */
export const PREFERENCES: readonly Preference[] = [
  preference('lowercase'),
  preference('brief'),
  preference('emoji'),
  preference('lowercase', 'emoji'),
  preference('brief', 'formal'),
  preference('list', 'followup'),
];

export function preferenceById(id: string): Preference {
  const found = PREFERENCES.find((p) => p.id === id);
  if (found) return found;
  const dims = id.split('+') as StyleId[];
  dims.forEach((d) => styleDimension(d)); // throws on an unknown dimension
  return preference(...dims);
}

/** The dimensions of the preference that the reply misses (empty: the preference is met). */
export function unmetDimensions(pref: Preference, reply: string): StyleId[] {
  return pref.dims.filter((d) => !styleDimension(d).check(reply));
}

/** The user's deterministic checker: every wanted dimension shows in the reply (world checkers). */
export function meetsPreference(pref: Preference, reply: string): boolean {
  return unmetDimensions(pref, reply).length === 0;
}
