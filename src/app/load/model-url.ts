/** Where the page loads its policy from: the shipped checkpoint, or `?model=<base URL>` (same origin only). */
export const SHIPPED_MODEL_BASE = '/models/nextstate-tiny';

/** The model base URL (no `.json` / `.safetensors`) named by the page's query, else the shipped one. */
export function modelBase(search: string): string {
  const requested = new URLSearchParams(search).get('model');
  // Only a path on this origin: a link must not make the page fetch weights from elsewhere.
  if (!requested || !requested.startsWith('/') || requested.startsWith('//')) return SHIPPED_MODEL_BASE;
  return requested.replace(/\.(json|safetensors)$/, '');
}
