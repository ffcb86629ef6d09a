"""bert_heads.py: helpers of cli_bert.sh, in plain Python (no numpy).

  bert_heads.py make SRC_DIR DST_DIR   a copy of tiny-bert with a pooler, an MLM
      head (tied decoder) and a 3-label classifier of seeded random weights,
      its tensors named as BertForMaskedLM checkpoints of older
      transformers store them ("bert." prefix, embeddings LayerNorm
      .gamma/.beta).
  bert_heads.py f16 SRC_DIR DST_DIR   a copy with every matrix stored as F16.
  bert_heads.py check MODEL_DIR OUT.safetensors   the heads recomputed from
      OUT's last_hidden_state with MODEL_DIR's weights: logits, pooled and
      classifier_logits must agree within 1e-4 of their largest magnitude.
  bert_heads.py compare A.safetensors B.safetensors NAME TOL   tensor NAME of A
      within TOL of B's largest magnitude.
  bert_heads.py shapes OUT.safetensors NAME=d0xd1 ...   exactly these tensors, F32.
"""
import array
import json
import math
import random
import struct
import sys


def read(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    return header, data


def tensor(header, data, name):
    t = header[name]
    assert t["dtype"] == "F32", name
    a = array.array("f")
    a.frombytes(data[t["data_offsets"][0]:t["data_offsets"][1]])
    return t["shape"], list(a)


def write(path, tensors):
    header, blobs, off = {}, [], 0
    for name, (shape, values) in tensors.items():
        b = array.array("f", values).tobytes()
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def make(src, dst):
    header, data = read(src + "/model.safetensors")
    cfg = json.load(open(src + "/config.json"))
    D, V = cfg["hidden_size"], cfg["vocab_size"]
    out = {}
    for name in header:
        new = "bert." + name
        if name.startswith("embeddings.LayerNorm."):
            new = new.replace(".weight", ".gamma").replace(".bias", ".beta")
        out[new] = tensor(header, data, name)
    rng = random.Random(7)
    rand = lambda n, s=0.2: [rng.uniform(-s, s) for _ in range(n)]
    out["bert.pooler.dense.weight"] = ([D, D], rand(D * D))
    out["bert.pooler.dense.bias"] = ([D], rand(D))
    out["cls.predictions.transform.dense.weight"] = ([D, D], rand(D * D))
    out["cls.predictions.transform.dense.bias"] = ([D], rand(D))
    out["cls.predictions.transform.LayerNorm.weight"] = ([D], [1 + x for x in rand(D)])
    out["cls.predictions.transform.LayerNorm.bias"] = ([D], rand(D))
    out["cls.predictions.bias"] = ([V], rand(V))
    out["classifier.weight"] = ([3, D], rand(3 * D))
    out["classifier.bias"] = ([3], rand(3))
    write(dst + "/model.safetensors", out)
    cfg["architectures"] = ["BertForMaskedLM"]
    cfg["id2label"] = {"0": "a", "1": "b", "2": "c"}
    json.dump(cfg, open(dst + "/config.json", "w"))


def f16(src, dst):
    header, data = read(src + "/model.safetensors")
    out, blobs, off = {}, [], 0
    for name in header:
        shape, values = tensor(header, data, name)
        dtype = "F16" if len(shape) == 2 else "F32"
        raw = struct.pack("<%d%s" % (len(values), "e" if dtype == "F16" else "f"), *values)
        out[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(out).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(dst + "/model.safetensors", "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    with open(dst + "/config.json", "w") as f:
        f.write(open(src + "/config.json").read())


def matvec(w, rows, cols, x, b):
    return [sum(w[r * cols + c] * x[c] for c in range(cols)) + (b[r] if b else 0.0)
            for r in range(rows)]


def layernorm(x, g, b, eps):
    m = sum(x) / len(x)
    v = sum((a - m) ** 2 for a in x) / len(x)
    return [(a - m) / math.sqrt(v + eps) * gi + bi for a, gi, bi in zip(x, g, b)]


def rel_err(a, b):
    mag = max(abs(x) for x in b) or 1.0
    return max(abs(x - y) for x, y in zip(a, b)) / mag


def check(model, out):
    mh, md = read(model + "/model.safetensors")
    oh, od = read(out)
    cfg = json.load(open(model + "/config.json"))
    eps = cfg.get("layer_norm_eps", 1e-12)
    W = lambda n: tensor(mh, md, n)[1]
    (T, D), h = tensor(oh, od, "last_hidden_state")
    V = cfg["vocab_size"]
    dec = W("bert.embeddings.word_embeddings.weight")
    want = []
    for t in range(T):
        x = matvec(W("cls.predictions.transform.dense.weight"), D, D, h[t * D:(t + 1) * D],
                   W("cls.predictions.transform.dense.bias"))
        x = [0.5 * a * (1 + math.erf(a / math.sqrt(2))) for a in x]
        x = layernorm(x, W("cls.predictions.transform.LayerNorm.weight"),
                      W("cls.predictions.transform.LayerNorm.bias"), eps)
        want += matvec(dec, V, D, x, W("cls.predictions.bias"))
    pooled = [math.tanh(a) for a in matvec(W("bert.pooler.dense.weight"), D, D, h[:D],
                                             W("bert.pooler.dense.bias"))]
    cls = matvec(W("classifier.weight"), 3, D, pooled, W("classifier.bias"))
    errs = {"logits": rel_err(tensor(oh, od, "logits")[1], want),
            "pooled": rel_err(tensor(oh, od, "pooled")[1], pooled),
            "classifier_logits": rel_err(tensor(oh, od, "classifier_logits")[1], cls)}
    print("heads against plain Python:", " ".join("%s %.2e" % kv for kv in errs.items()))
    return all(e <= 1e-4 for e in errs.values())


def compare(a, b, name, tol):
    ha, da = read(a)
    hb, db = read(b)
    sa, va = tensor(ha, da, name)
    sb, vb = tensor(hb, db, name)
    e = rel_err(va, vb) if sa == sb else float("inf")
    print("%s: %s against %s: %.2e" % (name, a, b, e))
    return e <= float(tol)


def shapes(path, specs):
    header, _ = read(path)
    want = {s.split("=")[0]: [int(d) for d in s.split("=")[1].split("x")] for s in specs}
    have = {n: t["shape"] for n, t in header.items() if t["dtype"] == "F32"}
    if have != want:
        print("tensors %s, expected %s" % (have, want))
    return have == want


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd in ("make", "f16"):
        (make if cmd == "make" else f16)(*args)
        ok = True
    else:
        ok = {"check": check, "compare": compare, "shapes": lambda p, *s: shapes(p, s)}[cmd](*args)
    sys.exit(0 if ok else 1)
