"""The torch side of parity.ts: `python3 parity.py DIR [--device cpu|cuda] [--attention manual|sdpa]`.
DIR holds tfjs.json and tfjs.safetensors written by parity.ts (tfjs's logits and its weights after two training
steps). Recomputes both with model.py in float32 (TF32 off) and prints the max abs diffs as one JSON line;
exit 1 when one is over its tolerance."""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import PRETRAIN_ADAM, Decoder, checkpoint_weights, clip_by_global_norm, make_adam, reply_loss  # noqa: E402
from safetensors_io import read_safetensors  # noqa: E402

TOLERANCE = {'logits': 1e-4, 'loss': 1e-5, 'gradNorm': 1e-4, 'grad': 1e-5, 'updateRelativeL2Diff': 1e-2}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dir')
    ap.add_argument('--model', help='checkpoint path without extension (default: the one parity.ts used)')
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--attention', default='manual')
    args = ap.parse_args()
    device = torch.device(args.device)
    if device.type == 'cuda':
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    with open(os.path.join(args.dir, 'tfjs.json')) as f:
        ref = json.load(f)
    expected, _ = read_safetensors(os.path.join(args.dir, 'tfjs.safetensors'))
    model = args.model or ref['model']
    with open(model + '.json') as f:
        config = json.load(f)['config']
    stored, _ = read_safetensors(model + '.safetensors')
    weights = {n: t.to(device).requires_grad_(True) for n, t in checkpoint_weights(stored, config).items()}
    decoder = Decoder(config, weights, device, args.attention)

    def diff(a, b):
        return float((a.detach().cpu() - b.detach().cpu()).abs().max())

    out = {'torch': torch.__version__, 'device': str(device), 'attention': args.attention,
           'rows': [len(r) for r in ref['rows']]}
    with torch.no_grad():
        single = max(diff(decoder.logits(torch.tensor([r], device=device)), expected[f'single.{i}'])
                     for i, r in enumerate(ref['rows']))
        batch = diff(decoder.logits(torch.tensor(ref['padded'], device=device)), expected['batch'])
    out['logitsMaxAbsDiff'] = {'single': single, 'paddedBatch': batch}

    params = list(weights.values())
    adam = make_adam(params, PRETRAIN_ADAM, device)
    ids = torch.tensor(ref['trainBatch']['ids'], device=device)
    mask = torch.tensor(ref['trainBatch']['lossMask'], device=device, dtype=torch.float32)
    out['steps'] = []
    for s in ref['steps']:
        for p in params:
            p.grad = None
        loss = reply_loss(decoder, ids, mask)
        loss.backward()
        if not out['steps']:
            out['gradMaxAbsDiff'] = max(diff(w.grad, expected[f'grad.{n}']) for n, w in weights.items())
            out['gradMaxAbs'] = max(float(w.grad.abs().max()) for w in weights.values())
        norm = clip_by_global_norm(params, s['clip'])
        for g in adam.param_groups:
            g['lr'] = s['lr']
        adam.step()
        out['steps'].append({'lr': s['lr'], 'clip': s['clip'], 'lossTfjs': s['loss'], 'lossTorch': float(loss),
                             'lossAbsDiff': abs(float(loss) - s['loss']), 'gradNormTfjs': s['gradNorm'],
                             'gradNormTorch': float(norm), 'gradNormAbsDiff': abs(float(norm) - s['gradNorm'])})
    # Adam's first steps are ~lr·sign(g): where g is at float-noise level the two sides may step differently, so
    # the update is also compared as a whole (relative L2 of the difference) and by the share of elements off
    initial = checkpoint_weights(stored, config)
    worst_name, worst, off, count, num, den = None, 0.0, 0, 0, 0.0, 0.0
    for name, w in weights.items():
        got = w.detach().cpu()
        want = expected[f'after.{name}']
        d = (got - want).abs()
        if float(d.max()) >= worst:
            worst_name, worst = name, float(d.max())
        off += int((d > 1e-5).sum())
        count += d.numel()
        num += float(torch.sum(torch.square(got - want)))
        den += float(torch.sum(torch.square(want - initial[name])))
    out['weightsAfterTwoSteps'] = {'maxAbsDiff': worst, 'worstWeight': worst_name, 'shareOver1e-5': off / count,
                                   'updateRelativeL2Diff': (num / den) ** 0.5}
    failed = []
    if max(single, batch) > TOLERANCE['logits']:
        failed.append('logits')
    if any(s['lossAbsDiff'] > TOLERANCE['loss'] for s in out['steps']):
        failed.append('loss')
    if any(s['gradNormAbsDiff'] > TOLERANCE['gradNorm'] for s in out['steps']):
        failed.append('gradNorm')
    if out['gradMaxAbsDiff'] > TOLERANCE['grad']:
        failed.append('grad')
    if out['weightsAfterTwoSteps']['updateRelativeL2Diff'] > TOLERANCE['updateRelativeL2Diff']:
        failed.append('weights')
    out['tolerance'] = TOLERANCE
    out['ok'] = not failed
    out['failed'] = failed
    print(json.dumps(out), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
