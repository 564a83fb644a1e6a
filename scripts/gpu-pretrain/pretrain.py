"""Continues pretraining the built-in policy in PyTorch (CUDA when present) with scripts/pretrain.ts's objective:
reply-token loss (reply-loss.ts), length-bucketed padded batches, Adam (0.9, 0.95, eps 1e-8, no decay), global-norm
clip, linear warm-up then cosine to 0.1·peak over a WALL-CLOCK budget of training.

  python3 pretrain.py --init public/models/nextstate-tiny --corpus c0.bin.xz [c1.bin ...] --minutes 7 \
      --lr 1e-3 --batch-tokens 65536 --out OUTDIR [--heldout heldout.bin] [--attention auto|manual|sdpa]

--init is a checkpoint path without extension (its .json manifest gives the config, its .safetensors the weights).
Writes OUTDIR/weights.safetensors (the checkpoint's tensor names, F32), OUTDIR/optimizer.safetensors (Adam moments
as adam.m.<name> / adam.v.<name>, metadata step) and OUTDIR/progress.json every --save-minutes and at the end;
prints one JSON line per --log-every steps. scripts/gpu-pretrain/to-checkpoint.ts turns OUTDIR into a checkpoint.
"""
import argparse
import json
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus import Corpus  # noqa: E402
from model import (PRETRAIN_ADAM, Decoder, checkpoint_weights, clip_by_global_norm, has_sdpa, learning_rate, make_adam,  # noqa: E402
                   reply_loss, weight_specs)
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402


def log(**fields):
    print(json.dumps(fields), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--init', required=True)
    ap.add_argument('--corpus', nargs='+', required=True)
    ap.add_argument('--heldout')
    ap.add_argument('--out', required=True)
    ap.add_argument('--minutes', type=float, required=True)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--batch-tokens', type=int, default=65536)
    ap.add_argument('--warmup-steps', type=int, default=100)
    ap.add_argument('--clip', type=float, default=1.0)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--save-minutes', type=float, default=2.0)
    ap.add_argument('--log-every', type=int, default=50)
    ap.add_argument('--attention', default='auto', choices=['auto', 'manual', 'sdpa'])
    ap.add_argument('--device', default='auto')
    ap.add_argument('--threads', type=int, default=0)
    args = ap.parse_args()

    started = time.time()
    device = torch.device('cuda' if args.device == 'auto' and torch.cuda.is_available() else
                          ('cpu' if args.device == 'auto' else args.device))
    if device.type == 'cuda':
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    if args.threads:
        torch.set_num_threads(args.threads)
    attention = args.attention
    if attention == 'auto':
        attention = 'sdpa' if device.type == 'cuda' and has_sdpa() else 'manual'
    torch.manual_seed(args.seed)

    with open(args.init + '.json') as f:
        manifest = json.load(f)
    config = manifest['config']
    stored, _ = read_safetensors(args.init + '.safetensors')
    names = [n for n, _ in weight_specs(config)]
    try:
        loaded = checkpoint_weights(stored, config)
    except ValueError as e:
        raise SystemExit(f'{args.init}.safetensors: {e}')
    weights = {n: t.to(device).requires_grad_(True) for n, t in loaded.items()}
    params = [weights[n] for n in names]
    decoder = Decoder(config, weights, device, attention)
    adam = make_adam(params, PRETRAIN_ADAM, device)

    corpus = Corpus(args.corpus, device)
    if corpus.max_len > config['maxLen']:
        raise SystemExit(f'corpus rows up to {corpus.max_len} tokens exceed the model maxLen {config["maxLen"]}')
    heldout = Corpus([args.heldout], device) if args.heldout else None
    os.makedirs(args.out, exist_ok=True)
    log(event='start', device=str(device), gpu=torch.cuda.get_device_name(0) if device.type == 'cuda' else None,
        torch=torch.__version__, attention=attention, corpus=args.corpus, corpusVersion=corpus.version,
        conversations=corpus.conversations, corpusTokens=corpus.token_count, initTokensSeen=manifest['tokensSeen'],
        lr=args.lr, batchTokens=args.batch_tokens, minutes=args.minutes, setupSeconds=round(time.time() - started, 2))

    def heldout_loss():
        if heldout is None:
            return None
        rows = sorted(range(heldout.conversations), key=lambda r: int(heldout.lengths[r]))
        total, weight = 0.0, 0.0
        with torch.no_grad():
            for i in range(0, len(rows), 64):
                ids, mask, _ = heldout.batch(rows[i:i + 64])
                w = float(mask[:, 1:].sum())
                total += float(reply_loss(decoder, ids, mask)) * w
                weight += w
        return total / max(weight, 1.0)

    step = 0
    tokens = 0
    epoch = 0
    last_loss = None
    state = {'train_seconds': 0.0}

    def save(final):
        named = [(n, weights[n]) for n in names]
        write_safetensors(os.path.join(args.out, 'weights.safetensors'), named, {'format': 'nextstate-gpu-pretrain'})
        moments = []
        for kind, key in (('m', 'exp_avg'), ('v', 'exp_avg_sq')):
            for n in names:
                s = adam.state.get(weights[n], {})
                moments.append((f'adam.{kind}.{n}', s[key] if key in s else torch.zeros_like(weights[n])))
        write_safetensors(os.path.join(args.out, 'optimizer.safetensors'), moments, {'step': str(step)})
        progress = {
            'trainer': 'scripts/gpu-pretrain/pretrain.py', 'final': final, 'init': args.init,
            'initTokensSeen': manifest['tokensSeen'], 'initCorpusVersion': manifest.get('corpusVersion'),
            'corpusVersion': corpus.version, 'corpusFiles': [os.path.basename(p) for p in args.corpus],
            'corpusTokens': corpus.token_count, 'epochs': round(tokens / corpus.token_count, 3),
            'tokens': tokens, 'steps': step, 'trainSeconds': round(state['train_seconds'], 2),
            'finalLoss': last_loss, 'heldoutLossStart': heldout_start, 'heldoutLoss': heldout_end if final else None,
            'peakLr': args.lr, 'warmupSteps': args.warmup_steps, 'batchTokens': args.batch_tokens, 'clip': args.clip,
            'budgetMinutes': args.minutes, 'adam': PRETRAIN_ADAM, 'device': str(device),
            'gpu': torch.cuda.get_device_name(0) if device.type == 'cuda' else None, 'torch': torch.__version__,
            'attention': attention, 'seed': args.seed, 'config': config,
        }
        with open(os.path.join(args.out, 'progress.json.tmp'), 'w') as f:
            json.dump(progress, f, indent=2)
        os.replace(os.path.join(args.out, 'progress.json.tmp'), os.path.join(args.out, 'progress.json'))

    heldout_start = heldout_loss()
    heldout_end = None
    if heldout_start is not None:
        log(event='heldout', step=0, heldoutLoss=round(heldout_start, 5))

    budget = args.minutes * 60
    batches = corpus.batches(args.batch_tokens, args.seed)
    window_loss = torch.zeros((), device=device)
    window_steps = 0
    window_tokens = 0
    window_start = time.time()
    train_start = time.time()
    last_save = 0.0
    while True:
        elapsed = time.time() - train_start
        if elapsed >= budget:
            break
        epoch, rows = next(batches)
        ids, mask, n = corpus.batch(rows)
        lr = learning_rate(step, args.lr, args.warmup_steps, elapsed / budget)
        for group in adam.param_groups:
            group['lr'] = lr
        for p in params:
            p.grad = None
        loss = reply_loss(decoder, ids, mask)
        loss.backward()
        norm = clip_by_global_norm(params, args.clip) if args.clip > 0 else None
        adam.step()
        step += 1
        tokens += n
        window_loss += loss.detach()
        window_steps += 1
        window_tokens += n
        if step % args.log_every == 0:
            value = float(window_loss) / window_steps  # syncs the device
            now = time.time()
            if not math.isfinite(value):
                raise SystemExit(f'loss is {value} at step {step}')
            last_loss = value
            log(event='step', step=step, loss=round(value, 5), gradNorm=round(float(norm), 4) if norm is not None else None,
                lr=float(f'{lr:.4e}'), tokensPerSecond=round(window_tokens / (now - window_start)), tokens=tokens,
                epoch=epoch, minutes=round((now - train_start) / 60, 3))
            window_loss.zero_()
            window_steps = 0
            window_tokens = 0
            window_start = now
            state['train_seconds'] = now - train_start
            if state['train_seconds'] - last_save >= args.save_minutes * 60:
                save(False)
                last_save = state['train_seconds']
                window_start = time.time()
    if window_steps:
        last_loss = float(window_loss) / window_steps
    state['train_seconds'] = time.time() - train_start
    heldout_end = heldout_loss()
    save(True)
    log(event='done', steps=step, tokens=tokens, trainSeconds=round(state['train_seconds'], 2),
        tokensPerSecond=round(tokens / max(state['train_seconds'], 1e-9)), finalLoss=last_loss,
        heldoutLossStart=heldout_start, heldoutLoss=heldout_end, totalSeconds=round(time.time() - started, 2))


if __name__ == '__main__':
    main()
