#!/usr/bin/env bash
# Broken inputs through the command line, under AddressSanitizer + UBSan
# (painters-asan): each must end with exit status 2 and a message on stderr
# that names the culprit, never a crash.
set -u
P=${PAINTERS_ASAN:-${PAINTERS:?}}
DEMO=$PAINTERS_SOURCE_DIR/models/painters-demo-16L
pass=0 fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# expect NAME PATTERN -- ARGS...: exit 2 and stderr matching PATTERN.
expect() {
    local name=$1 pattern=$2; shift 3
    "$P" "$@" > "$tmp/out" 2> "$tmp/err"; local rc=$?
    if [ $rc -eq 2 ] && grep -q -- "$pattern" "$tmp/err" && ! grep -q "Sanitizer" "$tmp/err"; then
        pass=$((pass+1))
    else
        fail=$((fail+1)); echo "FAIL $name: exit $rc"; cat "$tmp/err"
    fi
}

# A copy of the demo model with one thing broken by a python snippet.
broken_model() {
    local dir=$tmp/$1; mkdir -p "$dir"
    cp "$DEMO/config.json" "$DEMO/model.safetensors" "$DEMO/tokenizer.model" "$dir/"
    (cd "$dir" && python3 -c "$2")
    echo "$dir"
}
ST='import json,struct
def header():
    f=open("model.safetensors","rb"); n=struct.unpack("<Q",f.read(8))[0]; h=json.loads(f.read(n)); return h, f.read()
def write(h, data):
    b=json.dumps(h).encode(); b+=b" "*((8-len(b)%8)%8)
    open("model.safetensors","wb").write(struct.pack("<Q",len(b))+b+data)
'
CFG='import json
c=json.load(open("config.json"))
def save(): json.dump(c, open("config.json","w"))
'

expect "unknown command" "unknown command" -- bogus
expect "unknown option" "unknown option '--bogus'" -- forward --bogus 1
expect "missing --tokens" "option --tokens is required" -- forward
expect "--compute junk" "option --compute: 'fp8' is not bf16, f32, q8 or auto" -- forward --tokens 1,2 --compute fp8
DNNL_MAX_CPU_ISA=AVX512_CORE expect "--compute bf16 without BF16 arithmetic" "--compute bf16: rank 0 cannot" -- forward --tokens 1,2 --compute bf16
expect "bad --tokens" "not a comma-separated list" -- forward --tokens 1,x,3
expect "token out of vocabulary" "outside the vocabulary" -- forward --tokens 1,99999
expect "missing model" "nowhere" -- forward --model "$tmp/nowhere" --tokens 1
expect "missing plan file" "missing.json" -- forward --tokens 1 --plan "$tmp/missing.json"
expect "plan layer out of range" "steps\[0\].layers\[0\]" -- forward --tokens 1 --plan '{"steps": [{"layers": [16]}]}'
expect "plan bad JSON" "inline plan" -- forward --tokens 1 --plan '{"steps": [}'
expect "plan unknown key" "bogus" -- forward --tokens 1 --plan '{"variant": "skip", "N": 2, "bogus": 1}'
expect "plan N too large" "N" -- forward --tokens 1 --plan '{"variant": "skip", "N": 9}'
expect "plan empty parallel" "steps\[0\].parallel" -- forward --tokens 1 --plan '{"steps": [{"parallel": []}]}'

d=$(broken_model truncated "import os; os.truncate('model.safetensors', 1000000)")
expect "truncated safetensors" "model.safetensors" -- forward --model "$d" --tokens 1
d=$(broken_model header_past_end "$ST
import struct; data=open('model.safetensors','rb').read(); open('model.safetensors','wb').write(struct.pack('<Q', 1<<40)+data[8:])")
expect "header length past the end" "model.safetensors" -- inspect --model "$d"
d=$(broken_model bad_dtype "$ST
h,data=header(); h['model.norm.weight']['dtype']='I8'; write(h,data)")
expect "unsupported dtype" "I8" -- inspect --model "$d"
d=$(broken_model overlap "$ST
h,data=header(); h['model.norm.weight']['data_offsets']=h['lm_head.weight']['data_offsets'][:1]+[h['lm_head.weight']['data_offsets'][0]+384]; write(h,data)")
expect "overlapping offsets" "model.norm.weight" -- inspect --model "$d"
d=$(broken_model missing_tensor "$ST
h,data=header(); del h['model.layers.3.mlp.up_proj.weight']; write(h,data)")
expect "missing tensor" "model.layers.3.mlp.up_proj.weight" -- forward --model "$d" --tokens 1
d=$(broken_model wrong_shape "$CFG
c['intermediate_size']=500; save()")
expect "shape disagrees with config" "gate_proj" -- forward --model "$d" --tokens 1
d=$(broken_model bad_config "open('config.json','w').write('{\"hidden_size\": 192,,}')")
expect "config bad JSON" "config.json" -- inspect --model "$d"
d=$(broken_model bert_qa "$CFG
c['architectures']=['BertForQuestionAnswering']; c['model_type']='bert'; save()")
expect "unsupported architecture" "BertForQuestionAnswering" -- inspect --model "$d"
d=$(broken_model bert_relative "$CFG
c['architectures']=['BertModel']; c['model_type']='bert'; c['hidden_act']='gelu'; c['position_embedding_type']='relative_key'; save()")
expect "BERT relative positions" 'config.json: position_embedding_type "relative_key" not supported' -- forward --model "$d" --tokens 1
d=$(broken_model bert_act "$CFG
c['architectures']=['BertModel']; c['model_type']='bert'; c['hidden_act']='gelu_new'; save()")
expect "BERT approximate GELU" 'config.json: hidden_act "gelu_new" not supported' -- inspect --model "$d"
d=$(broken_model bert_decoder "$CFG
c['architectures']=['BertModel']; c['model_type']='bert'; c['hidden_act']='gelu'; c['is_decoder']=True; save()")
expect "BERT as a decoder" 'config.json: is_decoder true not supported' -- inspect --model "$d"
d=$(broken_model heads "$CFG
c['num_key_value_heads']=4; save()")
expect "heads not divisible" "config.json" -- inspect --model "$d"
d=$(broken_model no_tokenizer "import os; os.remove('tokenizer.model')")
expect "missing tokenizer for --prompt" "tokenizer" -- generate --model "$d" --prompt "hi"
printf '"ok"\n{"prompt": 5}\n' > "$tmp/p_bad.jsonl"
expect "prompts: not a prompt" "p_bad.jsonl:2: expected a JSON string" -- generate --prompts "$tmp/p_bad.jsonl"
printf '{"tokens": [1, 99999]}\n' > "$tmp/p_id.jsonl"
expect "prompts: id out of range" "p_id.jsonl:1: token 1 is not an id" -- generate --prompts "$tmp/p_id.jsonl"
printf '{"tokens": []}\n' > "$tmp/p_empty.jsonl"
expect "prompts: empty tokens" "p_empty.jsonl:1: \"tokens\" must be a non-empty" -- generate --prompts "$tmp/p_empty.jsonl"
: > "$tmp/p_none.jsonl"
expect "prompts: empty file" "p_none.jsonl: no prompts" -- generate --prompts "$tmp/p_none.jsonl"
printf '"a \\u0000 b"\n' > "$tmp/p_nul.jsonl"
expect "prompts: NUL" "p_nul.jsonl:1: a prompt may not hold U+0000" -- generate --prompts "$tmp/p_nul.jsonl"
expect "prompts: missing file" "nowhere.jsonl: prompts file not found" -- generate --prompts "$tmp/nowhere.jsonl"
expect "prompts with --prompt" "exactly one of" -- generate --prompts "$tmp/p_none.jsonl" --prompt hi
expect "batch out of range" "--batch" -- generate --prompt hi --batch 100000
printf 'not a protobuf' > "$tmp/garbage.model"
expect "garbage tokenizer" "garbage.model" -- tokenize --tokenizer "$tmp/garbage.model" --text hi
head -c 20 "$PAINTERS_SOURCE_DIR/../shared/models/stories260K/stories260K.bin" > "$tmp/short.bin" 2>/dev/null || printf 'abcdefghijklmnopqrst' > "$tmp/short.bin"
expect "truncated llama2.c" "short.bin" -- forward --model "$tmp/short.bin" --tokens 1

echo "cli_malformed: $pass passed, $fail failed"
[ $fail -eq 0 ]
