#!/usr/bin/python3
"""Trains painters-demo-bert, the project's embedded demo encoder, and writes
its demo tasks.

A small BERT (Hugging Face BertForMaskedLM layout plus the pooler: post-LN,
exact erf GELU, absolute positions, 2 token types, LayerNorm eps 1e-12, MLM
decoder tied to the word embeddings) trained on CPU for a wall-clock budget
with masked language modelling (15% of tokens, 80/10/10) and a sentence-pair
objective ("is segment B the rest of the paragraph segment A starts?") read
from the pooled [CLS] vector.

Data: the project's corpus (one paragraph a line), split into sentences after
". ", "? ", "! " before an uppercase letter, tokenized by painters' own
WordPiece tokenizer (`painters tokenize`). A seeded part of the paragraphs is
held out before training; from it come tasks/painters-demo-bert/heldout.txt
(held-out MLM text) and the pair task tasks/painters-demo-bert/pairs/
{train,dev}.tsv in GLUE's MRPC layout.

Run (from the repository root, painters built in build/):
  /usr/bin/python3 models/painters-demo-bert/train/train_bert.py --minutes 30
Evaluate the saved model with layers left out (0-based indices):
  /usr/bin/python3 models/painters-demo-bert/train/train_bert.py --eval-skip 3,4
"""
import argparse
import json
import lzma
import math
import os
import random
import re
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PAD, UNK, CLS, SEP, MASK = 0, 100, 101, 102, 103
FIRST_REAL_TOKEN = 999  # ids below are [PAD], [unusedN] and the specials
MAX_LEN = 128

CONFIG = {
    "architectures": ["BertForMaskedLM"],
    "model_type": "bert",
    "attention_probs_dropout_prob": 0.0,
    "hidden_dropout_prob": 0.0,
    "classifier_dropout": None,
    "hidden_act": "gelu",
    "hidden_size": 128,
    "initializer_range": 0.02,
    "intermediate_size": 512,
    "layer_norm_eps": 1e-12,
    "max_position_embeddings": MAX_LEN,
    "num_attention_heads": 4,
    "num_hidden_layers": 8,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
    "tie_word_embeddings": True,
    "torch_dtype": "float32",
    "type_vocab_size": 2,
    "use_cache": True,
    "vocab_size": 30522,
}

# ---------------------------------------------------------------- the model
# Module and parameter names are Hugging Face's, so that state_dict() keys are
# the checkpoint's tensor names.


class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"], padding_idx=c["pad_token_id"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, ids, types):  # ids, types (B, T) -> (B, T, D)
        pos = torch.arange(ids.shape[1], device=ids.device)
        h = self.word_embeddings(ids) + self.position_embeddings(pos)[None] + self.token_type_embeddings(types)
        return self.LayerNorm(h)


class BertSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.query = nn.Linear(d, d)
        self.key = nn.Linear(d, d)
        self.value = nn.Linear(d, d)

    def forward(self, h, bias):  # h (B, T, D), bias (B, 1, 1, T) -> (B, T, D)
        b, t, d = h.shape
        hd = d // self.heads

        def split(x):  # (B, T, D) -> (B, H, T, hd)
            return x.view(b, t, self.heads, hd).transpose(1, 2)

        q, k, v = split(self.query(h)), split(self.key(h)), split(self.value(h))
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd) + bias  # (B, H, T, T)
        ctx = scores.softmax(-1) @ v  # (B, H, T, hd)
        return ctx.transpose(1, 2).reshape(b, t, d)


class BertSelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = BertSelfOutput(c)

    def forward(self, h, bias):
        return self.output(self.self(h, bias), h)


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])

    def forward(self, h):
        return F.gelu(self.dense(h))  # exact (erf) GELU


class BertOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["intermediate_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertOutput(c)

    def forward(self, h, bias):  # (B, T, D) -> (B, T, D)
        h1 = self.attention(h, bias)
        return self.output(self.intermediate(h1), h1)


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(c) for _ in range(c["num_hidden_layers"])])


class BertPooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])

    def forward(self, h):  # (B, T, D) -> (B, D), from the [CLS] position
        return torch.tanh(self.dense(h[:, 0]))


class BertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)
        self.pooler = BertPooler(c)

    def forward(self, ids, types, order=None):
        """ids, types (B, T); order: the layer indices to run, in order
        (None: all). Returns the last hidden state (B, T, D)."""
        bias = (ids == PAD).to(torch.float32) * torch.finfo(torch.float32).min
        bias = bias[:, None, None, :]  # (B, 1, 1, T)
        h = self.embeddings(ids, types)
        layers = self.encoder.layer
        for i in range(len(layers)) if order is None else order:
            h = layers[i](h, bias)
        return h


class BertPredictionHeadTransform(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, h):
        return self.LayerNorm(F.gelu(self.dense(h)))


class BertLMPredictionHead(nn.Module):
    def __init__(self, c, word_embeddings):
        super().__init__()
        self.transform = BertPredictionHeadTransform(c)
        self.bias = nn.Parameter(torch.zeros(c["vocab_size"]))
        self.tied = word_embeddings  # decoder weight = the word embeddings

    def forward(self, h):  # (N, D) -> (N, V)
        return self.transform(h) @ self.tied.weight.t() + self.bias


class BertOnlyMLMHead(nn.Module):
    def __init__(self, c, word_embeddings):
        super().__init__()
        self.predictions = BertLMPredictionHead(c, word_embeddings)


class BertForPretraining(nn.Module):
    """bert.* and cls.predictions.* are the checkpoint; pair_classifier (the
    sentence-pair head on the pooled output) is used in training only."""

    def __init__(self, c):
        super().__init__()
        self.bert = BertModel(c)
        self.cls = BertOnlyMLMHead(c, self.bert.embeddings.word_embeddings)
        self.pair_classifier = nn.Linear(c["hidden_size"], 2)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=c["initializer_range"])
                if isinstance(m, nn.Linear):
                    nn.init.zeros_(m.bias)
        with torch.no_grad():
            self.bert.embeddings.word_embeddings.weight[PAD].zero_()

    def forward(self, ids, types, mlm_labels, pair_labels, order=None):
        """Returns (mlm loss, masked-token correct count, masked count, pair
        loss or None, pair correct count, pair count)."""
        h = self.bert(ids, types, order)  # (B, T, D)
        sel = mlm_labels != -100
        logits = self.cls.predictions(h[sel])  # (N, V)
        gold = mlm_labels[sel]
        mlm = F.cross_entropy(logits, gold)
        correct = int((logits.argmax(-1) == gold).sum())
        psel = pair_labels != -100
        if int(psel.sum()) == 0:
            return mlm, correct, int(sel.sum()), None, 0, 0
        plog = self.pair_classifier(self.bert.pooler(h[psel]))  # (P, 2)
        pgold = pair_labels[psel]
        pair = F.cross_entropy(plog, pgold)
        pc = int((plog.argmax(-1) == pgold).sum())
        return mlm, correct, int(sel.sum()), pair, pc, int(psel.sum())


def checkpoint_tensors(model):
    """The tensors to save, HF names -> float32 tensors (the tied decoder and
    the training-only pair classifier left out)."""
    out = {}
    for name, t in model.state_dict().items():
        if name.startswith("pair_classifier.") or name.startswith("cls.predictions.tied."):
            continue
        out[name] = t.detach().to(torch.float32).contiguous().clone()
    out["cls.predictions.bias"] = out.pop("cls.predictions.bias")
    return out


# ------------------------------------------------------------ safetensors


def write_safetensors(path, tensors):
    """8-byte little-endian header length, JSON header (dtype, shape,
    data_offsets), then the raw little-endian float32 data."""
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        raw = tensors[name].numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    hj = json.dumps(header, separators=(",", ":")).encode()
    hj += b" " * ((8 - len(hj) % 8) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)
    os.replace(path + ".tmp", path)


def load_checkpoint(model_dir):
    """Builds the model from config.json and model.safetensors, read with the
    repository's own reader (cluster/bench/pysafetensors)."""
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    sys.path.insert(0, os.path.join(root, "cluster", "bench", "pysafetensors"))
    from safetensors import safe_open

    with open(os.path.join(model_dir, "config.json")) as f:
        c = json.load(f)
    model = BertForPretraining(c)
    state = {}
    with safe_open(os.path.join(model_dir, "model.safetensors"), framework="pt") as f:
        for k in f.keys():
            state[k] = f.get_tensor(k)
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.startswith("pair_classifier.") and not m.startswith("cls.predictions.tied.")]
    if missing or unexpected:
        sys.exit("load_checkpoint: missing %s, unexpected %s" % (missing, unexpected))
    model.eval()
    return model


# ------------------------------------------------------------------- data

_SENT = re.compile(r"(?<=[.?!]) (?=[A-Z])")


def sentences(par):
    return [s for s in _SENT.split(par) if s.strip()]


def tokenize_lines(painters, tokenizer, lines):
    """Token ids of each line (no [CLS]/[SEP]) by `painters tokenize`."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for line in lines:
            f.write(json.dumps(line) + "\n")
        name = f.name
    try:
        res = subprocess.run([painters, "tokenize", "--tokenizer", tokenizer, "--input", name],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    finally:
        os.unlink(name)
    out = [json.loads(l) for l in res.stdout.decode().splitlines()]
    if len(out) != len(lines):
        sys.exit("tokenize: %d lines in, %d out" % (len(lines), len(out)))
    return out


def split_paragraph(sents, rng):
    """(A, B): sentence-level split of a tokenized paragraph (a token-level
    cut when it has one sentence), or None when too short."""
    if len(sents) >= 2:
        k = rng.randint(1, len(sents) - 1)
        return [t for s in sents[:k] for t in s], [t for s in sents[k:] for t in s]
    toks = sents[0]
    if len(toks) < 4:
        return None
    cut = rng.randint(1, len(toks) - 1)
    return toks[:cut], toks[cut:]


def truncate_pair(a, b, budget):
    a, b = list(a), list(b)
    while len(a) + len(b) > budget:
        if len(a) > len(b):
            a.pop(0)  # keep the end of A, next to the boundary
        else:
            b.pop()
    return a, b


def pair_example(paras, rng):
    """[CLS] A [SEP] B [SEP] with label 1 when B is the rest of A's
    paragraph, 0 when it is the second part of another paragraph."""
    while True:
        ab = split_paragraph(paras[rng.randrange(len(paras))], rng)
        if ab is None:
            continue
        a, b = ab
        label = 1
        if rng.random() < 0.5:
            other = None
            while other is None:
                other = split_paragraph(paras[rng.randrange(len(paras))], rng)
            b, label = other[1], 0
        a, b = truncate_pair(a, b, MAX_LEN - 3)
        if not a or not b:
            continue
        ids = [CLS] + a + [SEP] + b + [SEP]
        types = [0] * (len(a) + 2) + [1] * (len(b) + 1)
        return ids, types, label


def single_example(paras, rng):
    while True:
        toks = [t for s in paras[rng.randrange(len(paras))] for t in s][: MAX_LEN - 2]
        if len(toks) >= 2:
            return [CLS] + toks + [SEP], [0] * (len(toks) + 2), -100


def mask_tokens(ids, rng, vocab, all_mask=False):
    """15% of the non-special positions: 80% [MASK], 10% a random token, 10%
    unchanged (all [MASK] when all_mask). Returns (input ids, labels)."""
    cand = [i for i, t in enumerate(ids) if t not in (CLS, SEP, PAD)]
    n = max(1, int(round(0.15 * len(cand))))
    picked = rng.sample(cand, n)
    inp, lab = list(ids), [-100] * len(ids)
    for i in picked:
        lab[i] = ids[i]
        r = rng.random()
        if all_mask or r < 0.8:
            inp[i] = MASK
        elif r < 0.9:
            inp[i] = rng.randrange(FIRST_REAL_TOKEN, vocab)
    return inp, lab


def collate(examples):
    """examples: (ids, types, mlm labels, pair label) -> padded tensors."""
    t = max(len(e[0]) for e in examples)
    ids = torch.zeros(len(examples), t, dtype=torch.long)
    types = torch.zeros(len(examples), t, dtype=torch.long)
    lab = torch.full((len(examples), t), -100, dtype=torch.long)
    for r, (i, ty, l, _) in enumerate(examples):
        ids[r, : len(i)] = torch.tensor(i)
        types[r, : len(ty)] = torch.tensor(ty)
        lab[r, : len(l)] = torch.tensor(l)
    pair = torch.tensor([e[3] for e in examples], dtype=torch.long)
    return ids, types, lab, pair


def length_batches(examples, max_tokens, rng):
    """Groups examples of similar length into batches of at most max_tokens
    padded tokens, in random order."""
    examples = sorted(examples, key=lambda e: len(e[0]))
    batches, cur = [], []
    for e in examples:
        if cur and (len(cur) + 1) * len(e[0]) > max_tokens:
            batches.append(cur)
            cur = []
        cur.append(e)
    if cur:
        batches.append(cur)
    rng.shuffle(batches)
    return batches


# ------------------------------------------------------------------ tasks


def pair_rows(pool, n_rows, rng, first_id):
    """Balanced rows (label, id1, id2, s1, s2): 1 = both sentences from one
    paragraph (s1 before s2), 0 = from two different paragraphs. Each
    paragraph of pool (a list of sentence lists) is used at most once."""
    pool = list(pool)
    rng.shuffle(pool)
    rows, k = [], 0
    for r in range(n_rows):
        if r % 2 == 0:
            s = pool[k]
            k += 1
            i, j = sorted(rng.sample(range(len(s)), 2))
            rows.append((1, s[i], s[j]))
        else:
            p, q = pool[k], pool[k + 1]
            k += 2
            rows.append((0, rng.choice(p), rng.choice(q)))
    rng.shuffle(rows)
    return [(lab, first_id + 2 * n, first_id + 2 * n + 1, a, b) for n, (lab, a, b) in enumerate(rows)]


def write_mrpc(path, rows):
    with open(path, "w") as f:
        f.write("Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n")
        for lab, i1, i2, a, b in rows:
            f.write("%d\t%d\t%d\t%s\t%s\n" % (lab, i1, i2, a, b))


def good_sentence(s):
    return 4 <= len(s.split()) <= 40 and "\t" not in s


# -------------------------------------------------------------- evaluation


@torch.no_grad()
def evaluate(model, batches, order=None):
    """Mean MLM loss per masked token, masked-token accuracy, pair accuracy
    over fixed pre-built batches."""
    model.eval()
    loss_sum, correct, count, pc, pn = 0.0, 0, 0, 0, 0
    for ids, types, lab, pair in batches:
        mlm, c, n, _, p_c, p_n = model(ids, types, lab, pair, order)
        loss_sum += float(mlm) * n
        correct += c
        count += n
        pc += p_c
        pn += p_n
    model.train()
    return loss_sum / count, correct / count, (pc / pn if pn else float("nan"))


def mlm_eval_batches(tok_paras, seed):
    rng = random.Random(seed)
    ex = []
    for toks in tok_paras:
        ids = [CLS] + toks[: MAX_LEN - 2] + [SEP]
        inp, lab = mask_tokens(ids, rng, CONFIG["vocab_size"], all_mask=True)
        ex.append((inp, [0] * len(ids), lab, -100))
    return [collate(ex[i : i + 64]) for i in range(0, len(ex), 64)]


def pair_eval_batches(paras, n, seed):
    rng = random.Random(seed)
    ex = []
    for _ in range(n):
        ids, types, label = pair_example(paras, rng)
        inp, lab = mask_tokens(ids, rng, CONFIG["vocab_size"], all_mask=True)
        ex.append((inp, types, lab, label))
    return [collate(ex[i : i + 64]) for i in range(0, len(ex), 64)]


# -------------------------------------------------------------------- main


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    model_dir = os.path.dirname(here)
    root = os.path.dirname(os.path.dirname(model_dir))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="/work/shared/corpus/corpus.txt.xz")
    ap.add_argument("--painters", default=os.path.join(root, "build", "painters"))
    ap.add_argument("--model-dir", default=model_dir)
    ap.add_argument("--task-dir", default=os.path.join(root, "tasks", "painters-demo-bert"))
    ap.add_argument("--minutes", type=float, default=30.0, help="wall budget of the training loop")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--max-tokens", type=int, default=4096, help="padded tokens per batch")
    ap.add_argument("--eval-every", type=float, default=150.0, help="seconds between held-out evaluations")
    ap.add_argument("--heldout", type=int, default=24000, help="paragraphs held out before training")
    ap.add_argument("--eval-skip", default=None,
                    help="evaluate the saved model only: held-out MLM with all layers and with these "
                         "0-based layers (comma-separated) left out")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    tokenizer = os.path.join(args.model_dir, "tokenizer.json")

    if args.eval_skip is not None:
        skip = {int(x) for x in args.eval_skip.split(",") if x.strip()}
        model = load_checkpoint(args.model_dir)
        with open(os.path.join(args.task_dir, "heldout.txt")) as f:
            held = [l.rstrip("\n") for l in f]
        batches = mlm_eval_batches(tokenize_lines(args.painters, tokenizer, held), args.seed + 7)
        n = len(model.bert.encoder.layer)
        for name, order in (("all %d layers" % n, None),
                            ("layers %s skipped" % sorted(skip), [i for i in range(n) if i not in skip])):
            loss, acc, _ = evaluate(model, batches, order)
            print("held-out MLM, %s: loss %.4f, masked-token accuracy %.4f" % (name, loss, acc), flush=True)
        return

    # ---- data: hold out, split into sentences, tokenize
    t0 = time.time()
    with lzma.open(args.corpus, "rt", encoding="utf-8") as f:
        paras = [l.rstrip("\n") for l in f if l.strip()]
    perm = list(range(len(paras)))
    random.Random(args.seed).shuffle(perm)
    held = [paras[i] for i in perm[: args.heldout]]
    train = [paras[i] for i in perm[args.heldout :]]
    print("corpus: %d paragraphs, %d held out, %d for training" % (len(paras), len(held), len(train)), flush=True)

    heldout_txt = held[:500]
    pair_eval_paras = held[500:4000]
    multi = []  # held-out paragraphs with >= 2 usable sentences, for the pair task
    for p in held[4000:]:
        s = [x for x in sentences(p) if good_sentence(x)]
        if len(s) >= 2:
            multi.append(s)
    n_train_pool = int(len(multi) * 0.8)
    task_rng = random.Random(args.seed + 3)
    rows_train = pair_rows(multi[:n_train_pool], 2000, task_rng, 1000)
    rows_dev = pair_rows(multi[n_train_pool:], 500, task_rng, 9000)
    os.makedirs(os.path.join(args.task_dir, "pairs"), exist_ok=True)
    write_mrpc(os.path.join(args.task_dir, "pairs", "train.tsv"), rows_train)
    write_mrpc(os.path.join(args.task_dir, "pairs", "dev.tsv"), rows_dev)
    with open(os.path.join(args.task_dir, "heldout.txt"), "w") as f:
        for p in heldout_txt:
            f.write(p + "\n")
    print("tasks: %d multi-sentence held-out paragraphs; pairs %d train, %d dev; heldout.txt %d lines"
          % (len(multi), len(rows_train), len(rows_dev), len(heldout_txt)), flush=True)

    def tokenized_sentences(ps):
        lines, spans = [], []
        for p in ps:
            s = sentences(p) or [p]
            spans.append((len(lines), len(s)))
            lines.extend(s)
        toks = tokenize_lines(args.painters, tokenizer, lines)
        out = []
        for b, n in spans:
            s = [t for t in toks[b : b + n] if t]
            if s:
                out.append(s)
        return out

    train_tok = tokenized_sentences(train)
    pair_eval_tok = tokenized_sentences(pair_eval_paras)
    heldout_tok = tokenize_lines(args.painters, tokenizer, heldout_txt)
    n_train_tokens = sum(len(t) for p in train_tok for t in p)
    print("tokenized in %.1f s: %d training tokens" % (time.time() - t0, n_train_tokens), flush=True)

    eval_mlm = mlm_eval_batches(heldout_tok, args.seed + 7)
    eval_pair = pair_eval_batches(pair_eval_tok, 640, args.seed + 8)

    # ---- model and optimizer
    model = BertForPretraining(CONFIG)
    n_params = sum(p.numel() for n, p in model.named_parameters() if not n.startswith("pair_classifier."))
    print("parameters (checkpoint): %d" % n_params, flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.98), eps=1e-6)
    budget = args.minutes * 60.0
    warm = 0.05  # fraction of the budget spent warming up

    def lr_at(frac):  # linear warm-up, then linear decay to 5% of the peak
        if frac < warm:
            return args.lr * frac / warm
        return args.lr * max(0.05, 1.0 - 0.95 * (frac - warm) / (1.0 - warm))

    data_rng = random.Random(args.seed + 1)
    best = (float("inf"), None, None)
    step, seen_tokens, seen_examples = 0, 0, 0
    log_mlm, log_pair, log_tok, log_t = 0.0, 0.0, 0, time.time()
    t_start = time.time()
    next_eval = t_start + args.eval_every
    model.train()
    done = False
    while not done:
        pool = []
        for _ in range(4096):
            if data_rng.random() < 0.1:
                ids, types, label = single_example(train_tok, data_rng)
            else:
                ids, types, label = pair_example(train_tok, data_rng)
            inp, lab = mask_tokens(ids, data_rng, CONFIG["vocab_size"])
            pool.append((inp, types, lab, label))
        for batch in length_batches(pool, args.max_tokens, data_rng):
            frac = (time.time() - t_start) / budget
            if frac >= 1.0:
                done = True
                break
            for g in opt.param_groups:
                g["lr"] = lr_at(frac)
            ids, types, lab, pair = collate(batch)
            mlm, _, _, pl, _, _ = model(ids, types, lab, pair)
            loss = mlm + (pl if pl is not None else 0.0)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            with torch.no_grad():
                model.bert.embeddings.word_embeddings.weight[PAD].zero_()
            step += 1
            ntok = int((ids != PAD).sum())
            seen_tokens += ntok
            seen_examples += len(batch)
            log_mlm += float(mlm)
            log_pair += float(pl) if pl is not None else 0.0
            log_tok += ntok
            if step % 50 == 0:
                now = time.time()
                print("step %d  %.1f min  lr %.2e  train mlm %.3f  pair %.3f  %.0f tokens/s  (%d tokens)"
                      % (step, (now - t_start) / 60, lr_at(frac), log_mlm / 50, log_pair / 50,
                         log_tok / (now - log_t), seen_tokens), flush=True)
                log_mlm, log_pair, log_tok, log_t = 0.0, 0.0, 0, now
            if time.time() >= next_eval:
                loss_h, acc_h, pacc = evaluate(model, eval_mlm)
                _, _, pacc = evaluate(model, eval_pair)
                mark = ""
                if loss_h < best[0]:
                    best = (loss_h, checkpoint_tensors(model), {"step": step, "tokens": seen_tokens,
                                                                 "held_mlm_loss": loss_h, "held_mlm_acc": acc_h,
                                                                 "held_pair_acc": pacc})
                    mark = "  (best)"
                print("eval step %d: held-out mlm loss %.4f acc %.4f, pair acc %.4f%s"
                      % (step, loss_h, acc_h, pacc, mark), flush=True)
                next_eval = time.time() + args.eval_every
    minutes = (time.time() - t_start) / 60
    loss_h, acc_h, _ = evaluate(model, eval_mlm)
    _, _, pacc = evaluate(model, eval_pair)
    print("end step %d: held-out mlm loss %.4f acc %.4f, pair acc %.4f" % (step, loss_h, acc_h, pacc), flush=True)
    if loss_h < best[0]:
        best = (loss_h, checkpoint_tensors(model), {"step": step, "tokens": seen_tokens, "held_mlm_loss": loss_h,
                                                     "held_mlm_acc": acc_h, "held_pair_acc": pacc})

    # ---- training-set figures of the kept checkpoint (fixed masking, as held out)
    model.load_state_dict(best[1], strict=False)
    tr_rng = random.Random(args.seed + 9)
    sample = [[t for s in train_tok[tr_rng.randrange(len(train_tok))] for t in s] for _ in range(500)]
    tr_loss, tr_acc, _ = evaluate(model, mlm_eval_batches(sample, args.seed + 10))

    # ---- save and self-check
    with open(os.path.join(args.model_dir, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(args.model_dir, "model.safetensors"), best[1])
    info = dict(best[2])
    info.update({"train_mlm_loss": tr_loss, "train_mlm_acc": tr_acc, "total_steps": step,
                 "total_tokens": seen_tokens, "total_examples": seen_examples, "minutes": minutes,
                 "corpus_training_tokens": n_train_tokens, "parameters": n_params, "seed": args.seed,
                 "threads": args.threads, "lr": args.lr, "max_tokens": args.max_tokens})
    with open(os.path.join(here, "train_summary.json"), "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")
    reloaded = load_checkpoint(args.model_dir)
    loss_r, acc_r, _ = evaluate(reloaded, eval_mlm)
    print("self-check: saved %.6f, reloaded %.6f" % (best[0], loss_r), flush=True)
    if abs(loss_r - best[0]) > 1e-5:
        sys.exit("self-check failed: reloaded model.safetensors gives held-out MLM loss %.6f, not %.6f"
                 % (loss_r, best[0]))
    print("summary: " + json.dumps(info), flush=True)


if __name__ == "__main__":
    main()
