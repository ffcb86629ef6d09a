#!/usr/bin/env bash
# tokenizer_speed.sh [MB] [REPS]: encode speed of painters' tokenizer.json
# reader against the reference (@huggingface/tokenizers on Node, from the npm
# registry), one thread each, on MB megabytes (default 3) of ../shared's
# corpus, as JSON string lines; REPS runs each (default 5), interleaved.
# Prints per tokenizer: load ms and encode MB/s, median and range, for both,
# and whether their ids agree line for line; writes tokenizer_speed.csv.
#   PAINTERS=build/painters SHARED=../shared OUT=DIR cluster/bench/tokenizer_speed.sh 3 5
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
P=${PAINTERS:-$src/build/painters}
SHARED=${SHARED:-$src/../shared}
MB=${1:-3} REPS=${2:-5}
OUT=${OUT:-$(mktemp -d)}
work=$OUT/work
mkdir -p "$work"
if ! command -v node > /dev/null; then echo "tokenizer_speed.sh: node not found" >&2; exit 1; fi
if [ ! -d "$work/js/node_modules/@huggingface/tokenizers" ]; then
    npm install --silent --prefix "$work/js" @huggingface/tokenizers@0.2.0 > /dev/null
fi
cp "$src/cluster/bench/tokenizer_speed.mjs" "$work/js/"
{ xz -dc "$SHARED/corpus/corpus.txt.xz" 2> /dev/null || true; } | head -c $((MB * 1000000)) |
    python3 -c 'import json, sys
for line in sys.stdin:
    line = line.rstrip("\n")
    if line: print(json.dumps(line))' > "$work/lines.jsonl"
bytes=$(python3 -c "import json,sys; print(sum(len(json.loads(l).encode()) for l in open(sys.argv[1])))" "$work/lines.jsonl")
csv=$OUT/tokenizer_speed.csv
echo "tokenizer,system,rep,load_ms,encode_s,mb_per_s" > "$csv"
for tok in llama-3.2 qwen2.5; do
    dir=$SHARED/tokenizers/$tok
    for rep in $(seq 1 "$REPS"); do
        line=$(node "$work/js/tokenizer_speed.mjs" "$dir" "$work/lines.jsonl" "$work/ref_$tok.jsonl")
        load=$(sed 's/.*load_ms=\([0-9.]*\).*/\1/' <<< "$line")
        enc=$(sed 's/.*encode_s=\([0-9.]*\).*/\1/' <<< "$line")
        echo "$tok,reference,$rep,$load,$enc,$(awk -v b="$bytes" -v s="$enc" 'BEGIN{printf "%.3f", b/1e6/s}')" >> "$csv"
        # painters: the load is timed by a tokenize of an empty text, the
        # encode by --input's own figures on stderr.
        t0=$(date +%s.%N)
        OPENBLAS_NUM_THREADS=1 "$P" tokenize --tokenizer "$dir/tokenizer.json" --text "" > /dev/null
        t1=$(date +%s.%N)
        OPENBLAS_NUM_THREADS=1 "$P" tokenize --tokenizer "$dir/tokenizer.json" --input "$work/lines.jsonl" \
            > "$work/ours_$tok.jsonl" 2> "$work/ours_$tok.err"
        enc=$(sed -n 's/.* in \([0-9.]*\) s of encoding.*/\1/p' "$work/ours_$tok.err" | tail -1)
        load=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)*1000}')
        echo "$tok,painters,$rep,$load,$enc,$(awk -v b="$bytes" -v s="$enc" 'BEGIN{printf "%.3f", b/1e6/s}')" >> "$csv"
    done
    same=$(cmp -s <(python3 -c 'import json,sys; [print(json.loads(l)) for l in open(sys.argv[1])]' "$work/ref_$tok.jsonl") \
                  <(python3 -c 'import json,sys; [print(json.loads(l)) for l in open(sys.argv[1])]' "$work/ours_$tok.jsonl") && echo yes || echo NO)
    echo "# $tok: $(wc -l < "$work/lines.jsonl") lines, $bytes bytes; ids identical to the reference: $same"
done
python3 - "$csv" << 'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("# %-10s %-10s %10s %18s %10s %18s" % ("tokenizer", "system", "load_ms", "(min-max)", "MB/s", "(min-max)"))
for tok in dict.fromkeys(r["tokenizer"] for r in rows):
    for system in ("reference", "painters"):
        rs = [r for r in rows if r["tokenizer"] == tok and r["system"] == system]
        load = [float(r["load_ms"]) for r in rs]
        mbs = [float(r["mb_per_s"]) for r in rs]
        print("  %-10s %-10s %10.1f %8.1f-%-9.1f %10.2f %8.2f-%-9.2f" % (tok, system, statistics.median(load),
              min(load), max(load), statistics.median(mbs), min(mbs), max(mbs)))
PY
echo "# CSV: $csv"
