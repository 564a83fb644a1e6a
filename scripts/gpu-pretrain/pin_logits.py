"""Recompute test/fixtures/nextstate-tiny-logits.json for a checkpoint: the logits of the fixture's rows by the
independent PyTorch replica of the graph (model.py), in float64 on the checkpoint's float32 weights, on the CPU with
the manual attention. `python3 scripts/gpu-pretrain/pin_logits.py [--checkpoint public/models/nextstate-tiny]
[--fixture test/fixtures/nextstate-tiny-logits.json] [--note TEXT] [--check]`: --check compares instead of writing.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import Decoder, checkpoint_weights  # noqa: E402
from safetensors_io import read_safetensors  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--checkpoint', default='public/models/nextstate-tiny')
    ap.add_argument('--fixture', default='test/fixtures/nextstate-tiny-logits.json')
    ap.add_argument('--note')
    ap.add_argument('--check', action='store_true')
    args = ap.parse_args()
    with open(args.checkpoint + '.json') as f:
        config = json.load(f)['config']
    stored, _ = read_safetensors(args.checkpoint + '.safetensors')
    weights = {n: t.double() for n, t in checkpoint_weights(stored, config).items()}
    decoder = Decoder(config, weights, torch.device('cpu'), 'manual')
    for name in ('cos_k', 'sin_k', 'cos_q', 'sin_q', 'mask'):
        setattr(decoder, name, getattr(decoder, name).double())
    with open(args.fixture) as f:
        fixture = json.load(f)
    worst = 0.0
    rows = []
    with torch.no_grad():
        for row in fixture['rows']:
            logits = decoder.logits(torch.tensor([row['ids']], dtype=torch.int64))[0]
            if args.check:
                worst = max(worst, float((logits - torch.tensor(row['logits'], dtype=torch.float64)).abs().max()))
            rows.append({'ids': row['ids'], 'logits': logits.tolist()})
    if args.check:
        print(json.dumps({'fixture': args.fixture, 'checkpoint': args.checkpoint, 'max_abs_diff': worst}))
        return
    out = {'note': args.note or fixture['note'], 'rows': rows}
    with open(args.fixture, 'w') as f:
        json.dump(out, f)
    print(json.dumps({'fixture': args.fixture, 'checkpoint': args.checkpoint, 'rows': len(rows)}))


if __name__ == '__main__':
    main()
