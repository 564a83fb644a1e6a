/**
 * Which style dimensions a hint names (issue 17's teacher diagnostic): a dimension is named when the hint
 * holds one of the world's wordings of that dimension's hint (the built-in judge's canonical hint, or one
 * of the phrasings the varied-hint judge uses). The judge's own words, not the user's preference.
 */
import { HINT_PHRASINGS, STYLE_IDS, type StyleId } from '../world/index.ts';

export function hintedDimensions(hint: string): StyleId[] {
  const text = hint.toLowerCase();
  return STYLE_IDS.filter((id) => HINT_PHRASINGS[id].some((phrase) => text.includes(phrase.toLowerCase())));
}
