#!/usr/bin/env bash
# painters tokenize against the fixture cases of ../shared
# (fixtures/hf_tokenizer_cases.json, fixtures/tokenizer_cases.json): every
# case through --input gives its ids, and with --special (and its alias
# --bos) its ids_special, for Llama-3.2, Qwen2.5, BERT's tokenizer.json and
# vocab.txt and the demo model's tokenizer.model; --decode gives the decoded
# text (with the clean-up each tokenizer_config.json asks for); --pair gives
# BERT's pair ids and type_ids; the speed line on stderr; bad lines and bad
# options are exit 2 naming the place.
set -u
P=${PAINTERS:?}
source "$PAINTERS_SOURCE_DIR/tests/shared.sh"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
CASES=$SHARED/fixtures/hf_tokenizer_cases.json
[ -f "$CASES" ] || shared_missing "$CASES"

# cases NAME FIELD OUT: the texts (IN) and the wanted FIELD (OUT) of the
# single-text cases of NAME, one JSON value a line.
cases() {
    python3 - "$CASES" "$1" "$2" "$tmp/$1.in" "$3" <<'EOF'
import json, sys
cases, name, field, text_out, want_out = sys.argv[1:]
cs = [c for c in json.load(open(cases))[name] if "text_pair" not in c]
open(text_out, "w").write("".join(json.dumps(c["text"]) + "\n" for c in cs))
open(want_out, "w").write("".join(json.dumps(c[field], separators=(",", ":")) + "\n" for c in cs))
EOF
}

run_cases() { # LABEL NAME TOKENIZER_FILE
    local label=$1 name=$2 file=$3
    cases "$name" ids "$tmp/want_ids"
    cases "$name" ids_special "$tmp/want_special"
    local n; n=$(wc -l < "$tmp/$name.in")
    "$P" tokenize --tokenizer "$file" --input "$tmp/$name.in" > "$tmp/got_ids" 2> "$tmp/err"
    check "$label: $n cases --input ids" "cmp -s '$tmp/got_ids' '$tmp/want_ids'"
    check "$label: speed line on stderr" "grep -q 'tokens/s' '$tmp/err' && grep -q 'MB/s' '$tmp/err'"
    cat "$tmp/err"
    "$P" tokenize --tokenizer "$file" --input "$tmp/$name.in" --special > "$tmp/got_special" 2> /dev/null
    check "$label: $n cases --input --special ids_special" "cmp -s '$tmp/got_special' '$tmp/want_special'"
    if ! cmp -s "$tmp/got_ids" "$tmp/want_ids"; then diff "$tmp/got_ids" "$tmp/want_ids" | head -6; fi
}

LLAMA=$SHARED/tokenizers/llama-3.2/tokenizer.json
QWEN=$SHARED/tokenizers/qwen2.5/tokenizer.json
BERT_JSON=$SHARED/tokenizers/bert-base-uncased/tokenizer.json
BERT_VOCAB=$SHARED/tokenizers/bert-base-uncased/vocab.txt
run_cases llama-3.2 llama-3.2 "$LLAMA"
run_cases qwen2.5 qwen2.5 "$QWEN"
run_cases "bert tokenizer.json" bert-base-uncased "$BERT_JSON"
run_cases "bert vocab.txt" bert-base-uncased "$BERT_VOCAB"
"$P" tokenize --tokenizer "$LLAMA" --input "$tmp/llama-3.2.in" --bos > "$tmp/got_bos" 2> /dev/null
cases llama-3.2 ids_special "$tmp/want_special"
check "llama-3.2: --bos is --special" "cmp -s '$tmp/got_bos' '$tmp/want_special'"

# The demo model's SentencePiece cases (its tokenizer.model, the default).
python3 - "$SHARED/fixtures/tokenizer_cases.json" "$tmp/demo.in" "$tmp/demo_ids" "$tmp/demo_bos" <<'EOF'
import json, sys
cs = json.load(open(sys.argv[1]))["painters-demo-16L"]
open(sys.argv[2], "w").write("".join(json.dumps(c["text"]) + "\n" for c in cs))
open(sys.argv[3], "w").write("".join(json.dumps(c["ids"], separators=(",", ":")) + "\n" for c in cs))
open(sys.argv[4], "w").write("".join(json.dumps([1] + c["ids"], separators=(",", ":")) + "\n" for c in cs))
EOF
"$P" tokenize --input "$tmp/demo.in" > "$tmp/got" 2> /dev/null
check "demo tokenizer.model: --input ids" "cmp -s '$tmp/got' '$tmp/demo_ids'"
"$P" tokenize --input "$tmp/demo.in" --special > "$tmp/got" 2> /dev/null
check "demo tokenizer.model: --special puts BOS first" "cmp -s '$tmp/got' '$tmp/demo_bos'"

# --decode: a few cases of each, the ones whose decoded text differs from the text first.
decode_cases() { # NAME FILE
    python3 - "$CASES" "$1" > "$tmp/decode_list" <<'EOF'
import json, sys
cs = [c for c in json.load(open(sys.argv[1]))[sys.argv[2]] if "decoded" in c and c["ids"]]
picked = [c for c in cs if c["decoded"] != c["text"]][:6] + cs[:3]
for c in picked:
    print(",".join(map(str, c["ids"])) + "\t" + json.dumps(c["decoded"]))
EOF
    local k=0 ok=0 ids want
    while IFS=$'\t' read -r ids want; do
        k=$((k+1))
        "$P" tokenize --tokenizer "$2" --decode "$ids" > "$tmp/dec" 2> /dev/null
        if python3 -c 'import json,sys; got=open(sys.argv[1], encoding="utf-8", errors="surrogateescape").read(); sys.exit(got != json.loads(sys.argv[2]) + "\n")' "$tmp/dec" "$want"; then
            ok=$((ok+1))
        else
            echo "    $1: --decode $ids gave $(head -c 200 "$tmp/dec"), want $want"
        fi
    done < "$tmp/decode_list"
    check "$1: --decode, $ok of $k cases" "[ $ok -eq $k ] && [ $k -gt 0 ]"
}
decode_cases llama-3.2 "$LLAMA"
decode_cases qwen2.5 "$QWEN"
decode_cases bert-base-uncased "$BERT_JSON"

# --pair: every BERT pair case, ids and type_ids.
python3 - "$CASES" > "$tmp/pairs" <<'EOF'
import json, sys
for c in json.load(open(sys.argv[1]))["bert-base-uncased"]:
    if "text_pair" in c:
        print(json.dumps([c["text"], c["text_pair"], ",".join(map(str, c["ids_special"])),
                          ",".join(map(str, c["type_ids"]))]))
EOF
k=0 ok=0
while read -r line; do
    k=$((k+1))
    a=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[0])' "$line")
    b=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[1])' "$line")
    want=$(python3 -c 'import json,sys; v=json.loads(sys.argv[1]); print("ids: " + v[2] + "\ntype_ids: " + v[3])' "$line")
    got=$("$P" tokenize --tokenizer "$BERT_VOCAB" --text "$a" --pair "$b" 2> /dev/null)
    [ "$got" = "$want" ] && ok=$((ok+1)) || echo "    pair $k: got $got, want $want"
done < "$tmp/pairs"
check "bert --pair: $ok of $k cases, ids and type_ids" "[ $ok -eq $k ] && [ $k -gt 0 ]"

# Bad input: exit 2 naming the place.
printf '"fine"\n"also fine"\n42\n' > "$tmp/bad.jsonl"
"$P" tokenize --tokenizer "$QWEN" --input "$tmp/bad.jsonl" > /dev/null 2> "$tmp/err"; rc=$?
check "a line that is not a JSON string: exit 2 naming FILE:LINE" "[ $rc -eq 2 ] && grep -q 'bad.jsonl:3' '$tmp/err'"
printf '"fine"\n"unterminated\n' > "$tmp/bad.jsonl"
"$P" tokenize --tokenizer "$QWEN" --input "$tmp/bad.jsonl" > /dev/null 2> "$tmp/err"; rc=$?
check "a line that is not JSON: exit 2 naming FILE:LINE" "[ $rc -eq 2 ] && grep -q 'bad.jsonl:2' '$tmp/err'"
printf '"a" "b"\n' > "$tmp/bad.jsonl"
"$P" tokenize --tokenizer "$QWEN" --input "$tmp/bad.jsonl" > /dev/null 2> "$tmp/err"; rc=$?
check "two values on a line: exit 2" "[ $rc -eq 2 ] && grep -q 'bad.jsonl:1' '$tmp/err'"
printf '"nul \\u0000 inside"\n' > "$tmp/bad.jsonl"
"$P" tokenize --tokenizer "$QWEN" --input "$tmp/bad.jsonl" > /dev/null 2> "$tmp/err"; rc=$?
check "U+0000 in a line: exit 2" "[ $rc -eq 2 ] && grep -q 'bad.jsonl:1' '$tmp/err'"
printf '"" \n"x"\n' > "$tmp/ok.jsonl"
"$P" tokenize --tokenizer "$QWEN" --input "$tmp/ok.jsonl" > "$tmp/got" 2> /dev/null
check "an empty string is an empty array" "[ \"\$(cat $tmp/got)\" = \"\$(printf '[]\n[87]')\" ]"
"$P" tokenize --pair x > /dev/null 2>&1; rc=$?
check "--pair without --text: exit 2" "[ $rc -eq 2 ]"
"$P" tokenize --text a --pair b > /dev/null 2> "$tmp/err"; rc=$?
check "--pair with SentencePiece: exit 2" "[ $rc -eq 2 ] && grep -q 'pair' '$tmp/err'"
"$P" tokenize --text a --decode 1 > /dev/null 2>&1; rc=$?
check "--text with --decode: exit 2" "[ $rc -eq 2 ]"
"$P" tokenize --tokenizer "$tmp/none.json" --text a > /dev/null 2> "$tmp/err"; rc=$?
check "a missing --tokenizer file: exit 2 naming it" "[ $rc -eq 2 ] && grep -q none.json '$tmp/err'"

# A GGUF model's tokenizer is in the file: the same ids as the tokenizer.model
# it was converted from; --tokenizer still overrides it.
GG=$SHARED/fixtures/gguf
"$P" tokenize --model "$GG/tiny-llama-q8_0.gguf" --special --pieces --text "Hello World, café" > "$tmp/gguf" 2>&1
"$P" tokenize --tokenizer "$GG/tiny-spm320.model" --special --pieces --text "Hello World, café" > "$tmp/spm" 2>&1
check "--model FILE.gguf: the file's tokenizer" "cmp -s '$tmp/gguf' '$tmp/spm' && grep -q '<0x48>' '$tmp/gguf'"
"$P" tokenize --model "$GG/tiny-llama-q8_0.gguf" --tokenizer "$QWEN" --text "Hello world" > "$tmp/got" 2>&1
check "--model FILE.gguf --tokenizer: overrides" "grep -q 'ids: 9707,1879' '$tmp/got'"

echo "cli_tokenize: $pass passed, $fail failed"
[ $fail -eq 0 ]
