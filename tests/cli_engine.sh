#!/usr/bin/env bash
# The engine through the command line: stories260K greedy continuation by
# recomputing the sequence with `painters forward` each step (the reference
# implementation's tokens), the logits file, and --help on every command.
set -u
P=${PAINTERS:?}
source "$PAINTERS_SOURCE_DIR/tests/shared.sh"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

for cmd in forward inspect tokenize generate; do
    check "$cmd --help" "$P $cmd --help > $tmp/help.txt && grep -q 'usage: painters $cmd' $tmp/help.txt"
done
check "no command: exit 2" "$P > /dev/null 2>&1; [ \$? -eq 2 ]"

# The demo model, embedded in the project: forward writes logits [T, V].
check "forward --out" "$P forward --tokens 1,351,526 --out $tmp/l.safetensors > $tmp/f.txt"
check "forward argmax printed" "grep -q '^argmax: ' $tmp/f.txt"
check "logits file size" "[ \$(stat -c %s $tmp/l.safetensors) -gt $((3*4096*4)) ]"
check "logits header [3, 4096] F32" "python3 -c 'import json,struct,sys; f=open(sys.argv[1],\"rb\"); n=struct.unpack(\"<Q\",f.read(8))[0]; h=json.loads(f.read(n)); t=h[\"logits\"]; sys.exit(not(t[\"shape\"]==[3,4096] and t[\"dtype\"]==\"F32\"))' $tmp/l.safetensors"

if [ ! -f "$SHARED/models/stories260K/stories260K.bin" ]; then
    shared_part_missing "$SHARED/models/stories260K/stories260K.bin" || fail=$((fail+1))
else
    want="461,461,401,401,401,461,378,455,473,456,435,299,362,409,283,264,283,452,288,13"
    seq="1"; got=""
    for i in $(seq 1 20); do
        next=$($P forward --model "$SHARED/models/stories260K/stories260K.bin" --tokens "$seq" |
               awk '/^argmax:/ {n = split($2, a, ","); print a[n]}')
        seq="$seq,$next"; got="${got:+$got,}$next"
    done
    echo "stories260K greedy: $got"
    check "stories260K greedy 20 tokens" "[ '$got' = '$want' ]"
fi
if [ -d "$SHARED/fixtures/tiny-llama" ]; then
    # generate --tokens streams ids and ends with the new ids: the fixture's greedy tokens.
    want=$(python3 -c "import json; r=json.load(open('$SHARED/fixtures/tiny-llama/reference.json'))['plans']['looped_parallel_N2']; print(','.join(map(str, r['greedy'][0])))")
    prompt=$(python3 -c "import json; r=json.load(open('$SHARED/fixtures/tiny-llama/reference.json'))['plans']['looped_parallel_N2']; print(','.join(map(str, r['greedy_prompts'][0])))")
    got=$($P generate --model "$SHARED/fixtures/tiny-llama" --plan '{"variant": "looped_parallel", "N": 2}' \
          --tokens "$prompt" --max-new 16 --no-stop 2>/dev/null | awk '/^tokens:/ {print $2}')
    check "generate --tokens: greedy tokens of the fixture" "[ '$got' = '$want' ]"
    want=$(python3 -c "import json; c=json.load(open('$SHARED/fixtures/tokenizer_cases.json'))['painters-demo-16L'][1]; print(','.join(map(str, c['ids'])))")
    text=$(python3 -c "import json; print(json.load(open('$SHARED/fixtures/tokenizer_cases.json'))['painters-demo-16L'][1]['text'])")
    got=$($P tokenize --text "$text" | awk '/^ids:/ {print $2}')
    check "tokenize: ids of the fixture" "[ '$got' = '$want' ]"
else
    shared_part_missing "$SHARED/fixtures/tiny-llama" || fail=$((fail+1))
fi
# The embedded demo model answers its arithmetic, text in and text out.
out=$($P generate --prompt "123 + 456 =" --max-new 6 2>/dev/null)
check "generate --prompt streams text" "echo '$out' | head -1 | grep -q '^123 + 456 = 579'"
check "generate ends with the tokens line" "echo '$out' | tail -1 | grep -q '^tokens: [0-9]'"
# --prompts: many prompts decoded together, one JSON line each in input order,
# the same tokens as each prompt alone (text and token prompts alike).
tmpd=$(mktemp -d); trap 'rm -rf "$tmpd"' EXIT
printf '%s\n' '"123 + 456 ="' '{"prompt": "7 + 8 ="}' '"500 + 25 ="' '{"tokens": [1, 300, 301]}' \
    '"31 + 402 ="' > "$tmpd/prompts.jsonl"
$P generate --prompts "$tmpd/prompts.jsonl" --max-new 5 --batch 3 > "$tmpd/batched" 2>/dev/null
check "generate --prompts: a line per prompt, in order" \
    "[ \"\$(python3 -c \"import json,sys; print(','.join(str(json.loads(l)['index']) for l in open('$tmpd/batched')))\")\" = 0,1,2,3,4 ]"
check "generate --prompts: 123 + 456 = 579" "head -1 '$tmpd/batched' | grep -q '\"text\":\"579'"
alone_ok=1
i=0
while IFS= read -r line; do
    if echo "$line" | grep -q tokens; then
        ids=$(python3 -c "import json,sys; print(','.join(map(str, json.loads(sys.argv[1])['tokens'])))" "$line")
        alone=$($P generate --tokens "$ids" --max-new 5 2>/dev/null | awk '/^tokens:/ {print $2}')
    else
        text=$(python3 -c "import json,sys; v=json.loads(sys.argv[1]); print(v if isinstance(v, str) else v['prompt'])" "$line")
        alone=$($P generate --prompt "$text" --max-new 5 2>/dev/null | awk '/^tokens:/ {print $2}')
    fi
    batched=$(python3 -c "import json,sys; print(','.join(map(str, json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2])])['tokens'])))" "$tmpd/batched" "$i")
    [ "$alone" = "$batched" ] || { alone_ok=0; echo "prompt $i: alone $alone, batched $batched"; }
    i=$((i+1))
done < "$tmpd/prompts.jsonl"
check "generate --prompts: each prompt's tokens as alone" "[ $alone_ok = 1 ]"

echo "cli_engine: $pass passed, $fail failed"
[ $fail -eq 0 ]
