#!/usr/bin/env bash
# Encoder tasks end to end on the embedded demo BERT: `painters eval` with
# glue-NAME (the frozen protocol: pooled features, liblinear probe) and mlm;
# the same metrics at 1 and 3 ranks and from run to run (the probe is
# deterministic); every GLUE task's sample files (tests/data/glue) in both
# layouts through the model; a small study on the encoder (table, plots,
# report; the baseline normalizes to 1); decoder-only tasks refuse an encoder
# and encoder tasks a decoder, with exit status 2.
set -u
P=${PAINTERS:?}
S=$PAINTERS_SOURCE_DIR
BERT=$S/models/painters-demo-bert
TASKS=$S/tasks/painters-demo-bert
G=$S/tests/data/glue
export OMPI_MCA_rmaps_base_oversubscribe=1
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# metrics FILE.json: "name=value ..." of every task in the JSON, in order.
metrics() {
    python3 -c "
import json, sys
r = json.load(open(sys.argv[1])); r = r if isinstance(r, list) else [r]
print(' '.join('%s:%s=%.9g' % (x['kind'], k, v) for x in r for k, v in x['metrics'].items()))" "$1"
}

EVAL=(eval --model "$BERT" --task "glue-mrpc:$TASKS/pairs" --task "mlm:$TASKS/heldout.txt" --limit 120)
check "eval glue-mrpc + mlm, 1 rank" "$P ${EVAL[*]} --json $tmp/one.json > $tmp/one.txt"
check "eval again, 1 rank" "$P ${EVAL[*]} --json $tmp/again.json > /dev/null"
check "eval under mpirun -n 3" "mpirun -n 3 $P ${EVAL[*]} --json $tmp/three.json > $tmp/three.txt 2>&1"
check "eval, reverse plan, 1 and 3 ranks" \
    "$P ${EVAL[*]} --plan '{\"variant\": \"reverse\", \"N\": 1}' --json $tmp/rev1.json > /dev/null &&
     mpirun -n 3 $P ${EVAL[*]} --plan '{\"variant\": \"reverse\", \"N\": 1}' --json $tmp/rev3.json > /dev/null 2>&1"
m1=$(metrics "$tmp/one.json")
echo "baseline: $m1"
echo "reverse N=1: $(metrics "$tmp/rev1.json")"
check "metrics: f1, acc, chance, mlm_acc, pseudo_perplexity" \
    "grep -q 'glue:f1=' <<< '$m1' && grep -q 'glue:acc=' <<< '$m1' && grep -q 'glue:chance=' <<< '$m1' && grep -q 'mlm:mlm_acc=' <<< '$m1' && grep -q 'mlm:pseudo_perplexity=' <<< '$m1'"
check "the same from run to run" "[ '$m1' = '$(metrics "$tmp/again.json")' ]"
check "the same at 1 and 3 ranks" "[ '$m1' = '$(metrics "$tmp/three.json")' ]"
check "reverse: the same at 1 and 3 ranks" "[ '$(metrics "$tmp/rev1.json")' = '$(metrics "$tmp/rev3.json")' ]"
check "no NaN" "! grep -qi nan $tmp/one.json $tmp/rev1.json"
check "the probe beats a coin on the baseline" "python3 -c \"
import json; r = json.load(open('$tmp/one.json'))[0]['metrics']
assert r['acc'] > 0.5, r\""

# Every GLUE task's samples, both layouts, through the model (train and dev are tiny).
for task in cola sst2 mrpc stsb qqp mnli mnli-mm qnli rte wnli; do
    dir=${task%-mm}
    for layout in tsv jsonl; do
        check "glue-$task $layout" "$P eval --model $BERT --task glue-$task:$G/$dir/$layout --json $tmp/g.json > $tmp/g.txt 2>&1 && ! grep -qi nan $tmp/g.json"
    done
done

# Refusals: exit 2 with a reason.
expect2() { "$@" > "$tmp/out" 2> "$tmp/err"; [ $? -eq 2 ]; }
check "mlm on a decoder: exit 2" "expect2 $P eval --task mlm:$TASKS/heldout.txt && grep -q 'encoder' $tmp/err"
check "glue on a decoder: exit 2" "expect2 $P eval --task glue-mrpc:$TASKS/pairs && grep -q 'encoder' $tmp/err"
check "ppl on an encoder: exit 2" "expect2 $P eval --model $BERT --task ppl:$TASKS/heldout.txt && grep -q 'encoder' $tmp/err"
check "--no-train without a classifier: exit 2" "expect2 $P eval --model $BERT --task glue-mrpc:$TASKS/pairs --no-train && grep -q 'classifier' $tmp/err"
check "generate on an encoder: exit 2" "expect2 $P generate --model $BERT --prompt hi"

# --no-train: a copy of the demo BERT with a (random, seeded) 2-label
# classifier, scored as a fine-tuned checkpoint would be: validation split
# only, the same at 1 and 3 ranks.
mkdir -p "$tmp/cls"
cp "$BERT"/vocab.txt "$BERT"/tokenizer.json "$BERT"/tokenizer_config.json "$tmp/cls/"
check "classifier copy made" "python3 -c \"
import json, random, sys
sys.path.insert(0, '$S/tests'); import bert_heads as b
h, d = b.read('$BERT/model.safetensors')
out = {n: b.tensor(h, d, n) for n in h}
D = json.load(open('$BERT/config.json'))['hidden_size']
rng = random.Random(11)
out['classifier.weight'] = ([2, D], [rng.uniform(-0.3, 0.3) for _ in range(2 * D)])
out['classifier.bias'] = ([2], [0.0, 0.0])
b.write('$tmp/cls/model.safetensors', out)
cfg = json.load(open('$BERT/config.json'))
cfg['architectures'] = ['BertForSequenceClassification']; cfg['id2label'] = {'0': 'no', '1': 'yes'}
json.dump(cfg, open('$tmp/cls/config.json', 'w'))\""
NT=(eval --model "$tmp/cls" --task "glue-mrpc:$TASKS/pairs" --limit 80 --no-train)
check "--no-train, 1 and 3 ranks" "$P ${NT[*]} --json $tmp/nt1.json > /dev/null && mpirun -n 3 $P ${NT[*]} --json $tmp/nt3.json > /dev/null 2>&1"
check "--no-train: the same at 1 and 3 ranks, an accuracy" "[ '$(metrics "$tmp/nt1.json" 2>/dev/null)' = '$(metrics "$tmp/nt3.json" 2>/dev/null)' ] && python3 -c \"
import json; r = json.load(open('$tmp/nt1.json'))
assert r['settings']['no_train'] is True and 0 <= r['metrics']['acc'] <= 1 and r['counts']['items'] == 80, r\""

# A checkpoint saved by transformers before 4.31 carries the index buffer
# bert.embeddings.position_ids (I64): read past it, the same hidden states.
mkdir -p "$tmp/ids"
cp "$BERT"/config.json "$BERT"/vocab.txt "$BERT"/tokenizer.json "$BERT"/tokenizer_config.json "$tmp/ids/"
check "copy with an I64 position_ids buffer" "python3 -c \"
import json, struct
raw = open('$BERT/model.safetensors', 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]; h = json.loads(raw[8:8 + n]); data = raw[8 + n:]
ids = struct.pack('<128q', *range(128))
h['bert.embeddings.position_ids'] = {'dtype': 'I64', 'shape': [1, 128], 'data_offsets': [len(data), len(data) + len(ids)]}
t = json.dumps(h).encode(); t += b' ' * ((8 - len(t) % 8) % 8)
open('$tmp/ids/model.safetensors', 'wb').write(struct.pack('<Q', len(t)) + t + data + ids)\""
check "forward reads past it, the same hidden states" \
    "$P forward --model $BERT --tokens 101,2023,2003,102 --out $tmp/h0.safetensors > /dev/null &&
     $P forward --model $tmp/ids --tokens 101,2023,2003,102 --out $tmp/h1.safetensors > /dev/null &&
     python3 $S/tests/bert_heads.py compare $tmp/h1.safetensors $tmp/h0.safetensors last_hidden_state 0"
check "an I64 weight is still refused: exit 2" "python3 -c \"
import json, struct
raw = open('$tmp/ids/model.safetensors', 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]; h = json.loads(raw[8:8 + n])
h['bert.embeddings.extra_weight'] = h.pop('bert.embeddings.position_ids')
t = json.dumps(h).encode(); t += b' ' * ((8 - len(t) % 8) % 8)
open('$tmp/ids/model.safetensors', 'wb').write(struct.pack('<Q', len(t)) + t + raw[8 + n:])\" &&
    expect2 $P forward --model $tmp/ids --tokens 101,102 && grep -q 'dtype I64 not supported' $tmp/err"

# A small study on the encoder: two variants, one N, under stations.
check "study on the demo BERT" "mpirun -n 3 $P study $tmp/study --model $BERT --variants skip,parallel --N 1 --limit 60 --similarity 4 > $tmp/study.txt 2>&1"
check "study: report and plots" "[ -s $tmp/study/report.html ] && [ -s $tmp/study/score_vs_N.png ] && [ -s $tmp/study/similarity.csv ]"
check "study: baseline normalized 1 on both tasks" "python3 -c \"
import csv
rows = [r for r in csv.DictReader(open('$tmp/study/results.csv')) if r['plan'] == 'baseline' and r['normalized']]
assert len(rows) == 2 and all(abs(float(r['normalized']) - 1) < 1e-9 for r in rows), rows\""
check "study: 3 plans x 2 tasks" "[ \$(grep -c . $tmp/study/summary.csv) -eq 4 ]"
tail -30 "$tmp/study.txt" | grep -v items/s

echo "cli_encoder_tasks: $pass passed, $fail failed"
[ $fail -eq 0 ]
