/** Reads a JSON request body up to a size limit (413 beyond it, 400 when it is not JSON). */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';

/** A parsed body and the text it was parsed from (what a body log shows: re-serialising may overflow the stack). */
export interface JsonBody {
  value: unknown;
  text: string;
}

/** The parsed body. */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  return (await readJsonBodyWithText(req, limitBytes)).value;
}

/** The parsed body and its text. */
export async function readJsonBodyWithText(req: IncomingMessage, limitBytes: number): Promise<JsonBody> {
  const tooLarge = () => new HttpError(413, 'body_too_large', `request body is larger than the limit of ${limitBytes} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge();
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as `content-type: application/json`');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return { value: JSON.parse(text) as unknown, text };
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `request body is not valid JSON: ${(error as Error).message}`);
  }
}
