# shared.sh: sourced by the test scripts that use ../shared (the reference
# fixtures beside the source tree). Sets SHARED (PAINTERS_SHARED_DIR
# overrides) and the rule for when it is absent, the one of testhelp.c for
# the C tests: skipped (exit 77), except in a CI run (CI set to anything but
# "", "0" or "false", as CI services set CI=true), where a test that needs it
# fails, so that a CI run cannot be green without the engine checks.
SHARED=${PAINTERS_SHARED_DIR:-$PAINTERS_SOURCE_DIR/../shared}

# Whether this is a CI run.
shared_in_ci() { [ -n "${CI:-}" ] && [ "$CI" != 0 ] && [ "$CI" != false ]; }

# shared_missing WHAT: the whole test needs WHAT under ../shared and it is
# absent: prints why and exits 77, or 1 under CI.
shared_missing() {
    if shared_in_ci; then
        echo "FAIL: $1 not found: under CI=$CI a test may not skip for want of ../shared (set PAINTERS_SHARED_DIR)"
        exit 1
    fi
    echo "skipped: $1 not found (../shared is absent; set PAINTERS_SHARED_DIR)"
    exit 77
}

# shared_part_missing WHAT: part of a test needs WHAT and it is absent:
# prints that the part is skipped and returns 0, or under CI prints FAIL and
# returns 1 (the caller counts a failure: shared_part_missing X || fail=...).
shared_part_missing() {
    if shared_in_ci; then
        echo "FAIL: $1 not found: under CI=$CI a test may not skip for want of ../shared (set PAINTERS_SHARED_DIR)"
        return 1
    fi
    echo "skipped: $1 not found (../shared is absent; set PAINTERS_SHARED_DIR)"
    return 0
}
