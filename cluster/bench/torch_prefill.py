#!/usr/bin/env python3
"""PyTorch peer of painters' layers-only prefill: loads a checkpoint's decoder
layers (model.safetensors, as `painters synth` writes it) into float32 and
runs them on P tokens of random hidden states (no embedding, no head), timed
after a warm-up: tokens/s per repetition.

The layers are written out here from the Llama definition (RMSNorm, RoPE,
causal softmax attention with GQA, SwiGLU MLP), with torch's own matmuls.
usage: torch_prefill.py MODEL_DIR [--threads 2] [-p 512] [-r 5] [--json OUT]
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch

try:
    from safetensors import safe_open
except ImportError:  # Debian 12 has no python3-safetensors: the reader beside this script
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "pysafetensors"))
    from safetensors import safe_open


def rmsnorm(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rope(x, cos, sin):
    """x (heads, T, hd): rotate the two halves of each head (the HF layout)."""
    h = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., h:], x[..., :h]], dim=-1) * sin


def layer(x, w, cfg, cos, sin, mask):
    t = x.shape[0]
    H, KV, hd = cfg["heads"], cfg["kv_heads"], cfg["head_dim"]
    xn = rmsnorm(x, w["input_layernorm"], cfg["eps"])
    q = (xn @ w["q_proj"].T).view(t, H, hd).transpose(0, 1)
    k = (xn @ w["k_proj"].T).view(t, KV, hd).transpose(0, 1)
    v = (xn @ w["v_proj"].T).view(t, KV, hd).transpose(0, 1)
    q, k = rope(q, cos, sin), rope(k, cos, sin)
    if H != KV:
        k, v = k.repeat_interleave(H // KV, 0), v.repeat_interleave(H // KV, 0)
    scores = (q @ k.transpose(1, 2)) * (1.0 / math.sqrt(hd)) + mask
    a = torch.softmax(scores, dim=-1) @ v
    x = x + a.transpose(0, 1).reshape(t, H * hd) @ w["o_proj"].T
    xn = rmsnorm(x, w["post_attention_layernorm"], cfg["eps"])
    mlp = torch.nn.functional.silu(xn @ w["gate_proj"].T) * (xn @ w["up_proj"].T)
    return x + mlp @ w["down_proj"].T


def load_layers(model_dir, n_layers):
    parts = {"q_proj": "self_attn.q_proj", "k_proj": "self_attn.k_proj", "v_proj": "self_attn.v_proj",
             "o_proj": "self_attn.o_proj", "gate_proj": "mlp.gate_proj", "up_proj": "mlp.up_proj",
             "down_proj": "mlp.down_proj", "input_layernorm": "input_layernorm",
             "post_attention_layernorm": "post_attention_layernorm"}
    layers = []
    with safe_open(os.path.join(model_dir, "model.safetensors"), framework="pt") as f:
        for l in range(n_layers):
            layers.append({k: f.get_tensor("model.layers.%d.%s.weight" % (l, v)).float().contiguous()
                           for k, v in parts.items()})
    return layers


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("-p", type=int, default=512)
    ap.add_argument("-r", type=int, default=5)
    ap.add_argument("--json")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    hf = json.load(open(os.path.join(a.model, "config.json")))
    heads = hf["num_attention_heads"]
    cfg = {"heads": heads, "kv_heads": hf.get("num_key_value_heads", heads),
           "head_dim": hf.get("head_dim") or hf["hidden_size"] // heads,
           "eps": hf.get("rms_norm_eps", 1e-5)}
    layers = load_layers(a.model, hf["num_hidden_layers"])
    theta = hf.get("rope_theta", 10000.0)
    hd, T, D = cfg["head_dim"], a.p, hf["hidden_size"]
    inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
    ang = torch.arange(T, dtype=torch.float32)[:, None] * inv[None, :]
    cos, sin = torch.cat([ang, ang], -1).cos(), torch.cat([ang, ang], -1).sin()
    mask = torch.full((T, T), float("-inf")).triu(1)
    gen = torch.Generator().manual_seed(1)
    x0 = torch.randn(T, D, generator=gen) * 0.02
    F = hf["intermediate_size"]
    qd, kvd = heads * hd, cfg["kv_heads"] * hd
    # executed: the projections and the full (T, T) score and weight matrices
    flop = len(layers) * (2.0 * T * (D * qd + 2 * D * kvd + qd * D + 3 * D * F) + 4.0 * T * T * qd)
    samples = []
    with torch.inference_mode():
        for rep in range(a.r + 1):
            t0 = time.perf_counter()
            x = x0
            for w in layers:
                x = layer(x, w, cfg, cos, sin, mask)
            dt = time.perf_counter() - t0
            if not torch.isfinite(x).all():
                sys.exit("torch_prefill: a layer output is not finite")
            if rep > 0:
                samples.append(T / dt)
    med = statistics.median(samples)
    res = {"engine": "pytorch %s" % torch.__version__, "test": "pp%d-layers" % T, "threads": a.threads,
           "samples": samples, "median": med, "gflops": flop * med / T / 1e9,
           "sd_rel": (statistics.stdev(samples) / statistics.mean(samples)) if len(samples) > 1 else 0.0}
    print("# %s, %d layers, %d thread(s): pp%d-layers %.2f tokens/s (median of %d; min %.2f, max %.2f, "
          "sd/mean %.1f%%), %.2f GFLOP/s" % (res["engine"], len(layers), a.threads, T, med, len(samples),
                                              min(samples), max(samples), 100 * res["sd_rel"], res["gflops"]))
    if a.json:
        json.dump(res, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
