/**
 * An independent float64 forward of a Llama-family checkpoint, written from the architecture's description
 * (transformers' modeling_llama / qwen2 / qwen3), on the file's own tensor names and [out, in] layout. It shares
 * no code with the tfjs graph: the loader and the graph are tested against it.
 */
export interface RefTensor {
  shape: number[];
  data: ArrayLike<number>;
}

type Vec = Float64Array;

export function referenceLogits(tensors: Map<string, RefTensor>, config: Record<string, unknown>, ids: readonly number[]): Vec[] {
  const family = config.model_type as string;
  const d = config.hidden_size as number;
  const H = config.num_attention_heads as number;
  const KV = (config.num_key_value_heads as number) ?? H;
  const hd = (config.head_dim as number) ?? d / H;
  const L = config.num_hidden_layers as number;
  const eps = config.rms_norm_eps as number;
  const theta = (config.rope_theta as number) ?? 10000;
  const V = config.vocab_size as number;
  const get = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new Error(`reference: no tensor ${name}`);
    return t;
  };
  // y = W x for W [out, in]
  const matvec = (w: RefTensor, x: Vec): Vec => {
    const [out, inn] = w.shape;
    const y = new Float64Array(out);
    for (let o = 0; o < out; o++) {
      let s = 0;
      for (let i = 0; i < inn; i++) s += w.data[o * inn + i] * x[i];
      y[o] = s;
    }
    return y;
  };
  const rms = (x: Vec, g: RefTensor): Vec => {
    let ms = 0;
    for (const v of x) ms += v * v;
    const r = 1 / Math.sqrt(ms / x.length + eps);
    return x.map((v, i) => v * r * g.data[i]);
  };
  const addBias = (y: Vec, name: string) => {
    const b = tensors.get(name);
    if (b) for (let i = 0; i < y.length; i++) y[i] += b.data[i];
    return y;
  };
  const invFreq = (i: number): number => {
    let f = 1 / Math.pow(theta, (2 * i) / hd);
    const s = config.rope_scaling as Record<string, number> | null | undefined;
    if (s) {
      const low = s.original_max_position_embeddings / s.low_freq_factor;
      const high = s.original_max_position_embeddings / s.high_freq_factor;
      const wl = (2 * Math.PI) / f;
      if (wl > low) f = f / s.factor;
      else if (wl >= high) {
        const smooth = (s.original_max_position_embeddings / wl - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
        f = (1 - smooth) * (f / s.factor) + smooth * f;
      }
    }
    return f;
  };
  const rope = (u: Vec, pos: number): Vec => {
    const half = hd / 2;
    const out = new Float64Array(hd);
    for (let i = 0; i < half; i++) {
      const a = pos * invFreq(i);
      out[i] = u[i] * Math.cos(a) - u[i + half] * Math.sin(a);
      out[i + half] = u[i + half] * Math.cos(a) + u[i] * Math.sin(a);
    }
    return out;
  };
  const embed = get('model.embed_tokens.weight');
  let xs: Vec[] = ids.map((id) => Float64Array.from({ length: d }, (_, i) => embed.data[id * d + i]));
  for (let l = 0; l < L; l++) {
    const p = `model.layers.${l}.`;
    const qs: Vec[][] = [];
    const ks: Vec[][] = [];
    const vs: Vec[][] = [];
    xs.forEach((x, t) => {
      const h = rms(x, get(`${p}input_layernorm.weight`));
      const q = addBias(matvec(get(`${p}self_attn.q_proj.weight`), h), `${p}self_attn.q_proj.bias`);
      const k = addBias(matvec(get(`${p}self_attn.k_proj.weight`), h), `${p}self_attn.k_proj.bias`);
      const v = addBias(matvec(get(`${p}self_attn.v_proj.weight`), h), `${p}self_attn.v_proj.bias`);
      const split = (y: Vec, n: number) => Array.from({ length: n }, (_, j) => y.slice(j * hd, (j + 1) * hd));
      let qh = split(q, H);
      let kh = split(k, KV);
      if (family === 'qwen3') {
        const norm = (u: Vec, g: RefTensor) => {
          let ms = 0;
          for (const v of u) ms += v * v;
          const r = 1 / Math.sqrt(ms / u.length + eps);
          return u.map((v, i) => v * r * g.data[i]);
        };
        qh = qh.map((u) => norm(u, get(`${p}self_attn.q_norm.weight`)));
        kh = kh.map((u) => norm(u, get(`${p}self_attn.k_norm.weight`)));
      }
      qs.push(qh.map((u) => rope(u, t)));
      ks.push(kh.map((u) => rope(u, t)));
      vs.push(split(v, KV));
    });
    xs = xs.map((x, t) => {
      const concat = new Float64Array(H * hd);
      for (let h = 0; h < H; h++) {
        const g = Math.floor(h / (H / KV));
        const scores = Array.from({ length: t + 1 }, (_, s) => {
          let dot = 0;
          for (let i = 0; i < hd; i++) dot += qs[t][h][i] * ks[s][g][i];
          return dot / Math.sqrt(hd);
        });
        const m = Math.max(...scores);
        const e = scores.map((z) => Math.exp(z - m));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let s = 0; s <= t; s++) for (let i = 0; i < hd; i++) concat[h * hd + i] += (e[s] / sum) * vs[s][g][i];
      }
      const o = matvec(get(`${p}self_attn.o_proj.weight`), concat);
      const y = x.map((v, i) => v + o[i]);
      const h2 = rms(y, get(`${p}post_attention_layernorm.weight`));
      const gate = matvec(get(`${p}mlp.gate_proj.weight`), h2);
      const up = matvec(get(`${p}mlp.up_proj.weight`), h2);
      const act = gate.map((gv, i) => (gv / (1 + Math.exp(-gv))) * up[i]);
      const down = matvec(get(`${p}mlp.down_proj.weight`), act);
      return y.map((v, i) => v + down[i]);
    });
  }
  const head = config.tie_word_embeddings ? embed : get('lm_head.weight');
  return xs.map((x) => {
    const logits = matvec(head, rms(x, get('model.norm.weight')));
    if (logits.length !== V) throw new Error('reference: head size differs from vocab_size');
    return logits;
  });
}
