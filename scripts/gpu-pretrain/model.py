"""The policy's decoder graph (src/model/policy.ts) in PyTorch, op for op, for a checkpoint's config:
embedding [d, V] looked up by column; per layer pre-RMSNorm attention (q/k/v/o projections [in, out], optional
biases and q/k head norms, rotary positions in rotate-half layout with 1/sqrt(hd) folded into the query, additive
causal mask of -1e9, softmax) and pre-RMSNorm SwiGLU MLP; final RMSNorm; logits x·embed (tied) or x·head.
Positions count from 0 (pretraining batches are right-padded: padding only ever comes after every real token).
The reply loss and Adam step follow src/model/reply-loss.ts and src/model/adam.ts."""
import math

import torch
import torch.nn.functional as F


def resolve_config(c):
    r = {'nKvHeads': c['nHeads'], 'headDim': c['dModel'] // c['nHeads'], 'rmsEps': 1e-5, 'qkvBias': False,
         'qkNorm': False, 'tiedEmbedding': True}
    r.update(c)
    if r.get('ropeScaling'):
        raise ValueError('ropeScaling (Llama 3) is not implemented here: the built-in presets do not use it')
    return r


def weight_specs(config):
    """Every weight in src/model/weights.ts's order, with its shape."""
    c = resolve_config(config)
    q = c['nHeads'] * c['headDim']
    kv = c['nKvHeads'] * c['headDim']
    d = c['dModel']
    specs = [('embed', [d, c['vocabSize']])]
    for i in range(c['nLayers']):
        p = f'layers.{i}.'
        specs += [(p + 'attn_norm', [d]), (p + 'wq', [d, q]), (p + 'wk', [d, kv]), (p + 'wv', [d, kv])]
        if c['qkvBias']:
            specs += [(p + 'bq', [q]), (p + 'bk', [kv]), (p + 'bv', [kv])]
        if c['qkNorm']:
            specs += [(p + 'q_norm', [c['headDim']]), (p + 'k_norm', [c['headDim']])]
        specs += [(p + 'wo', [q, d]), (p + 'mlp_norm', [d]), (p + 'w_gate', [d, c['dFF']]),
                  (p + 'w_up', [d, c['dFF']]), (p + 'w_down', [c['dFF'], d])]
    specs.append(('final_norm', [d]))
    if not c['tiedEmbedding']:
        specs.append(('head', [d, c['vocabSize']]))
    return specs


def rms_norm(x, gain, eps):
    mean_square = torch.mean(torch.square(x), -1, keepdim=True)
    return x * torch.rsqrt(mean_square + eps) * gain


def has_sdpa():
    return hasattr(F, 'scaled_dot_product_attention')


class Decoder:
    """The graph over a dict of weight tensors (name -> tensor, trainable leaves for training)."""

    def __init__(self, config, weights, device, attention='manual'):
        self.c = resolve_config(config)
        self.w = weights
        self.device = device
        if attention not in ('manual', 'sdpa'):
            raise ValueError(f'attention must be manual or sdpa, got {attention}')
        if attention == 'sdpa' and not has_sdpa():
            raise ValueError('this torch has no scaled_dot_product_attention (needs torch >= 2.0)')
        self.attention = attention
        c = self.c
        hd, half = c['headDim'], c['headDim'] // 2
        # rotary tables computed in float64 like rotary.ts, then rounded to float32
        inv = torch.tensor([math.pow(c['ropeBase'], (-2 * j) / hd) for j in range(half)], dtype=torch.float64)
        pos = torch.arange(c['maxLen'], dtype=torch.float64)
        angle = pos[:, None] * torch.cat([inv, inv])[None, :]
        sign = torch.cat([-torch.ones(half, dtype=torch.float64), torch.ones(half, dtype=torch.float64)])
        scale = 1 / math.sqrt(hd)
        self.cos_k = torch.cos(angle).float().to(device)
        self.sin_k = (torch.sin(angle) * sign).float().to(device)
        self.cos_q = (torch.cos(angle) * scale).float().to(device)
        self.sin_q = (torch.sin(angle) * scale * sign).float().to(device)
        n = c['maxLen']
        causal = torch.arange(n)[None, :] > torch.arange(n)[:, None]
        self.mask = torch.zeros(n, n, dtype=torch.float32).masked_fill(causal, -1e9).to(device)

    def _rotate(self, x, cos, sin):
        half = x.shape[-1] // 2
        swapped = torch.cat([x[..., half:], x[..., :half]], -1)
        return x * cos + swapped * sin

    def logits(self, ids):
        """Logits [B, T, V] for int64 ids [B, T] at positions 0..T-1."""
        c, w = self.c, self.w
        b, t = ids.shape
        if t > c['maxLen']:
            raise ValueError(f'sequence of {t} tokens exceeds maxLen {c["maxLen"]}')
        hd, nh, nkv, eps = c['headDim'], c['nHeads'], c['nKvHeads'], c['rmsEps']
        groups = nh // nkv
        x = F.embedding(ids.reshape(-1), w['embed'].t())  # [B·T, d]
        cos_q, sin_q = self.cos_q[:t, None, :], self.sin_q[:t, None, :]
        cos_k, sin_k = self.cos_k[:t, None, :], self.sin_k[:t, None, :]
        mask = self.mask[:t, :t]
        for i in range(c['nLayers']):
            p = f'layers.{i}.'
            h = rms_norm(x, w[p + 'attn_norm'], eps)

            def project(y, name, bias):
                out = y @ w[p + name]
                return out + w[p + bias] if c['qkvBias'] else out

            q = project(h, 'wq', 'bq').reshape(b, t, nh, hd)
            k = project(h, 'wk', 'bk').reshape(b, t, nkv, hd)
            v = project(h, 'wv', 'bv').reshape(b, t, nkv, hd)
            if c['qkNorm']:
                q = rms_norm(q, w[p + 'q_norm'], eps)
                k = rms_norm(k, w[p + 'k_norm'], eps)
            q = self._rotate(q, cos_q, sin_q).transpose(1, 2)  # [B, H, T, hd]
            k = self._rotate(k, cos_k, sin_k).transpose(1, 2)
            v = v.transpose(1, 2)
            if groups > 1:
                k = k.repeat_interleave(groups, 1)
                v = v.repeat_interleave(groups, 1)
            if self.attention == 'sdpa':
                try:
                    mixed = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=1.0)
                except TypeError:  # torch 2.0 has no `scale`: undo the folded one
                    mixed = F.scaled_dot_product_attention(q * math.sqrt(hd), k, v, is_causal=True)
            else:
                scores = q @ k.transpose(-1, -2) + mask
                mixed = torch.softmax(scores, -1) @ v
            merged = mixed.transpose(1, 2).reshape(b * t, nh * hd)
            x = x + merged @ w[p + 'wo']
            m = rms_norm(x, w[p + 'mlp_norm'], eps)
            gate = m @ w[p + 'w_gate']
            up = m @ w[p + 'w_up']
            x = x + ((gate * torch.sigmoid(gate)) * up) @ w[p + 'w_down']
        x = rms_norm(x, w['final_norm'], eps)
        out = x @ (w['embed'] if c['tiedEmbedding'] else w['head'])
        return out.reshape(b, t, -1)


def reply_loss(decoder, ids, loss_mask):
    """reply-loss.ts: mean next-token cross-entropy over positions whose target is a reply token,
    sum(nll·w) / max(sum(w), 1), for ids and loss_mask [B, T] (right-padded, pad masked out)."""
    logits = decoder.logits(ids[:, :-1]).reshape(-1, decoder.c['vocabSize'])
    targets = ids[:, 1:].reshape(-1)
    weights = loss_mask[:, 1:].reshape(-1).to(logits.dtype)
    picked = logits.gather(1, targets[:, None])[:, 0]
    nll = torch.logsumexp(logits, 1) - picked
    return torch.sum(nll * weights) / torch.clamp(torch.sum(weights), min=1)


def clip_by_global_norm(params, max_norm):
    """adam.ts clipByGlobalNorm: scale by max/norm when the norm exceeds max (and is finite); returns the norm as a
    tensor, without a device sync."""
    grads = [p.grad for p in params]
    norm = torch.sqrt(sum(torch.sum(torch.square(g)) for g in grads))
    coef = torch.where(torch.isfinite(norm) & (norm > max_norm), max_norm / norm, torch.ones_like(norm))
    for g in grads:
        g.mul_(coef)
    return norm


def make_adam(params, settings, device):
    """adam.ts Adam: m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps) — torch's Adam computes the same formula
    (sqrt(v)/sqrt(1-b2^t) + eps). Weight decay 0 in PRETRAIN_ADAM; decoupled decay on matrices is not mapped."""
    if settings.get('weightDecay', 0) != 0:
        raise ValueError('only weightDecay 0 is implemented (PRETRAIN_ADAM)')
    kwargs = {}
    if device.type == 'cuda' and 'fused' in torch.optim.Adam.__init__.__code__.co_varnames:
        kwargs['fused'] = True
    return torch.optim.Adam(params, lr=0.0, betas=(settings['beta1'], settings['beta2']), eps=settings['epsilon'],
                            weight_decay=0, **kwargs)


PRETRAIN_ADAM = {'beta1': 0.9, 'beta2': 0.95, 'epsilon': 1e-8, 'weightDecay': 0}


def learning_rate(step, peak, warmup, progress, floor=0.1):
    """reply-loss.ts learningRate: linear warm-up over `warmup` steps, then cosine to floor·peak as progress 0 -> 1."""
    if step < warmup:
        return peak * (step + 1) / warmup
    p = min(1.0, max(0.0, progress))
    return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p)))


def upgrade_fused(stored):
    """legacy-checkpoint.ts upgradeFusedCheckpoint: a fused layers.i.wqkv [d, 3d] becomes wq | wk | wv and the
    embedding [V, d] of such a checkpoint becomes [d, V]. Unchanged when nothing is fused."""
    if not any(n.split('.')[-1] == 'wqkv' and '.layers.' in '.' + n for n in stored):
        return dict(stored)
    out = {}
    for name, t in stored.items():
        last = name.split('.')[-1]
        if last == 'wqkv' and '.layers.' in '.' + name:
            d = t.shape[1] // 3
            for k, part in enumerate(('wq', 'wk', 'wv')):
                out[name[:-4] + part] = t[:, k * d:(k + 1) * d].contiguous()
        elif last == 'embed':
            out[name] = t.t().contiguous()
        else:
            out[name] = t
    return out


def checkpoint_weights(stored, config):
    """The graph's weights by name from a checkpoint's stored tensors (legacy layout upgraded), shapes checked."""
    tensors = upgrade_fused(stored)
    weights = {}
    for name, shape in weight_specs(config):
        t = tensors.get(name)
        if t is None or list(t.shape) != shape:
            raise ValueError(f'weight "{name}" is {None if t is None else list(t.shape)}, the config needs {shape}')
        weights[name] = t
    return weights
