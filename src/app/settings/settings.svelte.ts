/**
 * The one settings object of the playground (STYLE "one settings object"): read at start from the URL (a
 * shared link wins), else from IndexedDB, else the defaults; every accepted change is applied to the
 * running loop, written back to the URL and saved to IndexedDB.
 */
import { DEFAULT_SETTINGS, SettingsError, validateSettings, withEnvironmentC, type Settings } from '../../rl/settings.ts';
import { pageQueryWithSettings, queryHasSettings, settingsFromPageQuery } from './settings-url.ts';

export interface SettingsPersistence {
  getSettings<T = unknown>(): Promise<T | undefined>;
  putSettings(settings: object): Promise<void>;
}

export type SettingsSource = 'link' | 'saved' | 'defaults';

export class SettingsState {
  /** Replaced whole on every change: a plain object that can cross to the workers. */
  value = $state.raw<Settings>({ ...DEFAULT_SETTINGS });
  source = $state<SettingsSource>('defaults');
  /** Why the last change (or the link, or the saved object) was refused, one problem per line. */
  problems = $state<string[]>([]);
  private persistence: SettingsPersistence | null = null;
  private listeners: ((next: Settings, previous: Settings) => void)[] = [];

  /** Reads the starting settings; a bad link or saved object is reported and the next source is used. */
  async init(persistence: SettingsPersistence, search: string): Promise<Settings> {
    this.persistence = persistence;
    if (queryHasSettings(search)) {
      try {
        this.value = settingsFromPageQuery(search);
        this.source = 'link';
        await this.save();
        return this.value;
      } catch (e) {
        this.problems = problemsOf(e, 'The link\'s settings were refused');
      }
    }
    try {
      const saved = await persistence.getSettings<unknown>();
      if (saved !== undefined) {
        this.value = validateSettings(saved);
        this.source = 'saved';
      }
    } catch (e) {
      this.problems = [...this.problems, ...problemsOf(e, 'The saved settings were refused')];
    }
    await this.save();
    return this.value;
  }

  /** Called with every accepted change (the loop's `setSettings`, an engine restart for `backend`). */
  onChange(listener: (next: Settings, previous: Settings) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Applies `partial` on top of the current settings; returns false (with `problems`) if it is refused. A new
   * environment brings its default C (2 where the agent acts, 1 in chat) unless C was changed from the default.
   */
  async set(partial: Partial<Settings>): Promise<boolean> {
    return this.replace(withEnvironmentC(this.value, partial));
  }

  /** Replaces every knob (a workshop preset, a reset). */
  async replace(next: Partial<Settings>): Promise<boolean> {
    let settings: Settings;
    try {
      settings = validateSettings(next);
    } catch (e) {
      this.problems = problemsOf(e, 'Refused');
      return false;
    }
    const previous = this.value;
    this.value = settings;
    this.problems = [];
    for (const listener of this.listeners) listener(settings, previous);
    await this.save();
    return true;
  }

  reset(): Promise<boolean> {
    return this.replace({});
  }

  /** The shareable link of the current settings. */
  link(): string {
    if (typeof location === 'undefined') return '';
    return `${location.origin}${location.pathname}${pageQueryWithSettings(location.search, this.value)}`;
  }

  private async save(): Promise<void> {
    this.writeUrl();
    await this.persistence?.putSettings(this.value);
  }

  private writeUrl(): void {
    if (typeof history === 'undefined') return;
    const query = pageQueryWithSettings(location.search, this.value);
    history.replaceState(history.state, '', `${location.pathname}${query}${location.hash}`);
  }
}

function problemsOf(e: unknown, prefix: string): string[] {
  if (e instanceof SettingsError) return e.problems.map((p) => `${prefix}: ${p}`);
  return [`${prefix}: ${(e as Error).message}`];
}
