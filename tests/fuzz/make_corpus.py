#!/usr/bin/env python3
"""Writes the seed corpora of the fuzzers into tests/fuzz/corpus/TARGET/.

Small valid inputs made here (safetensors files, llama2.c files, tokenizer
models, tokenizer.json files, canvas headers, placements), copies of the project's own inputs
(plans/, the demo model's config.json and tokenizer.model, and the configs
in ../shared when it is there), and a few broken inputs. Files called
regress-* are inputs that once crashed a parser: this script leaves them be.

Usage: python3 tests/fuzz/make_corpus.py
"""
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(SRC), "shared")
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def copy(target, name, path):
    if os.path.isfile(path):
        put(target, name, open(path, "rb").read())


def safetensors_file(tensors, metadata=None, pad=True):
    """tensors: [(name, dtype, shape, bytes)] laid out in order."""
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def safetensors_seeds():
    f32 = struct.pack("<6f", 1, 2, 3, 4, 5, 6)
    put("safetensors", "f32_two", safetensors_file(
        [("model.norm.weight", "F32", [2], f32[:8]), ("lm_head.weight", "F32", [2, 2], f32[8:24])],
        {"format": "pt"}))
    put("safetensors", "f16_bf16", safetensors_file(
        [("a", "F16", [3], b"\x00\x3c\x00\x40\x00\xc0"), ("b", "BF16", [1, 2], b"\x80\x3f\x00\x40"),
         ("scalar", "F32", [], f32[:4]), ("empty", "F32", [0, 4], b"")]))
    put("safetensors", "four_dims", safetensors_file([("x", "F32", [1, 1, 2, 1], f32[:8])]))
    put("safetensors", "bad_dtype", safetensors_file([("x", "I8", [2], b"\x01\x02")]))
    good = safetensors_file([("x", "F32", [2], f32[:8]), ("y", "F32", [2], f32[8:16])])
    put("safetensors", "overlap", good.replace(b"[8,16]", b"[4,12]"))
    put("safetensors", "length_past_end", struct.pack("<Q", 4096) + good[8:])
    put("safetensors", "length_absurd", struct.pack("<Q", 1 << 40) + good[8:])
    put("safetensors", "truncated", good[:-3])


def llama2c_file(dim, hidden, layers, heads, kv_heads, vocab, seq_len, shared=True):
    hs = dim // heads
    floats = (vocab * dim + layers * dim + layers * dim * dim + 2 * layers * kv_heads * hs * dim
              + layers * dim * dim + layers * dim + 3 * layers * hidden * dim + dim
              + 2 * seq_len * (hs // 2) + (0 if shared else vocab * dim))
    header = struct.pack("<7i", dim, hidden, layers, heads, kv_heads,
                         vocab if shared else -vocab, seq_len)
    return header + struct.pack("<%df" % floats, *[0.01 * (i % 7) for i in range(floats)])


def llama2c_seeds():
    put("llama2c", "tiny_shared", llama2c_file(4, 4, 1, 2, 1, 3, 2))
    put("llama2c", "tiny_classifier", llama2c_file(4, 6, 2, 2, 2, 5, 1, shared=False))
    put("llama2c", "magic_ak42", struct.pack("<7i", 0x616b3432, 2, 0, 0, 0, 0, 0))
    put("llama2c", "huge_header", struct.pack("<7i", 1 << 20, 1 << 20, 4096, 1, 1, -(1 << 20), 1 << 24))
    put("llama2c", "truncated", llama2c_file(4, 4, 1, 2, 1, 3, 2)[:200])


def varint(v):
    v &= (1 << 64) - 1
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field(number, wire, payload):
    key = varint(number << 3 | wire)
    if wire == 0:
        return key + varint(payload)
    if wire == 5:
        return key + payload
    return key + varint(len(payload)) + payload


def wire_version():
    """WIRE_VERSION of node/wire/wire.h."""
    for line in open(os.path.join(SRC, "node", "wire", "wire.h")):
        if line.startswith("#define WIRE_VERSION "):
            return int(line.split()[2])
    sys.exit("make_corpus.py: no WIRE_VERSION in node/wire/wire.h")


def canvas_header(fields, packed=()):
    """fields: (number, varint); packed: (number, [varints]) repeated fields."""
    msg = b"".join(field(n, 0, v) for n, v in fields)
    msg += b"".join(field(n, 2, b"".join(varint(v) for v in vs)) for n, vs in packed)
    return struct.pack("<I", len(msg)) + msg


def canvas_header_seeds():
    v = wire_version()
    put("canvas_header", "canvas", canvas_header(
        [(1, v), (2, 7), (3, 3), (4, 5), (5, 1), (6, 0), (7, 1), (9, 5 * 64 * 4), (10, 0xDEADBEEF),
         (11, 2)]))
    put("canvas_header", "stop", canvas_header([(1, v), (8, 1), (11, 1)]))
    put("canvas_header", "other_version", canvas_header([(1, v + 1), (2, 1), (4, 1)]))
    put("canvas_header", "negative_step", canvas_header([(1, v), (3, -1), (4, -5), (9, 1 << 62)]))
    # A packed canvas of three sequences, the third sharing the first's prefix.
    put("canvas_header", "packed", canvas_header(
        [(1, v), (2, 9), (4, 10), (9, 10 * 64 * 4)],
        [(12, [0, 4, 7, 10]), (13, [0, 0, 0, 0, 0, 2])]))
    # A batch: three sequences continuing KV cache sets 5, 0 and 9.
    put("canvas_header", "batch", canvas_header(
        [(1, v), (2, 11), (4, 4), (9, 4 * 64 * 4)],
        [(12, [0, 1, 2, 4]), (14, [5, 17, 0, 0, 9, 3])]))


def tokenizer_model(pieces, byte_fallback=False, dummy_prefix=True, extra_ws=True):
    """pieces: [(text, score, type)]; types: 1 normal, 2 unknown, 3 control,
    4 user-defined, 5 unused, 6 byte."""
    msg = b""
    for text, score, ptype in pieces:
        p = field(1, 2, text.encode()) + field(2, 5, struct.pack("<f", score)) + field(3, 0, ptype)
        msg += field(1, 2, p)
    trainer = field(3, 0, 2) + field(4, 0, len(pieces)) + field(35, 0, int(byte_fallback))
    normalizer = (field(1, 2, b"identity") + field(3, 0, int(dummy_prefix))
                  + field(4, 0, int(extra_ws)) + field(5, 0, 1))
    return msg + field(2, 2, trainer) + field(3, 2, normalizer)


def tokenizer_seeds():
    special = [("<unk>", 0.0, 2), ("<s>", 0.0, 3), ("</s>", 0.0, 3)]
    chars = [(c, -float(i), 1) for i, c in enumerate("\u2581Helowrd,!")]
    merges = [("\u2581H", -0.5, 1), ("ll", -0.6, 1), ("llo", -0.7, 1), ("\u2581w", -0.8, 1),
              ("or", -0.9, 1), ("<cls>", 0.0, 4), ("lo", -0.65, 5)]
    put("tokenizer", "tiny_bpe", tokenizer_model(special + chars + merges))
    byte_pieces = [("<0x%02X>" % b, 0.0, 6) for b in range(256)]
    put("tokenizer", "tiny_byte_fallback",
        tokenizer_model(special + byte_pieces + chars[:5], byte_fallback=True, extra_ws=False))
    put("tokenizer", "no_unknown", tokenizer_model(chars))
    copy("tokenizer", "demo_tokenizer.model",
         os.path.join(SRC, "models", "painters-demo-16L", "tokenizer.model"))


def config_seeds():
    copy("hf_config", "painters-demo-16L.json",
         os.path.join(SRC, "models", "painters-demo-16L", "config.json"))
    configs = os.path.join(SHARED, "configs")
    if os.path.isdir(configs):
        for name in sorted(os.listdir(configs)):
            copy("hf_config", name, os.path.join(configs, name))
    fixtures = os.path.join(SHARED, "fixtures")
    if os.path.isdir(fixtures):
        for name in sorted(os.listdir(fixtures)):
            copy("hf_config", "fixture-%s.json" % name, os.path.join(fixtures, name, "config.json"))
    put("hf_config", "qwen2_v5", json.dumps({
        "architectures": ["Qwen2ForCausalLM"], "hidden_size": 64, "intermediate_size": 128,
        "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
        "vocab_size": 100, "dtype": "bfloat16", "eos_token_id": [2, 3],
        "rope_parameters": {"rope_theta": 1e6, "rope_type": "default"}}))
    put("hf_config", "bad_json", '{"architectures": ["LlamaForCausalLM"], "hidden_size": ')


def plan_seeds():
    plans = os.path.join(SRC, "plans")
    for name in sorted(os.listdir(plans)):
        if name.endswith(".json"):
            copy("plan", name, os.path.join(plans, name))
    put("plan", "steps_mixed", '{"name": "mixed", "steps": [{"layers": [0, "1-3", "31-28"]}, '
        '{"parallel": ["4-9", 12], "repeat": 3}, {"layers": ["10"]}]}')
    put("plan", "random_seed", '{"variant": "random", "N": 3, "seed": -12345}')
    put("plan", "bad_layer", '{"steps": [{"parallel": [1, 1]}]}')


def placement_seeds():
    put("placement", "ranges", '{"stations": [{"rank": 1, "layers": "0-7"}, '
        '{"rank": 2, "layers": "8-15"}, {"rank": 3, "layers": ["16-23"]}, '
        '{"rank": 4, "layers": "31-24"}]}')
    put("placement", "lists", '{"name": "spread", "stations": [{"rank": 1, "layers": [0, 2, 4, [6, 8]]}, '
        '{"rank": 2, "layers": ["1-31"]}, {"rank": 4, "layers": 5}]}')
    put("placement", "rank_zero", '{"stations": [{"rank": 0, "layers": "0-31"}]}')
    put("placement", "out_of_range", '{"stations": [{"rank": 1, "layers": "0-32"}]}')


def byte_char(b):
    """GPT-2's byte-level alphabet: printable bytes stand for themselves."""
    if 0x21 <= b <= 0x7E or 0xA1 <= b <= 0xAC or 0xAE <= b <= 0xFF:
        return chr(b)
    others = [x for x in range(256) if not (0x21 <= x <= 0x7E or 0xA1 <= x <= 0xAC or 0xAE <= x <= 0xFF)]
    return chr(0x100 + others.index(b))


def hf_tokenizer_seeds():
    """Small hand-made tokenizer.json files (never the real ones)."""
    sp = byte_char(0x20)
    chars = [byte_char(b) for b in range(256)]
    vocab = {c: i for i, c in enumerate(chars)}
    merges = []
    for a, b in [("h", "e"), ("l", "l"), ("he", "ll"), ("hell", "o"), (sp, "w"), ("o", "r"),
                 (sp + "w", "or"), ("l", "d"), (sp + "wor", "ld"), (sp, sp), ("c", "a")]:
        vocab.setdefault(a + b, len(vocab))
        merges.append([a, b])
    added = [{"id": len(vocab), "content": "<|end|>", "single_word": False, "lstrip": False,
              "rstrip": False, "normalized": False, "special": True},
             {"id": len(vocab) + 1, "content": "<x>", "single_word": True, "lstrip": True,
              "rstrip": True, "normalized": True, "special": False}]
    llama_split = {"type": "Split", "pattern": {"Regex":
                   "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
                   "behavior": "Isolated", "invert": False}
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                  "use_regex": False}
    template = {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "<|end|>", "type_id": 0}},
                           {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": "<|end|>", "type_id": 1}},
                         {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {"<|end|>": {"id": "<|end|>", "ids": [len(vocab)],
                                               "tokens": ["<|end|>"]}}}
    bpe = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
           "normalizer": None,
           "pre_tokenizer": {"type": "Sequence", "pretokenizers": [llama_split, byte_level]},
           "post_processor": {"type": "Sequence", "processors": [
               {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False,
                "use_regex": True}, template]},
           "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                       "use_regex": True},
           "model": {"type": "BPE", "dropout": None, "unk_token": None,
                     "continuing_subword_prefix": None, "end_of_word_suffix": None,
                     "fuse_unk": False, "byte_fallback": False, "ignore_merges": True,
                     "vocab": vocab, "merges": merges}}
    put("hf_tokenizer", "bpe_pairs.json", json.dumps(bpe, indent=1))
    qwen = json.loads(json.dumps(bpe))
    qwen["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Lowercase"}]}
    qwen["model"]["merges"] = [a + " " + b for a, b in merges]
    qwen["model"]["ignore_merges"] = False
    qwen["post_processor"] = {"type": "ByteLevel", "add_prefix_space": False,
                              "trim_offsets": False, "use_regex": False}
    put("hf_tokenizer", "bpe_strings_nfc.json", json.dumps(qwen, separators=(",", ":")))
    gpt2 = json.loads(json.dumps(bpe))
    gpt2["pre_tokenizer"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                             "use_regex": True}
    gpt2["post_processor"] = {"type": "RobertaProcessing", "sep": ["<|end|>", len(vocab)],
                              "cls": ["<|end|>", len(vocab)], "trim_offsets": True,
                              "add_prefix_space": True}
    gpt2["normalizer"] = {"type": "NFKD"}
    put("hf_tokenizer", "gpt2_regex.json", json.dumps(gpt2))
    splits = json.loads(json.dumps(bpe))
    splits["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithNext", "invert": False},
        {"type": "Split", "pattern": {"Regex": "\\d"}, "behavior": "Contiguous", "invert": True},
        {"type": "Split", "pattern": {"Regex": "[,.!?]"}, "behavior": "MergedWithPrevious",
         "invert": False},
        {"type": "Split", "pattern": {"Regex": "x*"}, "behavior": "Removed", "invert": False}]}
    splits["decoder"] = None
    splits["model"]["unk_token"] = "ca"
    splits["model"]["fuse_unk"] = True  # no ByteLevel: characters outside the vocabulary are unknown
    put("hf_tokenizer", "split_behaviors.json", json.dumps(splits))
    wp_vocab = {t: i for i, t in enumerate(
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", "un", "##aff",
         "##able", ",", "!", ".", "caf", "##e", "\u4e2d", "'", "t"])}
    wp = {"version": "1.0", "truncation": None, "padding": None,
          "added_tokens": [{"id": wp_vocab[t], "content": t, "single_word": False, "lstrip": False,
                            "rstrip": False, "normalized": False, "special": True}
                           for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]],
          "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                         "strip_accents": None, "lowercase": True},
          "pre_tokenizer": {"type": "BertPreTokenizer"},
          "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
          "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
          "model": {"unk_token": "[UNK]", "continuing_subword_prefix": "##",
                    "max_input_chars_per_word": 12, "vocab": wp_vocab}}
    put("hf_tokenizer", "wordpiece.json", json.dumps(wp))
    text = json.dumps(bpe)
    put("hf_tokenizer", "truncated", text[:len(text) // 3])
    bad = json.loads(json.dumps(bpe))
    bad["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "(?<=a+)b"
    put("hf_tokenizer", "bad_regex.json", json.dumps(bad))


def main():
    if len(sys.argv) > 1:
        print(__doc__.strip())
        return
    safetensors_seeds()
    llama2c_seeds()
    canvas_header_seeds()
    tokenizer_seeds()
    config_seeds()
    plan_seeds()
    placement_seeds()
    hf_tokenizer_seeds()


if __name__ == "__main__":
    main()
