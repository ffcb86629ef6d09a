#!/usr/bin/env bash
# format.sh: every C source and header of the tree matches the checked-in
# .clang-format (clang-format --dry-run --Werror), and a misformatted file is
# caught. Skipped (77) where clang-format is absent (cluster/install-deps.sh
# installs it). Fix a failure with: clang-format -i FILE.
set -uo pipefail
src=${PAINTERS_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
fmt=""
for c in clang-format-14 clang-format; do
    if command -v "$c" > /dev/null; then fmt=$c; break; fi
done
if [ -z "$fmt" ]; then
    echo "format.sh: SKIP: clang-format not found (apt-get install clang-format)"
    exit 77
fi
passed=0 failed=0
cd "$src"
mapfile -t files < <(find node coordinator tests -name '*.[ch]' | sort)
for f in "${files[@]}"; do
    if "$fmt" --dry-run --Werror "$f" > /dev/null 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $f does not match .clang-format ($fmt -i $f):"
        "$fmt" --dry-run "$f" 2>&1 | head -6 | sed 's/^/     /'
    fi
done
echo "checked ${#files[@]} files with $($fmt --version | head -1)"

# The check can fail: a file with misplaced braces and spacing is caught.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cp .clang-format "$t/"
printf 'int  f( int x ){return x;}\n' > "$t/bad.c"
if (cd "$t" && "$fmt" --dry-run --Werror bad.c > /dev/null 2>&1); then
    failed=$((failed + 1)); echo "FAIL a misformatted file passed the check"
else
    passed=$((passed + 1))
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
