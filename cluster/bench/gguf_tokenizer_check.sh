#!/usr/bin/env bash
# Byte-level BPE tokenizers in GGUF files written by llama.cpp's own
# converter: for the Llama-3.2 and Qwen2.5 tokenizers of ../shared, a
# 1-layer model of random weights with that vocabulary (painters synth),
# converted by llama.cpp's convert_hf_to_gguf.py (F32), then `painters
# tokenize --model FILE.gguf` on every text of
# fixtures/hf_tokenizer_cases.json, without and with special tokens,
# against the ids Hugging Face tokenizers gave (the fixture).
#
# The converter asks Hugging Face transformers for the vocabulary and, to
# name the pre-tokenizer (tokenizer.ggml.pre), hashes the ids of its own test
# string; Debian 12 has no transformers, so tokenizer_shim/ stands in: the
# vocabulary and added tokens from tokenizer.json, the ids from painters.
# A pre other than llama-bpe / qwen2 would mean painters' ids differ from
# Hugging Face's on that string.
#
# llama.cpp is no dependency: give its source tree. Needs Debian's
# python3-torch python3-numpy python3-sentencepiece python3-yaml python3-tqdm.
# usage: LLAMA_CPP_SRC=/path/to/llama.cpp cluster/bench/gguf_tokenizer_check.sh [OUT]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=$root/../shared
out=${1:-/tmp/painters-gguf-tokenizers}
P=${PAINTERS:-$root/build/painters}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
die() { echo "gguf_tokenizer_check.sh: $*" >&2; exit 2; }
[ -n "${LLAMA_CPP_SRC:-}" ] && [ -f "$LLAMA_CPP_SRC/convert_hf_to_gguf.py" ] ||
    die "set LLAMA_CPP_SRC to a llama.cpp source tree (with convert_hf_to_gguf.py)"
[ -x "$P" ] || die "no painters binary at $P (build it, or set PAINTERS)"
mkdir -p "$out"
export PAINTERS=$P
fail=0
for t in llama-3.2 qwen2.5; do
    tok=$shared/tokenizers/$t
    "$PY" - "$tok/tokenizer.json" "$t" > "$out/$t.json" <<'PYEOF'
import json, sys
j = json.load(open(sys.argv[1], encoding="utf-8"))
ids = list(j["model"]["vocab"].values()) + [a["id"] for a in j["added_tokens"]]
qwen = sys.argv[2].startswith("qwen")
print(json.dumps({"architectures": ["Qwen2ForCausalLM" if qwen else "LlamaForCausalLM"],
    "model_type": "qwen2" if qwen else "llama", "attention_bias": qwen, "hidden_size": 64,
    "intermediate_size": 128, "num_attention_heads": 2, "num_key_value_heads": 1,
    "num_hidden_layers": 1, "vocab_size": max(ids) + 1, "max_position_embeddings": 256,
    "rms_norm_eps": 1e-5, "rope_theta": 500000.0, "tie_word_embeddings": True}))
PYEOF
    rm -rf "$out/$t"
    "$P" synth --config "$out/$t.json" --dtype f32 --out "$out/$t" > /dev/null
    cp "$tok"/tokenizer.json "$tok"/tokenizer_config.json "$out/$t/"
    chmod u+w "$out/$t"/*
    PYTHONPATH=$here/tokenizer_shim "$PY" "$here/gguf_convert.py" "$LLAMA_CPP_SRC/convert_hf_to_gguf.py" \
        "$out/$t" --outtype f32 --outfile "$out/$t.gguf" > "$out/convert-$t.log" 2>&1 ||
        die "the converter failed on $t: $out/convert-$t.log"
    "$PY" - "$out/$t.gguf" "$t" "$shared/fixtures/hf_tokenizer_cases.json" "$LLAMA_CPP_SRC/gguf-py" <<'PYEOF' || fail=1
import json, os, subprocess, sys
sys.path.insert(0, sys.argv[4])
import gguf
f, t = sys.argv[1], sys.argv[2]
field = gguf.GGUFReader(f).fields["tokenizer.ggml.pre"]
pre = bytes(field.parts[field.data[0]]).decode()
same = differ = 0
for c in json.load(open(sys.argv[3], encoding="utf-8"))[t]:
    for flags, key in (([], "ids"), (["--special"], "ids_special")):
        out = subprocess.run([os.environ["PAINTERS"], "tokenize", "--model", f, "--text", c["text"]] + flags,
                             capture_output=True, text=True).stdout
        line = next((l[4:].strip() for l in out.splitlines() if l.startswith("ids:")), None)
        ids = [int(x) for x in line.split(",")] if line else []
        if ids == c[key]:
            same += 1
        else:
            differ += 1
            print("  differs: %r %s" % (c["text"][:60], key))
print("%s: tokenizer.ggml.pre = %s; %d of %d cases identical to Hugging Face's ids" % (t, pre, same, same + differ))
sys.exit(1 if differ or pre not in ("llama-bpe", "qwen2") else 0)
PYEOF
done
exit $fail
