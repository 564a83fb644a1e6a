/** The optional client token: `Authorization: Bearer <token>`, compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http-error.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** `server` names the server in the challenge and the messages ("judge server", "policy server"). */
export function checkBearerToken(header: string | undefined, token: string | undefined, server = 'judge server'): void {
  if (!token) return;
  const challenge = { 'www-authenticate': `Bearer realm="nextstate-${server.split(' ')[0]}"` };
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match) throw new HttpError(401, 'missing_token', `this ${server} wants \`Authorization: Bearer <token>\``, challenge);
  if (!timingSafeEqual(digest(match[1].trim()), digest(token))) {
    throw new HttpError(401, 'invalid_token', `the bearer token is not the one this ${server} accepts`, challenge);
  }
}
