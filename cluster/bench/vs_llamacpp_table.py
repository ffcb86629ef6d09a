#!/usr/bin/env python3
"""The table of vs_llamacpp.sh: every repetition of every round of each
engine and test pooled, tokens/s median, min, max and sd/mean, the median
against painters' (BF16) on the same test, and painters' on a GGUF file
against llama.cpp's on the same file. Prints it; writes it as CSV.
usage: vs_llamacpp_table.py RUNS_DIR OUT.csv"""
import csv
import glob
import json
import os
import statistics
import sys

runs, out_csv = sys.argv[1], sys.argv[2]
samples = {}  # (engine, weights, test) -> [tokens/s]
info = {}
for path in sorted(glob.glob(os.path.join(runs, "painters-r*.json"))):
    j = json.load(open(path))
    info["painters"] = "painters %s, OpenBLAS %s, compute %s" % (
        j["git_revision"], j["blas_threading"], j.get("compute", "?"))
    info["threads"] = j["threads"]
    for t in j["tests"]:
        samples.setdefault(("painters", "bf16 stored", t["name"]), []).extend(t["samples"])
for path in sorted(glob.glob(os.path.join(runs, "painters-gguf-*-r*.json"))):
    weights = os.path.basename(path).split("-")[2]  # painters-gguf-TYPE-rN.json
    for t in json.load(open(path))["tests"]:
        samples.setdefault(("painters", weights, t["name"]), []).extend(t["samples"])
for path in sorted(glob.glob(os.path.join(runs, "painters-f32-r*.json"))):
    for t in json.load(open(path))["tests"]:
        samples.setdefault(("painters", "bf16, f32 compute", t["name"]), []).extend(t["samples"])
for path in sorted(glob.glob(os.path.join(runs, "llama-*-r*.jsonl"))):
    weights = os.path.basename(path).split("-")[1]
    for line in open(path):
        if not line.strip():
            continue
        j = json.loads(line)
        test = "pp%d" % j["n_prompt"] if j["n_prompt"] else "tg%d" % j["n_gen"]
        rev = j["build_commit"]
        if rev == "unknown":  # a build from an archive: the revision vs_llamacpp.sh was told
            rev = os.environ.get("LLAMA_CPP_REV", "unknown")
        info["llama.cpp"] = "llama.cpp %s (%s)" % (rev, j["cpu_info"])
        samples.setdefault(("llama.cpp", weights, test), []).extend(j["samples_ts"])
for path in sorted(glob.glob(os.path.join(runs, "torch-r*.json"))):
    j = json.load(open(path))
    info["pytorch"] = j["engine"]
    samples.setdefault(("pytorch", "f32", j["test"]), []).extend(j["samples"])
if not samples:
    sys.exit("vs_llamacpp_table.py: no results under %s" % runs)

rows = []
for (engine, weights, test), x in sorted(samples.items()):
    med = statistics.median(x)
    mean = statistics.mean(x)
    sd = statistics.stdev(x) if len(x) > 1 else 0.0
    rows.append({"engine": engine, "weights": weights, "test": test, "threads": info.get("threads", ""),
                 "samples": len(x), "median_tps": round(med, 4), "min_tps": round(min(x), 4),
                 "max_tps": round(max(x), 4), "sd_rel": round(sd / mean, 5)})
base = {r["test"]: r["median_tps"] for r in rows
        if r["engine"] == "painters" and r["weights"] == "bf16 stored"}
same = {(r["weights"], r["test"]): r["median_tps"] for r in rows if r["engine"] == "llama.cpp"}
for r in rows:
    key = r["test"].replace("-layers", "")
    r["vs_painters"] = round(r["median_tps"] / base[key], 4) if key in base else ""
    # painters on a GGUF file against llama.cpp on the same file
    peer = same.get((r["weights"], r["test"])) if r["engine"] == "painters" else None
    r["vs_llamacpp_same_file"] = round(r["median_tps"] / peer, 4) if peer else ""
    r["engine_build"] = info.get(r["engine"], "")

cols = ["engine", "weights", "test", "threads", "samples", "median_tps", "min_tps", "max_tps", "sd_rel",
        "vs_painters", "vs_llamacpp_same_file", "engine_build"]
with open(out_csv, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=cols)
    w.writeheader()
    w.writerows(rows)
print("# %-10s %-12s %-14s %4s %10s %10s %10s %8s %8s %8s" % (
    "engine", "weights", "test", "n", "median", "min", "max", "sd/mean", "x painters", "x llama.cpp"))
for r in rows:
    print("  %-10s %-12s %-14s %4d %10.2f %10.2f %10.2f %7.1f%% %8s %8s" % (
        r["engine"], r["weights"], r["test"], r["samples"], r["median_tps"], r["min_tps"], r["max_tps"],
        100 * r["sd_rel"], ("%.2f" % r["vs_painters"]) if r["vs_painters"] != "" else "-",
        ("%.2f" % r["vs_llamacpp_same_file"]) if r["vs_llamacpp_same_file"] != "" else "-"))
for k, v in sorted(info.items()):
    if k != "threads":
        print("# %s: %s" % (k, v))
print("# tokens/s; pytorch's pp is the float32 layers only, painters' and llama.cpp's pp include "
      "the embedding and the head on the last token. Wrote %s" % out_csv)
