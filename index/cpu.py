"""The CPU this runs on: its model and the instruction sets that decide how fast inference is (int8 matrix
products gain most from VNNI and AMX). Benchmarks print it beside their figures; the embedder keys its int8
speed check on it."""

from __future__ import annotations

import os
import platform
from functools import lru_cache
from pathlib import Path
from typing import Any

ISA = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8")


@lru_cache(maxsize=1)
def machine() -> dict[str, Any]:
    """{"cpus": logical CPUs, "cpu": model name, "isa": the flags of `ISA` it has} (from /proc/cpuinfo; the
    platform's processor name and no flags where there is none)."""
    name, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and name in ("", platform.machine(), platform.processor()):
                name = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": name, "isa": [f for f in ISA if f in flags]}


def describe() -> str:
    """One line: "Intel(R) Xeon(R) Processor, 2 CPUs; avx2 fma avx512f avx512_vnni"."""
    info = machine()
    return f"{info['cpu']}, {info['cpus']} CPUs; {' '.join(info['isa']) or 'no AVX2'}"
