/**
 * Session tags on requests to a remote OpenAI-compatible policy server (METHOD §8): headers
 * `X-Session-Id`, `X-Turn-Type: main|side`, `X-Session-Done: true`, or body fields `session_id`,
 * `turn_type`, `session_done`. An untagged request is a side turn (the reference's rule; MetaClaw's is main,
 * which a server may choose). `session_done` is one of 1, true, yes, on.
 */
import type { TurnType } from './turns.ts';

export const SESSION_ID_HEADER = 'X-Session-Id';
export const TURN_TYPE_HEADER = 'X-Turn-Type';
export const SESSION_DONE_HEADER = 'X-Session-Done';

export interface WireTags {
  sessionId: string | null;
  turnType: TurnType;
  sessionDone: boolean;
}

/** The headers that tag one request. */
export function wireHeaders(tags: { sessionId: string; turnType: TurnType; sessionDone?: boolean }): Record<string, string> {
  const headers: Record<string, string> = { [SESSION_ID_HEADER]: tags.sessionId, [TURN_TYPE_HEADER]: tags.turnType };
  if (tags.sessionDone) headers[SESSION_DONE_HEADER] = 'true';
  return headers;
}

const DONE_WORDS = new Set(['1', 'true', 'yes', 'on']);

/**
 * The tags of a received request; headers win over body fields; a turn type other than `main` is `side`,
 * and a request with none is `untagged`.
 */
export function readWireTags(
  headers: { get(name: string): string | null },
  body: { session_id?: unknown; turn_type?: unknown; session_done?: unknown } = {},
  untagged: TurnType = 'side',
): WireTags {
  const sessionId = headers.get(SESSION_ID_HEADER) ?? (typeof body.session_id === 'string' ? body.session_id : null);
  const turnType = headers.get(TURN_TYPE_HEADER) ?? (typeof body.turn_type === 'string' ? body.turn_type : null);
  const done = headers.get(SESSION_DONE_HEADER) ?? body.session_done;
  return {
    sessionId: sessionId || null,
    turnType: turnType === null || turnType.trim() === '' ? untagged : turnType.trim().toLowerCase() === 'main' ? 'main' : 'side',
    sessionDone: done === true || done === 1 || (typeof done === 'string' && DONE_WORDS.has(done.trim().toLowerCase())),
  };
}
