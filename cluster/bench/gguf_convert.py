#!/usr/bin/env python3
"""Runs llama.cpp's convert_hf_to_gguf.py (path given) under Debian 12's
python3-torch 1.13: the converter's table of safetensors dtypes names the
float8 types of torch >= 2.1, which 1.13 lacks, so they get placeholder
names here (a checkpoint holding float8 tensors is refused); and without the
`safetensors` package the reader in pysafetensors/ stands in.
usage: gguf_convert.py CONVERT_HF_TO_GGUF.PY [its arguments...]"""
import os
import runpy
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
try:
    import safetensors  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(here, "pysafetensors"))


class _NoFloat8:
    """Stands for a float8 dtype torch does not have."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "torch.%s (absent from torch %s)" % (self.name, torch.__version__)


for name in ("float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz"):
    if not hasattr(torch, name):
        setattr(torch, name, _NoFloat8(name))

if len(sys.argv) < 2:
    sys.exit(__doc__)
script = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(script)), "gguf-py"))
sys.argv = sys.argv[1:]
runpy.run_path(script, run_name="__main__")
