/**
 * The packed corpus dump that scripts/dump-corpus.ts writes and scripts/gpu-pretrain/corpus.py reads
 * (all little-endian):
 *   bytes 0..7    ASCII "NSCORP01"
 *   uint32        H, the length of the JSON header that follows
 *   H bytes       UTF-8 JSON: { corpusVersion, split, seed, preset, vocabSize, maxLen, conversations, tokens,
 *                 skipped (conversations over maxLen), lossBit: 128 }
 *   uint16 × C    the length in tokens of each of the C conversations
 *   uint8 × T     the T tokens of all conversations in order: id | 128 when the loss mask is 1 (a reply token)
 * Ids must be < 128 (the char tokenizer has 104), so bit 7 is free for the loss mask.
 */
export const CORPUS_MAGIC = 'NSCORP01';
export const LOSS_BIT = 128;

export interface DumpHeader {
  corpusVersion: string;
  split: string;
  seed: number;
  preset: string;
  vocabSize: number;
  maxLen: number;
  conversations: number;
  tokens: number;
  skipped: number;
  lossBit: number;
  /** The kinds' weights where `corpus:dump --shares` changed them (else the corpus's KIND_SHARES). */
  kindShares?: Record<string, number>;
}

export interface DumpRow {
  ids: number[];
  lossMask: number[];
}

/** The file's bytes for conversations already packed as `tokens` (id | LOSS_BIT on reply tokens) and their lengths. */
export function encodeDump(header: DumpHeader, lengths: readonly number[], tokens: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + 4 + json.length + 2 * lengths.length + tokens.length);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(CORPUS_MAGIC), 0);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  let at = 12 + json.length;
  for (const n of lengths) {
    view.setUint16(at, n, true);
    at += 2;
  }
  out.set(tokens, at);
  return out;
}

/** Header and rows of a dump (uncompressed); throws on a file that is not one or does not add up. */
export function decodeDump(bytes: Uint8Array): { header: DumpHeader; rows: DumpRow[] } {
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== CORPUS_MAGIC) throw new Error('not a corpus dump (magic differs)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + h))) as DumpHeader;
  let at = 12 + h;
  if (bytes.length !== at + 2 * header.conversations + header.tokens) throw new Error(`dump of ${bytes.length} bytes does not match its header`);
  const lengths: number[] = [];
  for (let i = 0; i < header.conversations; i++, at += 2) lengths.push(view.getUint16(at, true));
  const rows: DumpRow[] = [];
  for (const n of lengths) {
    const packed = bytes.subarray(at, at + n);
    rows.push({ ids: Array.from(packed, (b) => b & (LOSS_BIT - 1)), lossMask: Array.from(packed, (b) => (b & LOSS_BIT ? 1 : 0)) });
    at += n;
  }
  if (at !== bytes.length) throw new Error(`dump lengths cover ${at} of ${bytes.length} bytes`);
  return { header, rows };
}
