"""Reads the packed corpus of scripts/dump-corpus.ts (optionally .xz) and makes pretrain.ts's batches from it:
conversations in a shuffled order, bucketed by length within pools of POOL_BATCHES batches of about batch_tokens
tokens each, the batches of a pool shuffled, rows right-padded with the pad id 0 (loss mask 0)."""
import json
import lzma
import struct

import torch

MAGIC = b'NSCORP01'
POOL_BATCHES = 32


def read_corpus(path):
    """(header dict, lengths int64 [C], tokens uint8 [T]) of one dump file (.xz read with lzma)."""
    opener = lzma.open if path.endswith('.xz') else open
    with opener(path, 'rb') as f:
        raw = f.read()
    if raw[:8] != MAGIC:
        raise ValueError(f'{path}: not a corpus dump (magic {raw[:8]!r})')
    (h,) = struct.unpack('<I', raw[8:12])
    header = json.loads(raw[12:12 + h].decode('utf-8'))
    n, total = header['conversations'], header['tokens']
    at = 12 + h
    if len(raw) != at + 2 * n + total:
        raise ValueError(f'{path}: {len(raw)} bytes, the header promises {at + 2 * n + total}')
    lengths = torch.frombuffer(bytearray(raw[at:at + 2 * n]), dtype=torch.int16).to(torch.int64) & 0xFFFF
    tokens = torch.frombuffer(bytearray(raw[at + 2 * n:]), dtype=torch.uint8).clone()
    if int(lengths.sum()) != total:
        raise ValueError(f'{path}: lengths sum to {int(lengths.sum())}, the header says {total} tokens')
    return header, lengths, tokens


class Corpus:
    """Every given dump concatenated, on `device`."""

    def __init__(self, paths, device):
        headers, lengths, tokens = [], [], []
        for p in paths:
            h, n, t = read_corpus(p)
            headers.append(h)
            lengths.append(n)
            tokens.append(t)
        versions = sorted({h['corpusVersion'] for h in headers})
        if len(versions) != 1:
            raise ValueError(f'corpus files of several versions: {versions}')
        self.version = versions[0]
        self.headers = headers
        self.lengths = torch.cat(lengths)
        self.starts = torch.cumsum(self.lengths, 0) - self.lengths
        self.tokens = torch.cat(tokens).to(device)
        self.starts_on_device = self.starts.to(device)
        self.lengths_on_device = self.lengths.to(device)
        self.device = device
        self.max_len = max(h['maxLen'] for h in headers)

    @property
    def conversations(self):
        return int(self.lengths.numel())

    @property
    def token_count(self):
        return int(self.tokens.numel())

    def batch(self, rows):
        """(ids int64 [B, L], loss_mask float32 [B, L], tokens) for conversation indices `rows` (a list)."""
        index = torch.tensor(rows, dtype=torch.int64)
        row_lengths = self.lengths[index]
        longest, count = int(row_lengths.max()), int(row_lengths.sum())
        if self.device.type == 'cuda':
            # pinned + non_blocking: a pageable copy would wait for every kernel already queued
            index = index.pin_memory().to(self.device, non_blocking=True)
        starts = self.starts_on_device[index]
        lens = self.lengths_on_device[index]
        steps = torch.arange(longest, device=self.device)
        valid = steps[None, :] < lens[:, None]
        at = torch.clamp(starts[:, None] + steps[None, :], max=self.token_count - 1)
        raw = self.tokens[at].to(torch.int64) * valid
        return raw & 127, (raw >> 7).to(torch.float32), count

    def batches(self, batch_tokens, seed, epoch_start=0):
        """Endless (epoch, rows) batches: each epoch a fresh permutation of the conversations."""
        lengths = self.lengths.tolist()
        epoch = epoch_start
        while True:
            g = torch.Generator()
            g.manual_seed(seed * 1000003 + epoch)
            order = torch.randperm(len(lengths), generator=g).tolist()
            pool, pool_tokens = [], 0
            for i in order + [None]:
                if i is not None:
                    pool.append(i)
                    pool_tokens += lengths[i]
                    if pool_tokens < POOL_BATCHES * batch_tokens:
                        continue
                if not pool:
                    break
                pool.sort(key=lambda r: lengths[r])
                batches, current = [], []
                for r in pool:
                    if current and (len(current) + 1) * lengths[r] > batch_tokens:
                        batches.append(current)
                        current = []
                    current.append(r)
                if current:
                    batches.append(current)
                for j in torch.randperm(len(batches), generator=g).tolist():
                    yield epoch, batches[j]
                pool, pool_tokens = [], 0
            epoch += 1
