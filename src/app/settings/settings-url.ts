/**
 * The settings object in the page's URL (a shareable link opens the same configuration). Only non-default
 * knobs are written; other parameters of the page (`model`) are kept as they are.
 */
import { SETTING_KEYS, settingsFromQuery, settingsToQuery, type Settings } from '../../rl/settings.ts';

/** True when the query names at least one knob. */
export function queryHasSettings(search: string): boolean {
  const params = new URLSearchParams(search);
  return SETTING_KEYS.some((key) => params.has(key));
}

/** The knobs the query describes (absent ones at their defaults); throws `SettingsError` naming bad values. */
export function settingsFromPageQuery(search: string): Settings {
  return settingsFromQuery(search, { ignoreUnknown: true });
}

/** `search` with its knobs replaced by those of `settings` (leading `?` included when not empty). */
export function pageQueryWithSettings(search: string, settings: Settings): string {
  const params = new URLSearchParams(search);
  for (const key of SETTING_KEYS) params.delete(key);
  for (const [key, value] of new URLSearchParams(settingsToQuery(settings))) params.set(key, value);
  const query = params.toString();
  return query ? `?${query}` : '';
}
