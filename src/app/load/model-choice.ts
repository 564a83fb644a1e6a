/**
 * Which model the page runs, as the page's URL carries it (a shared link opens the same model): the built-in
 * `nextstate-tiny` (no `hf` parameter), a Hugging Face Hub repo (`?hf=owner/name`) or a folder on a static server
 * (`?hf=https://host/models/name/` or `?hf=/models/name/`). A folder picked from disk cannot travel in a link.
 * Nothing secret is ever part of a choice.
 */
import { SUPPORTED_FAMILIES } from '../../model/hf/hf-config.ts';

export type ModelChoice =
  | { kind: 'builtin' }
  | { kind: 'hub'; repo: string }
  | { kind: 'url'; url: string }
  | { kind: 'files'; name: string };

/** The families the page lists as supported (config.json `model_type`), with examples. */
export const SUPPORTED_MODELS = [
  { family: 'llama', examples: 'SmolLM2 135M / 360M Instruct, Llama 3.2 1B Instruct' },
  { family: 'qwen2', examples: 'Qwen2.5 0.5B Instruct' },
  { family: 'qwen3', examples: 'Qwen3 0.6B' },
] as const satisfies readonly { family: (typeof SUPPORTED_FAMILIES)[number]; examples: string }[];

/** `owner/name` as the Hub spells repo ids. */
const REPO_ID = /^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}$/;

export class ModelChoiceError extends Error {
  override readonly name = 'ModelChoiceError';
}

/** What the visitor typed (or a link holds): a repo id, an http(s) folder URL, or a path on this site. */
export function parseModelChoice(text: string): ModelChoice {
  const value = text.trim();
  if (value === '' || value === 'nextstate-tiny') return { kind: 'builtin' };
  if (REPO_ID.test(value)) return { kind: 'hub', repo: value };
  if (value.startsWith('/') && !value.startsWith('//')) return { kind: 'url', url: value.replace(/\/+$/, '') };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ModelChoiceError(`"${value}" is neither a Hugging Face repo id (owner/name) nor a folder URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ModelChoiceError(`a model folder URL must be http(s), not ${url.protocol}`);
  if (url.username || url.password || url.search) throw new ModelChoiceError('a model folder URL may not carry credentials or a query');
  return { kind: 'url', url: url.href.replace(/\/+$/, '') };
}

/** The choice a page query names (`hf`), else the built-in model; a bad value throws `ModelChoiceError`. */
export function modelChoiceFromQuery(search: string): ModelChoice {
  const hf = new URLSearchParams(search).get('hf');
  return hf === null ? { kind: 'builtin' } : parseModelChoice(hf);
}

/** `search` with the choice written into it (`hf` removed for the built-in model; a local folder is not shareable). */
export function pageQueryWithModel(search: string, choice: ModelChoice): string {
  const params = new URLSearchParams(search);
  params.delete('hf');
  if (choice.kind === 'hub') params.set('hf', choice.repo);
  if (choice.kind === 'url') params.set('hf', choice.url);
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** The folder's base URL (its files are `<base>/<name>`), resolved against the page for a site path. */
export function folderBase(choice: { kind: 'hub'; repo: string } | { kind: 'url'; url: string }, pageUrl: string): string {
  if (choice.kind === 'hub') return `https://huggingface.co/${choice.repo}/resolve/main`;
  return new URL(choice.url, pageUrl).href.replace(/\/+$/, '');
}

export function choiceLabel(choice: ModelChoice): string {
  if (choice.kind === 'builtin') return 'nextstate-tiny (built-in)';
  if (choice.kind === 'hub') return choice.repo;
  if (choice.kind === 'url') return choice.url;
  return `${choice.name} (from disk)`;
}
