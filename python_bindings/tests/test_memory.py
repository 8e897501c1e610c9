"""10^4 calls do not grow the process: result buffers are freed after being
copied, temporaries inside the compiled code are freed by it."""

import resource

import numpy as np

import sparse_train as st
from sparse_train import ir


def _rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def test_ten_thousand_calls_do_not_grow_memory():
    x = np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32)
    retain = st.compile(ir.min_k_retain(x.shape, keep_ratio=0.1))
    restore = st.compile(ir.min_k_restore(x.shape, kept=410))
    for _ in range(200):  # warm up allocator and caches
        restore(retain(x))
    before = _rss_kb()
    for _ in range(10_000):
        restore(retain(x))
    grown_kb = _rss_kb() - before
    # One leaked 16 KiB result per call would be 160 MB.
    assert grown_kb < 8 * 1024, f"RSS grew by {grown_kb} KiB over 10^4 calls"
