#!/usr/bin/env python3
"""The same Llama layers in PyTorch on the CPU, timed as `painters bench` times
them: prefill of P tokens (ppP) and decode of N tokens one at a time with a KV
cache (tgN), tokens/s mean +- sd over repetitions after a warm-up.

The layers are built from a model's config.json (hidden size, heads, GQA,
intermediate size) with random bfloat16-rounded float32 weights, applied in
float32 with torch's own matmuls and softmax attention, then the
final norm and LM head on every position (as `painters bench` computes them in ppN-all):
the baseline painters' own kernels are compared with.

usage: torch_layers.py CONFIG.json --layers L --threads T [-p 512] [-n 128] [-r 5] [--json OUT]
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch


def rope_tables(head_dim, theta, n_pos):
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    ang = torch.arange(n_pos, dtype=torch.float32)[:, None] * inv[None, :]
    emb = torch.cat([ang, ang], dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


class Layer:
    def __init__(self, cfg, gen):
        d, f = cfg["hidden_size"], cfg["intermediate_size"]
        self.h = cfg["num_attention_heads"]
        self.kv = cfg.get("num_key_value_heads", self.h)
        self.hd = cfg.get("head_dim") or d // self.h
        self.eps = cfg.get("rms_norm_eps", 1e-5)

        def w(o, i):
            return (torch.randn(o, i, generator=gen) * 0.02).to(torch.bfloat16).float()

        self.wq, self.wk, self.wv = w(self.h * self.hd, d), w(self.kv * self.hd, d), w(self.kv * self.hd, d)
        self.wo = w(d, self.h * self.hd)
        self.wg, self.wu, self.wd = w(f, d), w(f, d), w(d, f)
        self.n1 = torch.ones(d)
        self.n2 = torch.ones(d)

    def norm(self, x, w):
        return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))

    def __call__(self, x, cos, sin, cache, pos0):
        t = x.shape[0]
        xn = self.norm(x, self.n1)
        q = (xn @ self.wq.T).view(t, self.h, self.hd).transpose(0, 1)
        k = (xn @ self.wk.T).view(t, self.kv, self.hd).transpose(0, 1)
        v = (xn @ self.wv.T).view(t, self.kv, self.hd).transpose(0, 1)
        c, s = cos[pos0:pos0 + t], sin[pos0:pos0 + t]
        q = q * c + rotate_half(q) * s
        k = k * c + rotate_half(k) * s
        if cache is not None:
            if cache[0] is not None:
                k = torch.cat([cache[0], k], dim=1)
                v = torch.cat([cache[1], v], dim=1)
            cache[0], cache[1] = k, v
        rep = self.h // self.kv
        kk, vv = k.repeat_interleave(rep, 0), v.repeat_interleave(rep, 0)
        scores = (q @ kk.transpose(1, 2)) / math.sqrt(self.hd)
        if t > 1:
            ctx = kk.shape[1]
            mask = torch.ones(t, ctx, dtype=torch.bool).tril(ctx - t)
            scores = scores.masked_fill(~mask, float("-inf"))
        a = torch.softmax(scores, dim=-1) @ vv
        x = x + a.transpose(0, 1).reshape(t, -1) @ self.wo.T
        xn = self.norm(x, self.n2)
        return x + (torch.nn.functional.silu(xn @ self.wg.T) * (xn @ self.wu.T)) @ self.wd.T


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("config")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("-p", type=int, default=512)
    ap.add_argument("-n", type=int, default=128)
    ap.add_argument("-r", type=int, default=5)
    ap.add_argument("--json")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    cfg = json.load(open(a.config))
    gen = torch.Generator().manual_seed(1)
    layers = [Layer(cfg, gen) for _ in range(a.layers)]
    theta = cfg.get("rope_theta") or cfg.get("rope_parameters", {}).get("rope_theta", 10000.0)
    hd = layers[0].hd
    cos, sin = rope_tables(hd, theta, a.p + a.n + 1)
    d = cfg["hidden_size"]
    head = (torch.randn(cfg["vocab_size"], d, generator=gen) * 0.02).to(torch.bfloat16).float()
    final = layers[0]
    results = []
    with torch.inference_mode():
        for name, n in (("pp%d" % a.p, a.p), ("tg%d" % a.n, a.n)):
            rates = []
            for rep in range(a.r + 1):
                if name.startswith("pp"):
                    x = torch.randn(n, d)
                    t0 = time.perf_counter()
                    for layer in layers:
                        x = layer(x, cos, sin, None, 0)
                    logits = final.norm(x, final.n1) @ head.T
                else:
                    caches = [[None, None] for _ in layers]
                    t0 = time.perf_counter()
                    for i in range(n):
                        x = torch.randn(1, d)
                        for layer, cache in zip(layers, caches):
                            x = layer(x, cos, sin, cache, i)
                        logits = final.norm(x, final.n1) @ head.T
                dt = time.perf_counter() - t0
                del logits
                if rep > 0:
                    rates.append(n / dt)
            mean = statistics.mean(rates)
            sd = statistics.stdev(rates) if len(rates) > 1 else 0.0
            results.append({"name": name, "tokens_per_s": mean, "sd": sd})
            print("  %-8s %12.2f %10.2f  (PyTorch %s, %d thread(s), %d layer(s))"
                  % (name, mean, sd, torch.__version__, a.threads, a.layers))
    if a.json:
        json.dump({"torch": torch.__version__, "threads": a.threads, "layers": a.layers,
                   "tests": results}, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    sys.exit(main())
