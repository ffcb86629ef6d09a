#!/usr/bin/env bash
# The engine through the command line: stories260K greedy continuation by
# recomputing the sequence with `painters forward` each step (the reference
# implementation's tokens), the logits file, and --help on every command.
set -u
P=${PAINTERS:?}
SHARED=${PAINTERS_SHARED_DIR:-$PAINTERS_SOURCE_DIR/../shared}
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
    echo "skipped stories260K: $SHARED/models/stories260K not found"
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
echo "cli_engine: $pass passed, $fail failed"
[ $fail -eq 0 ]
