"""A reader of .safetensors files for machines without the `safetensors`
package (Debian 12 has none): safe_open(path, framework="pt") with keys(),
get_tensor(name) and get_slice(name) (get_dtype, get_shape, [...]), the part
of its interface convert_hf_to_gguf.py and torch_prefill.py use. Read-only;
tensors are copied out of a memory map into torch tensors, when read.

Layout: 8 bytes little-endian header length, the JSON header
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__"},
then the data (offsets from the end of the header)."""
import json
import mmap
import struct

import numpy as np
import torch

# dtype name -> (numpy type of the raw elements, torch dtype, reinterpret as)
_DTYPES = {
    "F32": (np.float32, torch.float32, None),
    "F16": (np.float16, torch.float16, None),
    "BF16": (np.int16, torch.int16, torch.bfloat16),
    "I64": (np.int64, torch.int64, None),
    "I32": (np.int32, torch.int32, None),
}


class _Slice:
    def __init__(self, f, name):
        self._f, self._name = f, name
        self._info = f._header[name]

    def get_dtype(self):
        return self._info["dtype"]

    def get_shape(self):
        return list(self._info["shape"])

    def __getitem__(self, index):
        return self._f.get_tensor(self._name)[index]


class _File:
    def __init__(self, path):
        self._fh = open(path, "rb")
        (n,) = struct.unpack("<Q", self._fh.read(8))
        if n <= 0 or n > 100 << 20:
            raise ValueError("%s: header length %d is not plausible" % (path, n))
        header = json.loads(self._fh.read(n))
        self._meta = header.pop("__metadata__", None)
        self._header = header
        self._base = 8 + n
        self._map = mmap.mmap(self._fh.fileno(), 0, access=mmap.ACCESS_READ)
        self._path = path

    def keys(self):
        return list(self._header.keys())

    def metadata(self):
        return self._meta

    def get_slice(self, name):
        return _Slice(self, name)

    def get_tensor(self, name):
        info = self._header[name]
        if info["dtype"] not in _DTYPES:
            raise ValueError("%s: %s has dtype %s, not one this reader knows" % (self._path, name, info["dtype"]))
        np_type, _, view = _DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        count = (end - begin) // np.dtype(np_type).itemsize
        a = np.frombuffer(self._map, dtype=np_type, count=count, offset=self._base + begin).copy()
        t = torch.from_numpy(a)
        if view is not None:
            t = t.view(view)
        return t.reshape(info["shape"])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        # The map stays open: a slice may be read after the `with` (the
        # converter's lazy tensors are); it closes with the last reference.
        return False


def safe_open(path, framework="pt", device="cpu"):
    if framework not in ("pt", "torch") or device != "cpu":
        raise ValueError("this reader gives torch tensors on the CPU only")
    return _File(str(path))
