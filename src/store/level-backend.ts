/**
 * The store's key-value backend on disk (Node: the policy server): LevelDB through `classic-level`, an
 * embedded database whose native part ships prebuilt inside its npm package. Keys are encoded so that
 * LevelDB's byte order is the store's key order (`keys.ts`); values are structured clones (`node:v8`).
 * A write transaction is one LevelDB batch written with `sync` (fsync of its log), so a record the store
 * reports written survives `kill -9` and power loss; transactions run one at a time.
 */
import { deserialize, serialize } from 'node:v8';
import { ClassicLevel } from 'classic-level';
import type { KeyValueBackend, ReadTx, WriteTx } from './backend.ts';
import type { KeyPart, StoreKey } from './keys.ts';

const NUMBER = 0x01;
const STRING = 0x02;
const END = 0x00;
const ESCAPE = 0x01;

/** One key part, order-preserving: numbers (sign-flipped IEEE 754, big-endian) before strings (UTF-8, escaped, ended by 0x00). */
function encodePart(part: KeyPart, out: number[]): void {
  if (typeof part === 'number') {
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleBE(part);
    if (part < 0 || Object.is(part, -0)) for (let i = 0; i < 8; i++) bytes[i] ^= 0xff;
    else bytes[0] ^= 0x80;
    out.push(NUMBER, ...bytes);
    return;
  }
  out.push(STRING);
  // UTF-8 byte order is code-point order; it differs from IndexedDB's UTF-16 order only for astral characters.
  for (const byte of Buffer.from(part, 'utf8')) {
    if (byte === END || byte === ESCAPE) out.push(ESCAPE, byte + 1);
    else out.push(byte);
  }
  out.push(END);
}

/** The bytes of a whole key or of a key prefix (a prefix's bytes are a byte prefix of its keys' bytes). */
export function encodeKey(key: StoreKey | KeyPart[]): Buffer {
  const parts = Array.isArray(key) ? key : [key];
  const out: number[] = [];
  for (const part of parts) encodePart(part, out);
  return Buffer.from(out);
}

export function decodeKey(bytes: Uint8Array): KeyPart[] {
  const parts: KeyPart[] = [];
  let i = 0;
  while (i < bytes.length) {
    const tag = bytes[i++];
    if (tag === NUMBER) {
      const raw = Buffer.from(bytes.subarray(i, i + 8));
      if (raw[0] & 0x80) raw[0] ^= 0x80;
      else for (let j = 0; j < 8; j++) raw[j] ^= 0xff;
      parts.push(raw.readDoubleBE());
      i += 8;
    } else if (tag === STRING) {
      const text: number[] = [];
      while (bytes[i] !== END) {
        if (i >= bytes.length) throw new Error('LevelBackend: a string key part has no end');
        if (bytes[i] === ESCAPE) text.push(bytes[++i] - 1);
        else text.push(bytes[i]);
        i++;
      }
      i++;
      parts.push(Buffer.from(text).toString('utf8'));
    } else {
      throw new Error(`LevelBackend: unknown key tag ${tag}`);
    }
  }
  return parts;
}

/** Everything under `prefix`: from its bytes up to (not including) its bytes followed by 0xff (no part tag is 0xff). */
function range(prefix: KeyPart[]): { gte?: Buffer; lt?: Buffer } {
  if (prefix.length === 0) return {};
  const start = encodeKey(prefix);
  return { gte: start, lt: Buffer.concat([start, Buffer.from([0xff])]) };
}

const DELETED = Symbol('deleted');
type Staged = Map<string, { key: Buffer; value: Buffer } | { key: Buffer; value: typeof DELETED }>;

export class LevelBackend implements KeyValueBackend {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly db: ClassicLevel<Buffer, Buffer>) {}

  /** Opens (creating if needed) the database in folder `path`. */
  static async open(path: string): Promise<LevelBackend> {
    const db = new ClassicLevel<Buffer, Buffer>(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    return new LevelBackend(db);
  }

  close(): Promise<void> {
    return this.serialise(() => this.db.close());
  }

  read<T>(work: (tx: ReadTx) => Promise<T>): Promise<T> {
    return this.serialise(() => work(this.view(new Map())));
  }

  write<T>(work: (tx: WriteTx) => Promise<T>): Promise<T> {
    return this.serialise(async () => {
      const staged: Staged = new Map();
      const tx: WriteTx = {
        ...this.view(staged),
        put: (key, value) => {
          const bytes = encodeKey(key);
          staged.set(bytes.toString('hex'), { key: bytes, value: serialize(value) });
        },
        delete: (key) => {
          const bytes = encodeKey(key);
          staged.set(bytes.toString('hex'), { key: bytes, value: DELETED });
        },
      };
      const result = await work(tx);
      if (staged.size > 0) {
        const ops = [...staged.values()].map((op) => (op.value === DELETED ? { type: 'del' as const, key: op.key } : { type: 'put' as const, key: op.key, value: op.value }));
        await this.db.batch(ops, { sync: true });
      }
      return result;
    });
  }

  private serialise<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Reads that see the transaction's own staged writes first. */
  private view(staged: Staged): ReadTx {
    const scan = async (prefix: KeyPart[], withValues: boolean): Promise<Array<[Buffer, Buffer | undefined]>> => {
      const found = new Map<string, [Buffer, Buffer | undefined]>();
      for await (const [key, value] of this.db.iterator({ ...range(prefix), values: withValues })) found.set(key.toString('hex'), [key, value]);
      const start = prefix.length ? encodeKey(prefix) : Buffer.alloc(0);
      for (const [hex, op] of staged) {
        if (!op.key.subarray(0, start.length).equals(start)) continue;
        if (op.value === DELETED) found.delete(hex);
        else found.set(hex, [op.key, op.value]);
      }
      return [...found.values()].sort((a, b) => Buffer.compare(a[0], b[0]));
    };
    return {
      get: async <T>(key: StoreKey) => {
        const bytes = encodeKey(key);
        const op = staged.get(bytes.toString('hex'));
        const value = op ? (op.value === DELETED ? undefined : op.value) : await this.db.get(bytes);
        return value === undefined ? undefined : (deserialize(value) as T);
      },
      entries: async <T>(prefix: KeyPart[]) => (await scan(prefix, true)).map(([k, v]): [StoreKey, T] => [decodeKey(k), deserialize(v!) as T]),
      keys: async (prefix: KeyPart[]) => (await scan(prefix, false)).map(([k]) => decodeKey(k)),
    };
  }
}
