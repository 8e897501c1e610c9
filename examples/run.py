#!/usr/bin/env python3
"""What `make run` does.

First its main job (examples/cnn_step.py): the bundled small CNN
classifier's training step in torch-mlir's form, compiled dense and after
`sparse-train-apply` with the default policy, trained a few steps, with a
table of time per step, saved-activation bytes and gradient agreement
(and the GPU pipeline's output where ptxas is installed).

Then the hand-written example (examples/training_step.mlir), which calls
the sparse_train ops directly: compiled with `sparse-train-opt
--sparse-train-to-cpu`, run on random data, with per-step time, output
checksums, and the bytes the saved activations keep for the backward pass
next to their dense size.

Times are medians over repeated steps in this process, on the tiny shapes
of these examples (dominated by per-op overheads, not by the kernels'
throughput; docs/Performance.md has the benchmarks).
"""

import argparse
import collections
import os
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "Differential"))
import harness  # noqa: E402
import reference  # noqa: E402
from cnn_step import run_cnn  # noqa: E402


def median_ms(fn, args, repeats):
    times = []
    outputs = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        outputs = fn(*args)
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times)), outputs


def mlp_error(x, w1, b1, w2, dy, start, outputs):
    """Largest relative difference between the compiled step and the same
    step computed by the numpy reference of every op."""
    x64, dy64 = x.astype(np.float64), dy.astype(np.float64)
    h = np.maximum(x64 @ w1 + b1, 0.0)
    hs = reference.slice_drop(h, start, 1, 64)
    w2s = w2[start:start + 64].astype(np.float64)
    y = hs @ w2s
    keep = reference.block_select(reference.block_scores(hs, 8, 8, "l2"),
                                  "global_top_k", keep_ratio=0.5)
    dw2 = reference.block_mask(hs, 8, 8, keep).T @ dy64
    dh = reference.slice_expand(dy64 @ w2s.T, start, 1, 128)
    dz1 = np.where(h > 0, dh * 2.0, 0.0)
    x_hat = reference.min_k_restore(x64, reference.min_k_select(x, ratio=0.1))
    dw1 = x_hat.T @ dz1
    return max(float(np.max(np.abs(o - r)) / max(1e-30, float(np.max(np.abs(r)))))
               for o, r in zip(outputs, (y, dw1, dw2)))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--example", default=os.path.join(HERE, "training_step.mlir"))
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--print-ir", action="store_true",
                        help="also print the verified input IR")
    args = parser.parse_args()

    opt = os.path.join(args.build_dir, "bin", "sparse-train-opt")
    status = run_cnn(opt, repeats=args.repeats)
    print()
    verified = subprocess.run([opt, args.example], capture_output=True, text=True)
    if verified.returncode != 0:
        sys.stderr.write(verified.stderr)
        return 1
    if args.print_ir:
        print(verified.stdout)
    ops = collections.Counter(re.findall(r"(?:=|^)\s*sparse_train\.(\w+)",
                                         verified.stdout, re.M))
    print(f"== {os.path.relpath(args.example)}: {sum(ops.values())} sparse_train ops ==")
    for name, count in sorted(ops.items()):
        print(f"  sparse_train.{name:<34} x{count}")

    t0 = time.perf_counter()
    lib = harness.compile_module(verified.stdout, opt)
    print(f"\n== compiled with sparse-train-opt --sparse-train-to-cpu "
          f"({time.perf_counter() - t0:.1f} s; vector kernels where they exist, "
          f"reference loops elsewhere) ==")

    rng = np.random.default_rng(2026)
    f32 = np.float32
    x = np.maximum(rng.standard_normal((32, 64)), 0).astype(f32)
    w1 = (rng.standard_normal((64, 128)) * 0.1).astype(f32)
    b1 = (rng.standard_normal(128) * 0.1).astype(f32)
    w2 = (rng.standard_normal((128, 10)) * 0.1).astype(f32)
    dy = rng.standard_normal((32, 10)).astype(f32)
    mlp = harness.Function(lib, "mlp_step", [
        (2, f32), (2, f32), (2, f32), (1, np.int64), (1, f32), (1, np.int32),
        (1, np.int64), (1, np.int64), (1, f32)])
    ms, out = median_ms(mlp, (x, w1, b1, w2, dy, 42, 7), args.repeats)
    y, dw1, dw2, start, x_vals, x_mask, pos, crd, vals = out
    print(f"\nmlp_step (32x64 -> 128 -> 10, SliceOut 64 of 128, DropIT 10 %, BSR 8x8 50 %)")
    print(f"  time per step         {ms:9.3f} ms (median of {args.repeats})")
    print(f"  slice start           {int(start[0])}")
    print(f"  checksums             y {y.sum():+.6e}  dW1 {dw1.sum():+.6e}  dW2 {dw2.sum():+.6e}")
    dense_x = x.nbytes
    kept_x = x_vals.nbytes + x_mask.nbytes
    dense_h = 32 * 64 * 4
    kept_h = pos.nbytes + crd.nbytes + vals.nbytes
    print(f"  saved x (layer 1)     {kept_x:6d} B kept vs {dense_x:6d} B dense "
          f"({100.0 * kept_x / dense_x:5.1f} %): {x_vals.size} values + bitmask")
    print(f"  saved h (layer 2)     {kept_h:6d} B kept vs {dense_h:6d} B dense "
          f"({100.0 * kept_h / dense_h:5.1f} %): {crd.size} of 32 blocks in BSR")
    total_kept, total_dense = kept_x + kept_h, dense_x + dense_h
    err = mlp_error(x, w1, b1, w2, dy, int(start[0]), (y, dw1, dw2))
    print(f"  saved for backward    {total_kept:6d} B vs {total_dense:6d} B dense "
          f"({100.0 * total_kept / total_dense:5.1f} %)")
    print(f"  vs numpy reference    max relative error {err:.1e}: "
          f"{'matches' if err < 1e-4 else 'DIFFERS'}")

    xc = np.maximum(rng.standard_normal((8, 16, 16, 32)), 0).astype(f32)
    wc = (rng.standard_normal((3, 3, 32, 32)) * 0.1).astype(f32)
    dyc = (rng.standard_normal((8, 16, 16, 32))
           * (rng.random((8, 16, 16, 32)) < 0.5)).astype(f32)
    conv = harness.Function(lib, "conv_step", [(4, f32), (4, f32), (4, f32)])
    ms, (yc, dxc, dwc) = median_ms(conv, (xc, wc, dyc), args.repeats)
    print(f"\nconv_step (8x16x16x32, 3x3x32x32, zero-skipping forward and both gradients)")
    print(f"  time per step         {ms:9.3f} ms (median of {args.repeats})")
    print(f"  zeros skipped         x {100.0 * np.mean(xc == 0):.1f} %, dy {100.0 * np.mean(dyc == 0):.1f} %")
    print(f"  checksums             y {yc.sum():+.6e}  dx {dxc.sum():+.6e}  dW {dwc.sum():+.6e}")
    win = ([1, 1], [1, 1], [1, 1, 1, 1])
    refs = (reference.conv_forward(xc, wc, *win),
            reference.conv_backward_data(dyc, wc, xc.shape, *win),
            reference.conv_backward_filter(xc, dyc, wc.shape, *win))
    err = max(float(np.max(np.abs(o - r)) / max(1e-30, float(np.max(np.abs(r)))))
              for o, r in zip((yc, dxc, dwc), refs))
    print(f"  vs numpy reference    max relative error {err:.1e}: "
          f"{'matches' if err < 1e-4 else 'DIFFERS'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
