"""Runs the convolutions of Inputs/conv_relu_forms.mlir compiled with and
without sparse-train-apply-zero-skip (then sparse-train-to-cpu) on random
inputs; the results must agree to rounding (the zero-skipping kernels sum in
another order). Half of the inputs are negative, so the ReLUs zero about
half of the scanned operand."""

import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Differential"))
import harness  # noqa: E402

# name: (argument shapes, result shape)
FUNCTIONS = {
    "forward_named": ([(2, 8, 8, 16), (3, 3, 16, 32)], (2, 8, 8, 32)),
    "forward_generic_strided": ([(1, 9, 9, 4), (3, 3, 4, 8)], (1, 3, 4, 8)),
    "backward_filter": ([(2, 6, 6, 4), (2, 6, 6, 8)], (3, 3, 4, 8)),
    "backward_data": ([(2, 6, 6, 8), (2, 6, 6, 8), (3, 3, 4, 8)], (2, 6, 6, 4)),
    "forward_offset": ([(1, 6, 6, 4), (3, 3, 4, 8)], (1, 6, 6, 8)),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opt", required=True)
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    with open(os.path.join(HERE, "Inputs", "conv_relu_forms.mlir")) as f:
        ir = f.read()
    pipelines = {
        "applied": "--pass-pipeline=builtin.module(func.func(sparse-train-apply-zero-skip),sparse-train-to-cpu)",
        "dense": "--sparse-train-to-cpu",
    }
    libs = {k: harness.compile_module(ir, args.opt, os.path.join(args.workdir, k), pipeline=p)
            for k, p in pipelines.items()}
    rng = np.random.default_rng(5)
    failures = 0
    for name, (shapes, result) in FUNCTIONS.items():
        inputs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        got = {k: harness.Function(lib, name, [(len(result), np.float32)])(*inputs)[0]
               for k, lib in libs.items()}
        a, b = got["applied"], got["dense"]
        scale = np.abs(b).max()
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-5, atol=1e-5 * scale):
            failures += 1
            print(f"MISMATCH {name}: max |diff| {np.abs(a - b).max()}")
    print(f"apply-zero-skip: {len(FUNCTIONS)} functions, {failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
