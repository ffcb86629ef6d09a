// tokenizer_speed.mjs DIR LINES.jsonl OUT.jsonl: the reference's side of
// cluster/bench/tokenizer_speed.sh. Loads DIR/tokenizer.json (and
// tokenizer_config.json) with @huggingface/tokenizers, encodes every JSON
// string line of LINES.jsonl without special tokens on this one thread,
// writes one JSON array of ids per line to OUT.jsonl, and prints
// "load_ms=.. encode_s=.. bytes=.. tokens=..".
import { readFileSync, writeFileSync } from "node:fs";
import { Tokenizer } from "@huggingface/tokenizers";

const [dir, linesPath, outPath] = process.argv.slice(2);
const t0 = performance.now();
const json = JSON.parse(readFileSync(`${dir}/tokenizer.json`, "utf8"));
let config = {};
try {
    config = JSON.parse(readFileSync(`${dir}/tokenizer_config.json`, "utf8"));
} catch {}
const tok = new Tokenizer(json, config);
const loadMs = performance.now() - t0;
const lines = readFileSync(linesPath, "utf8").split("\n").filter((l) => l.length).map((l) => JSON.parse(l));
let bytes = 0;
for (const l of lines) bytes += Buffer.byteLength(l, "utf8");
const t1 = performance.now();
const out = lines.map((l) => tok.encode(l, { add_special_tokens: false }).ids);
const encodeS = (performance.now() - t1) / 1000;
let tokens = 0;
for (const ids of out) tokens += ids.length;
writeFileSync(outPath, out.map((ids) => JSON.stringify(ids)).join("\n") + "\n");
console.log(`load_ms=${loadMs.toFixed(1)} encode_s=${encodeS.toFixed(4)} bytes=${bytes} tokens=${tokens}`);
