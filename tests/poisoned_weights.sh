#!/usr/bin/env bash
# A NaN or an infinity in the weights fails the fixture test: copies of
# ../shared/fixtures/tiny-llama-fp16 with one F16 value of
# model.layers.3.self_attn.o_proj.weight set to NaN (0x7e00), then to +inf
# (0x7c00), each run as `test_fixtures tiny-llama COPY f16`, must end non-zero
# (and not 77, skipped), whereas the fixture itself passes (fixture_tiny-llama-fp16).
# usage: poisoned_weights.sh TEST_FIXTURES
set -u
TF=${1:?usage: poisoned_weights.sh TEST_FIXTURES}
source "$PAINTERS_SOURCE_DIR/tests/shared.sh"
FX=$SHARED/fixtures/tiny-llama-fp16
[ -f "$FX/model.safetensors" ] || shared_missing "$FX"
TENSOR=model.layers.3.self_attn.o_proj.weight
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# poison FILE TENSOR BITS: the first value of F16 tensor TENSOR in the
# safetensors FILE becomes BITS (hex), at the byte offset its header gives.
poison() {
    python3 - "$@" <<'PY'
import json, struct, sys
path, name, bits = sys.argv[1], sys.argv[2], int(sys.argv[3], 16)
with open(path, "r+b") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    t = json.loads(f.read(n))[name]
    assert t["dtype"] == "F16", t
    at = 8 + n + t["data_offsets"][0]
    f.seek(at)
    f.write(struct.pack("<H", bits))
print("%s: byte %d of %s set to 0x%04x" % (name, at, path, bits))
PY
}

for poisoned in "NaN 7e00" "inf 7c00"; do
    read -r what bits <<< "$poisoned"
    dir=$tmp/$what
    cp -r "$FX" "$dir" && chmod -R u+w "$dir"
    poison "$dir/model.safetensors" "$TENSOR" "$bits"
    # cmp -l: one line per differing byte; the copy is the fixture but for one value.
    check "$what: the copy differs from the fixture in one F16 value" \
        "n=\$(cmp -l '$FX/model.safetensors' '$dir/model.safetensors' | wc -l); [ \$n -ge 1 ] && [ \$n -le 2 ]"
    "$TF" tiny-llama "$dir" f16 > "$tmp/$what.log" 2>&1
    rc=$?
    echo "$what in $TENSOR: test_fixtures ended with status $rc: $(tail -1 "$tmp/$what.log")"
    check "$what in $TENSOR: test_fixtures fails (not 0, not 77)" "[ $rc -ne 0 ] && [ $rc -ne 77 ]"
    grep -m3 '^FAIL' "$tmp/$what.log"
done
echo "poisoned_weights: $pass passed, $fail failed"
[ $fail -eq 0 ]
