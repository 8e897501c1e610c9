"""Runs the FFN step of Inputs/ffn_step.mlir after
sparse-train-strip-training: with slice-drop removed, the forward result
and the second layer's weight gradient are the dense layer's (numpy, f64),
whatever the seed and counter."""

import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Differential"))
import harness  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opt", required=True)
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    with open(os.path.join(HERE, "Inputs", "ffn_step.mlir")) as f:
        ir = f.read()
    lib = harness.compile_module(
        ir, args.opt, args.workdir,
        pipeline="--pass-pipeline=builtin.module(func.func(sparse-train-strip-training),sparse-train-to-cpu)")
    step = harness.Function(lib, "ffn", [(2, np.float32)] * 4)
    rng = np.random.default_rng(3)
    failures = 0
    for counter in range(3):
        x, w1, b1, w2, dy = [rng.standard_normal(shape).astype(np.float32)
                             for shape in ((8, 16), (16, 32), (32,), (32, 16), (8, 16))]
        y, _, dw2, _ = step(x, w1, b1, w2, dy, 11, counter)
        h = np.maximum(x.astype(np.float64) @ w1 + b1, 0.0)
        for name, got, want in (("y", y, h @ w2), ("dw2", dw2, h.T @ dy)):
            if not np.allclose(got, want, rtol=1e-4, atol=1e-4):
                failures += 1
                print(f"MISMATCH counter {counter} {name}: max |diff| {np.abs(got - want).max()}")
    print(f"strip-training: 3 steps, {failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
