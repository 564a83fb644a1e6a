"""The safetensors container by hand (stdlib + torch only): 8-byte little-endian header length, a JSON header, raw
little-endian data. Float32 tensors only, like src/model/safetensors.ts."""
import json
import os
import struct
import sys
from array import array

import torch


def read_safetensors(path):
    """(tensors by name in file order as float32 CPU tensors, metadata dict)."""
    if sys.byteorder != 'little':
        raise ValueError('this reader assumes a little-endian host')
    with open(path, 'rb') as f:
        raw = f.read()
    (header_len,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + header_len].decode('utf-8'))
    metadata = header.pop('__metadata__', {}) or {}
    start = 8 + header_len
    tensors = {}
    for name, entry in sorted(header.items(), key=lambda kv: kv[1]['data_offsets'][0]):
        if entry['dtype'] != 'F32':
            raise ValueError(f'{path}: "{name}" has dtype {entry["dtype"]}, expected F32')
        begin, end = entry['data_offsets']
        shape = entry['shape']
        n = 1
        for d in shape:
            n *= d
        if end - begin != 4 * n:
            raise ValueError(f'{path}: "{name}" holds {end - begin} bytes for shape {shape}')
        data = bytearray(raw[start + begin:start + end])
        flat = torch.frombuffer(data, dtype=torch.float32).clone() if n else torch.zeros(0)
        tensors[name] = flat.reshape(shape)
    return tensors, metadata


def write_safetensors(path, named, metadata=None):
    """Writes [(name, tensor)] in the given order as F32, data 8-byte aligned like encodeSafetensors."""
    header = {'__metadata__': dict(metadata or {})}
    blobs = []
    offset = 0
    for name, t in named:
        data = array('f', t.detach().to('cpu', torch.float32).reshape(-1).tolist()).tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header, separators=(',', ':')).encode('utf-8')
    encoded += b' ' * ((8 - (8 + len(encoded)) % 8) % 8)
    tmp = f'{path}.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(encoded)))
        f.write(encoded)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)
