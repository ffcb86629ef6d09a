#!/usr/bin/env bash
# A BERT encoder through the command line: `painters forward` on tiny-bert
# writes last_hidden_state (equal to the transformers reference; stored as
# F16 within its rounding), and on a
# copy with a pooler, an MLM head and a classifier (older names: "bert."
# prefix, LayerNorm gamma/beta) the four tensors, whose heads plain Python
# recomputes; the same under mpirun with stations; inspect names the parts;
# decoder-only commands refuse an encoder.
set -u
P=${PAINTERS:?}
MPIRUN=${MPIRUN:-mpirun}
source "$PAINTERS_SOURCE_DIR/tests/shared.sh"
PY="python3 $PAINTERS_SOURCE_DIR/tests/bert_heads.py"
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
BERT=$SHARED/fixtures/tiny-bert
[ -d "$BERT" ] || shared_missing "$BERT"

# tiny-bert has no heads: last_hidden_state alone, as the reference's baseline.
check "forward tiny-bert" "$P forward --model $BERT --tokens 101,7,8,9,102 --out $tmp/plain.safetensors > $tmp/f.txt"
check "only last_hidden_state [5, 64]" "$PY shapes $tmp/plain.safetensors last_hidden_state=5x64"
python3 -c "
import sys; sys.path.insert(0, '$PAINTERS_SOURCE_DIR/tests'); import bert_heads as b
h, d = b.read('$BERT/reference.safetensors')
b.write('$tmp/ref.safetensors', {'last_hidden_state': b.tensor(h, d, 'baseline/seq0/last_hidden_state')})"
check "last_hidden_state as transformers" "$PY compare $tmp/plain.safetensors $tmp/ref.safetensors last_hidden_state 1e-4"
check "type ids accepted" "$P forward --model $BERT --tokens 101,7,8,9,102 --type-ids 0,0,0,1,1 > /dev/null"
check "a type id past type_vocab_size: exit 2" \
    "$P forward --model $BERT --tokens 101,7 --type-ids 0,2 2> $tmp/err > /dev/null; [ \$? -eq 2 ] && grep -q 'type_vocab_size' $tmp/err"

# Matrices stored as F16: within 16 unit roundoffs (2^-11) of the reference.
mkdir -p "$tmp/f16"
check "F16 copy made" "$PY f16 $BERT $tmp/f16"
check "forward F16" "$P forward --model $tmp/f16 --tokens 101,7,8,9,102 --out $tmp/f16.safetensors > /dev/null"
check "F16 last_hidden_state" "$PY compare $tmp/f16.safetensors $tmp/ref.safetensors last_hidden_state 0.0078125"

# The heads: pooled, MLM logits (tied decoder) and a 3-label classifier.
mkdir -p "$tmp/heads"
check "heads checkpoint made" "$PY make $BERT $tmp/heads"
check "forward with heads" "$P forward --model $tmp/heads --tokens 101,7,8,9,102 --out $tmp/h.safetensors > $tmp/fh.txt"
check "four tensors" "$PY shapes $tmp/h.safetensors last_hidden_state=5x64 logits=5x300 pooled=64 classifier_logits=3"
check "argmax and classifier printed" "grep -q '^argmax: ' $tmp/fh.txt && grep -q '^classifier_logits: ' $tmp/fh.txt"
check "renamed tensors, same encoder" "$PY compare $tmp/h.safetensors $tmp/plain.safetensors last_hidden_state 0"
check "heads as plain Python" "$PY check $tmp/heads $tmp/h.safetensors"
check "inspect names the heads" "$P inspect --model $tmp/heads > $tmp/i.txt && grep -q 'pooler yes, MLM head yes (tied), classifier yes (3 labels)' $tmp/i.txt && grep -q '^  mlm_head' $tmp/i.txt"

# Over stations: a parallel plan spread round-robin on 3 ranks.
plan='{"variant": "parallel", "N": 1}'
check "forward parallel, one rank" "$P forward --model $tmp/heads --tokens 101,7,8,9,102 --plan '$plan' --out $tmp/p1.safetensors > /dev/null"
check "forward parallel, mpirun -n 3" "$MPIRUN -n 3 --oversubscribe $P forward --model $tmp/heads --tokens 101,7,8,9,102 --plan '$plan' --placement round-robin --out $tmp/p3.safetensors > /dev/null"
for t in last_hidden_state logits pooled classifier_logits; do
    check "stations: $t" "$PY compare $tmp/p3.safetensors $tmp/p1.safetensors $t 1e-5"
done

# A tensor missing from a BERT checkpoint: exit 2 naming it.
mkdir -p "$tmp/broken"
python3 -c "
import sys; sys.path.insert(0, '$PAINTERS_SOURCE_DIR/tests'); import bert_heads as b, shutil
h, d = b.read('$BERT/model.safetensors')
b.write('$tmp/broken/model.safetensors', {n: b.tensor(h, d, n) for n in h if n != 'encoder.layer.2.output.dense.bias'})
shutil.copy('$BERT/config.json', '$tmp/broken/config.json')"
check "missing tensor named" \
    "$P inspect --model $tmp/broken 2> $tmp/err > /dev/null; [ \$? -eq 2 ] && grep -q 'tensor encoder.layer.2.output.dense.bias: missing' $tmp/err"

# Decoder-only commands.
check "generate refuses an encoder" \
    "$P generate --model $BERT --tokens 101,7 --max-new 2 2> $tmp/err > /dev/null; [ \$? -eq 2 ] && grep -q 'is an encoder (BERT)' $tmp/err"

echo "cli_bert: $pass passed, $fail failed"
[ $fail -eq 0 ]
