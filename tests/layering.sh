#!/usr/bin/env bash
# layering.sh: the layout rules of tests/layering.py hold for the tree, and
# the checker itself catches each kind of violation in a small made-up tree.
set -uo pipefail
src=${PAINTERS_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
checker=$src/tests/layering.py
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

if python3 "$checker" "$src" > /tmp/layering.$$ 2>&1; then
    ok "the tree keeps the layout rules"
else
    bad "the tree breaks the layout rules:"
    grep FAIL /tmp/layering.$$ | sed 's/^/     /'
fi
rm -f /tmp/layering.$$

# A made-up tree with one violation of each kind.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/node/base" "$t/node/wire" "$t/coordinator/run"
printf '/* a.h */\n#include "wire/b.h"\n' > "$t/node/base/a.h"
printf '/* b.h */\n#include "base/a.h"\n' > "$t/node/wire/b.h"
printf '/* c.h */\n' > "$t/coordinator/run/c.h"
printf '/* d.c */\n#include "run/c.h"\n' > "$t/node/wire/d.c"
printf '/* flat.c */\n' > "$t/node/flat.c"
seq 1 601 | sed 's/.*/\/\/ line/' > "$t/coordinator/run/long.c"
out=$(python3 "$checker" "$t" 2>&1)
status=$?
[ $status -eq 1 ] && ok "a broken tree fails (status $status)" || bad "a broken tree gave status $status"
expect() {
    if grep -q -- "$1" <<< "$out"; then ok "caught: $2"; else bad "not caught: $2"; fi
}
expect "include circle between modules: node/base/a <-> node/wire/b" "an include circle"
expect "node/wire/d.c:2: node/ includes coordinator/run/c.h" "node/ including a coordinator/ header"
expect "node/flat.c: sits directly in node/" "a source outside a subfolder"
expect "coordinator/run/long.c: 601 lines" "a file over 600 lines"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
