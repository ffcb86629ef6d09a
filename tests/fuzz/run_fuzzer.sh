#!/usr/bin/env bash
# run_fuzzer.sh TARGET SECONDS: builds tests/fuzz/fuzz_TARGET.c with libFuzzer,
# AddressSanitizer and UBSan (clang-14) against the project sources it needs,
# fuzzes it for SECONDS starting from a copy of tests/fuzz/corpus/TARGET, and
# prints the run count and rate. Exit 0 when nothing was found, 1 on a crash,
# a sanitizer report, a leak, a slow input or a build failure, 77 (skipped)
# when clang or libFuzzer is missing.
#
# The build goes to $PAINTERS_BUILD_DIR/fuzz/TARGET (default: build/ in the
# source tree), which must hold the generated protobuf sources (proto/) of a
# normal build; objects are rebuilt only when a source or header is newer.
# Extra arguments after SECONDS go to libFuzzer as they are.
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 TARGET SECONDS [LIBFUZZER_OPTIONS...]" >&2
    exit 2
fi
target=$1 seconds=$2
shift 2
case $seconds in
    ''|*[!0-9]*) echo "run_fuzzer.sh: SECONDS must be a whole number, not '$seconds'" >&2; exit 2 ;;
esac
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${PAINTERS_BUILD_DIR:-$src/build}
fuzzdir=$src/tests/fuzz

base="node/base/util.c node/base/atomic_file.c node/base/json_check.c"
case $target in
    safetensors|llama2c)
        sources="$base node/formats/dtype.c node/formats/dtype_avx2.c node/formats/dtype_convert.c
                 node/formats/quant.c node/formats/tensor_set.c node/formats/safetensors.c
                 node/formats/llama2c.c" ;;
    gguf) sources="$base node/formats/dtype.c node/formats/dtype_avx2.c node/formats/dtype_convert.c
                  node/formats/quant.c node/formats/tensor_set.c node/formats/gguf.c node/formats/gguf_meta.c
                  node/formats/gguf_config.c" ;;
    hf_config) sources="$base node/formats/hf_config.c" ;;
    plan) sources="$base node/program/plan.c node/program/pyrandom.c" ;;
    placement) sources="$base node/program/placement.c" ;;
    tokenizer) sources="$base coordinator/text/utf8.c coordinator/text/text_buf.c
                        coordinator/text/spm_pieces.c coordinator/text/spm_model.c
                        coordinator/text/spm_encode.c coordinator/text/spm_decode.c
                        @proto/sentencepiece_model/sentencepiece_model.pb-c.c" ;;
    hf_tokenizer) sources="$base coordinator/text/utf8.c coordinator/text/text_buf.c
                           coordinator/text/vocab.c coordinator/text/id_buf.c
                           coordinator/text/hf_json.c coordinator/text/hf_load.c
                           coordinator/text/hf_load_model.c coordinator/text/hf_load_parts.c
                           coordinator/text/hf_added.c coordinator/text/hf_bpe.c
                           coordinator/text/hf_pipeline.c coordinator/text/hf_encode.c
                           coordinator/text/hf_decode.c coordinator/text/wordpiece_chars.c
                           coordinator/text/wordpiece_decode.c coordinator/text/wordpiece_model.c
                           coordinator/text/wordpiece_normalize.c
                           coordinator/text/wordpiece_pretok.c coordinator/text/wordpiece_vocab.c" ;;
    canvas_header) sources="$base node/wire/wire.c node/wire/liveness.c node/wire/canvas.c node/wire/crc32.c
                           @proto/painters_wire/painters_wire.pb-c.c" ;;
    task_jsonl) sources="$base coordinator/eval/task_items.c coordinator/eval/task_records.c
                        coordinator/eval/task_load.c coordinator/eval/task_text.c
                        coordinator/text/utf8.c coordinator/eval/glue_read.c coordinator/eval/glue_rows.c coordinator/eval/glue_task.c
                        coordinator/cli/json_line.c" ;;
    glue) sources="$base coordinator/text/utf8.c coordinator/eval/glue_read.c coordinator/eval/glue_rows.c coordinator/eval/glue_task.c
                        coordinator/cli/json_line.c" ;;
    prompts_file) sources="$base coordinator/cli/prompts_file.c coordinator/cli/json_line.c
                          coordinator/text/utf8.c" ;;
    *)
        echo "run_fuzzer.sh: unknown target '$target' (safetensors, gguf, hf_config, llama2c, plan," \
             "placement, tokenizer, hf_tokenizer, canvas_header, task_jsonl, prompts_file, glue)" >&2
        exit 2 ;;
esac

cc=""
for c in clang-14 clang; do
    if command -v "$c" > /dev/null; then cc=$c; break; fi
done
if [ -z "$cc" ]; then
    echo "run_fuzzer.sh: SKIP: clang not found (apt-get install clang-14 libclang-rt-14-dev)"
    exit 77
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
cat > "$probe/probe.c" << 'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    (void)data;
    (void)size;
    return 0;
}
EOF
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/probe.c" -o "$probe/probe" 2> "$probe/err"; then
    echo "run_fuzzer.sh: SKIP: $cc cannot link with -fsanitize=fuzzer (libFuzzer missing:" \
         "apt-get install libclang-rt-14-dev)"
    sed 's/^/    /' "$probe/err" | head -5
    exit 77
fi

if [ ! -d "$build/proto" ] || [ -z "$(ls "$build"/proto/*/*.pb-c.c 2> /dev/null)" ]; then
    echo "run_fuzzer.sh: $build/proto holds no generated protobuf sources: build the project first" \
         "(cmake -S . -B build && cmake --build build)" >&2
    exit 1
fi

out=$build/fuzz/$target
mkdir -p "$out/obj"
# One build of a target at a time (ctest -j and a manual run may overlap).
exec 9> "$out/lock"
flock 9

# Flags from mpicc and pkg-config are split on blanks, as a shell would.
read -r -a mpi_compile <<< "$(mpicc --showme:compile)"
read -r -a mpi_link <<< "$(mpicc --showme:link)"
read -r -a pc_cflags <<< "$(pkg-config --cflags libprotobuf-c libcjson openblas libpcre2-8 libutf8proc)"
read -r -a pc_libs <<< "$(pkg-config --libs libprotobuf-c libcjson openblas libpcre2-8 libutf8proc)"
san=("-fsanitize=address,undefined" -fno-sanitize-recover=undefined)
cflags=(-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Wall -Wextra
        "-I$src/node" "-I$src/coordinator" "-I$build/proto/painters_wire"
        "-I$build/proto/sentencepiece_model" "-I$fuzzdir"
        "${mpi_compile[@]}" "${pc_cflags[@]}")

# The newest header any source may include, and this script: a change to
# either rebuilds every object. (sed reads the whole listing: head would
# stop early and, past a pipe buffer of names, kill ls with SIGPIPE.)
newest_dep=$(ls -t $(find "$src/node" "$src/coordinator" "$build/proto" -name '*.h') "$fuzzdir"/*.h \
    "$0" | sed -n 1p)

# Project sources and the harness get coverage instrumentation; the
# allocation tracker, which runs inside malloc, does not.
objects=()
for s in $sources harness tracker; do
    coverage=(-fsanitize=fuzzer-no-link)
    case $s in
        @*) file=$build/${s#@} ;;
        harness) file=$fuzzdir/fuzz_$target.c ;;
        tracker) file=$fuzzdir/fuzz_alloc.c coverage=() ;;
        *) file=$src/$s ;;
    esac
    obj=$out/obj/$(basename "${file%.c}").o
    if [ ! -f "$obj" ] || [ "$file" -nt "$obj" ] || [ "$newest_dep" -nt "$obj" ]; then
        "$cc" "${cflags[@]}" "${san[@]}" "${coverage[@]}" -c "$file" -o "$obj"
    fi
    objects+=("$obj")
done
exe=$out/fuzz_$target
relink=0
[ -f "$exe" ] || relink=1
for o in "${objects[@]}"; do
    if [ "$o" -nt "$exe" ]; then relink=1; fi
done
if [ $relink = 1 ]; then
    "$cc" "${san[@]}" -fsanitize=fuzzer "${objects[@]}" "${mpi_link[@]}" "${pc_libs[@]}" -lm -pthread \
        -o "$exe"
fi
flock -u 9

work=$(mktemp -d)
trap 'rm -rf "$probe" "$work"' EXIT
mkdir "$work/corpus" "$work/artifacts"
if [ -d "$fuzzdir/corpus/$target" ]; then cp -R "$fuzzdir/corpus/$target/." "$work/corpus/"; fi

# Leak checking stays on: the harnesses free what a parser that died through
# the error jump left behind (fuzz_alloc.h), so a leak is a real one.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=0:symbolize=1
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1
export OPENBLAS_NUM_THREADS=1
status=0
"$exe" -max_total_time="$seconds" -timeout=1 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" > "$work/log" 2>&1 || status=$?

done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$work/log" | tail -1 || true)
if [ $status -ne 0 ] || [ -z "$done_line" ]; then
    echo "fuzz_$target: FAILED (libFuzzer exit status $status)"
    # From the first report (sanitizer, timeout, out-of-memory, leak) on.
    awk '/ERROR|runtime error|ALARM|DEADLYSIGNAL/ { on = 1 } on' "$work/log" | head -120
    grep -q -E 'ERROR|runtime error|ALARM|DEADLYSIGNAL' "$work/log" || tail -40 "$work/log"
    for a in "$work"/artifacts/*; do
        [ -f "$a" ] || continue
        keep=$out/$(basename "$a")
        cp "$a" "$keep"
        echo "fuzz_$target: input kept in $keep ($(stat -c %s "$keep") bytes); as hex:"
        head -c 512 "$keep" | od -A d -t x1 | head -20
    done
    exit 1
fi
runs=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/')
secs=$(echo "$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/')
rate=$(grep -E 'stat::average_exec_per_sec' "$work/log" | awk '{print $2}' | tail -1)
[ -n "$rate" ] || rate=$(( runs / (secs > 0 ? secs : 1) ))
slowest=$(grep -E 'stat::slowest_unit_time_sec' "$work/log" | awk '{print $2}' | tail -1)
rss=$(grep -E 'stat::peak_rss_mb' "$work/log" | awk '{print $2}' | tail -1)
corpus_now=$(find "$work/corpus" -type f | wc -l)
echo "fuzz_$target: $runs executions in $secs s ($rate exec/s), corpus $corpus_now inputs," \
     "slowest input ${slowest:-?} s, peak RSS ${rss:-?} MB, no crash"
