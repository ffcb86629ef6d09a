#!/usr/bin/env python3
"""compare_logits.py A.safetensors B.safetensors REL: the `logits` tensors of
two `painters forward --out` files have the same shape and differ by at most
REL x max|A| (REL 0: bit for bit). A NaN or an infinity in either fails."""
import json
import math
import struct
import sys


def read(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        t = json.loads(f.read(n))["logits"]
        f.seek(8 + n + t["data_offsets"][0])
        raw = f.read(t["data_offsets"][1] - t["data_offsets"][0])
    return t["shape"], raw


(sa, ra), (sb, rb) = read(sys.argv[1]), read(sys.argv[2])
rel = float(sys.argv[3])
assert sa == sb, ("shapes", sa, sb)
a = struct.unpack("<%df" % (len(ra) // 4), ra)
b = struct.unpack("<%df" % (len(rb) // 4), rb)
for path, x in ((sys.argv[1], a), (sys.argv[2], b)):
    bad = [i for i, v in enumerate(x) if not math.isfinite(v)]
    assert not bad, ("%s: %d logits not finite, the first at %d: %r" % (path, len(bad), bad[0], x[bad[0]]))
if rel == 0:
    assert ra == rb, "logits differ"
    print("logits %s identical" % sa)
    sys.exit(0)
mag = max(abs(x) for x in a)
err = max(abs(x - y) for x, y in zip(a, b))
assert err <= rel * mag, ("max difference", err, "allowed", rel * mag)
print("logits %s agree: max difference %.3g (%.2g of max |logit| %.3g)" % (sa, err, err / mag, mag))
