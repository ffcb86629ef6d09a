"""A stand-in for Hugging Face transformers' AutoTokenizer, enough for
llama.cpp's convert_hf_to_gguf.py to write a byte-level BPE vocabulary:
vocab and added tokens from tokenizer.json, encode through painters
tokenize (for gguf_tokenizer_check.sh: Debian 12 has no transformers)."""
import json
import os
import subprocess

PAINTERS = os.environ["PAINTERS"]


class _Added:
    def __init__(self, a):
        self.content, self.special, self.normalized = a["content"], a["special"], a["normalized"]


class _Tokenizer:
    def __init__(self, d):
        self.path = os.path.join(d, "tokenizer.json")
        j = json.load(open(self.path, encoding="utf-8"))
        self.vocab = dict(j["model"]["vocab"])
        self.added_tokens_decoder = {}
        for a in j["added_tokens"]:
            self.vocab[a["content"]] = a["id"]
            self.added_tokens_decoder[a["id"]] = _Added(a)
        self._rev = {i: t for t, i in self.vocab.items()}

    def get_vocab(self):
        return dict(self.vocab)

    def get_added_vocab(self):
        return {a.content: i for i, a in self.added_tokens_decoder.items()}

    def encode(self, text, add_special_tokens=True):
        args = [PAINTERS, "tokenize", "--tokenizer", self.path, "--text", text]
        if add_special_tokens:
            args.append("--special")
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        line = [l for l in out.splitlines() if l.startswith("ids:")][0]
        ids = line[4:].strip()
        return [int(x) for x in ids.split(",")] if ids else []

    def decode(self, ids):
        if len(ids) == 1 and ids[0] in self.added_tokens_decoder:
            return self.added_tokens_decoder[ids[0]].content
        raise NotImplementedError("decode of ordinary tokens")


class AutoTokenizer:
    @staticmethod
    def from_pretrained(d, **kw):
        return _Tokenizer(d)
