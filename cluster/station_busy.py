#!/usr/bin/env python3
"""How busy each station was, from a painters trace (--trace).

A station is busy while it applies layers (its "apply" events). Over the span
of the run (the first to the last event of any rank), prints each station's
busy time and share, and the mean share over stations.

usage: cluster/station_busy.py TRACE.jsonl
"""
import collections
import json
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    events = [json.loads(line) for line in open(sys.argv[1])]
    if not events:
        sys.exit(f"{sys.argv[1]}: no events")
    start = min(e["start"] for e in events)
    end = max(e["end"] for e in events)
    span = end - start
    busy = collections.defaultdict(float)
    for e in events:
        if e["event"] == "apply" and e["rank"] > 0:
            busy[e["rank"]] += e["end"] - e["start"]
    print(f"# span {span * 1e3:.1f} ms")
    print("# rank  busy_ms  share")
    for rank in sorted(busy):
        print(f"  {rank:<5d} {busy[rank] * 1e3:8.1f}  {100 * busy[rank] / span:5.1f}%")
    if busy:
        mean = sum(busy.values()) / len(busy) / span
        print(f"# mean share {100 * mean:.1f}%")


if __name__ == "__main__":
    main()
