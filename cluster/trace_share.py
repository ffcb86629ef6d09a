#!/usr/bin/env python3
"""Communication share of each program step, from a painters trace (--trace).

For every request, step s takes from the moment its input canvas was ready
(the end of step s-1's apply, or rank 0's send for step 0) to the end of its
last apply; what is not apply time is communication (send, receive, broadcast,
reduce, and waking up). Prints one row per step with medians over requests,
and the share over the whole program.

usage: cluster/trace_share.py TRACE.jsonl [--skip N]   (skip N warm-up requests)
"""
import collections
import json
import statistics
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    skip = int(sys.argv[sys.argv.index("--skip") + 1]) if "--skip" in sys.argv else 0
    events = [json.loads(line) for line in open(sys.argv[1])]
    by_req = collections.defaultdict(list)
    for e in events:
        by_req[e["request"]].append(e)
    step_total = collections.defaultdict(list)
    step_apply = collections.defaultdict(list)
    totals, comms = [], []
    for req in sorted(by_req)[skip:]:
        ev = by_req[req]
        sends = [e for e in ev if e["rank"] == 0 and e["event"] == "send"]
        recvs = [e for e in ev if e["rank"] == 0 and e["event"] == "recv"]
        applies = collections.defaultdict(list)
        for e in ev:
            if e["event"] == "apply":
                applies[e["step"]].append(e)
        if not sends or not recvs or not applies:
            continue
        ready = sends[0]["start"]
        total_comm = 0.0
        for s in sorted(applies):
            start = min(e["start"] for e in applies[s])
            end = max(e["end"] for e in applies[s])
            compute = max(e["end"] - e["start"] for e in applies[s])
            step_total[s].append(end - ready)
            step_apply[s].append(compute)
            total_comm += (end - ready) - compute
            ready = end
        final = recvs[-1]["end"] - ready
        total = recvs[-1]["end"] - sends[0]["start"]
        totals.append(total)
        comms.append(total_comm + final)
    if not totals:
        sys.exit("no complete requests in the trace")
    print("# %-5s %12s %12s %12s" % ("step", "step_ms", "apply_ms", "comm_share"))
    for s in sorted(step_total):
        t = statistics.median(step_total[s]) * 1e3
        a = statistics.median(step_apply[s]) * 1e3
        print("  %-5d %12.3f %12.3f %11.1f%%" % (s, t, a, 100.0 * (t - a) / t if t > 0 else 0.0))
    t = statistics.median(totals) * 1e3
    c = statistics.median(comms) * 1e3
    print("# requests %d: median %.3f ms end to end, %.3f ms communication = %.1f%%"
          % (len(totals), t, c, 100.0 * c / t))


if __name__ == "__main__":
    main()
