"""Runs torch-mlir's MLP joint step (Inputs/mlp_joint_step.mlir) compiled
with and without an apply pass on its second layer, then
sparse-train-to-cpu: the forward result and the gradients the pass does not
touch are bit-identical, and dW2 follows the technique's definition, gy^T
h^ with h^ (numpy) the 25 % largest magnitudes of the ReLU output h
(--technique min-k: sparse-train-apply-min-k, keep 0.25) or h with the
half of its 2x4 blocks of largest l1 norm (--technique block-prune:
sparse-train-apply-block-prune)."""

import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Differential"))
import harness  # noqa: E402
import reference as ref  # noqa: E402

SHAPES = [(4, 8), (16, 8), (16,), (3, 16), (3,), (4, 3)]


def pruned(h):
    """h with the half of its 2x4 blocks of largest l1 norm (others zero)."""
    keep = ref.block_select(ref.block_scores(h, 2, 4, "l1"), "global_top_k", keep_ratio=0.5)
    return h * np.kron(keep, np.ones((2, 4), dtype=h.dtype))


#: technique: (the pass with its options, h -> h^)
TECHNIQUES = {
    "min-k": ("sparse-train-apply-min-k{tangents=5 layers=1 keep-ratio=0.25}",
              lambda h: ref.min_k_restore(h, ref.min_k_select(h, ratio=0.25))),
    "block-prune": ("sparse-train-apply-block-prune{tangents=5 layers=1 block-rows=2 block-cols=4 "
                    "keep-ratio=0.5}", pruned),
}
RESULTS = [(2, np.float32), (2, np.float32), (1, np.float32), (2, np.float32), (1, np.float32)]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opt", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--technique", choices=sorted(TECHNIQUES), required=True)
    args = parser.parse_args()
    apply, sparsify = TECHNIQUES[args.technique]
    with open(os.path.join(HERE, "Inputs", "mlp_joint_step.mlir")) as f:
        # The C interface the harness calls.
        ir = f.read().replace(") {\n  %cst", ") attributes {llvm.emit_c_interface} {\n  %cst", 1)
    pipelines = {
        "applied": f"--pass-pipeline=builtin.module(func.func({apply}),sparse-train-to-cpu)",
        "dense": "--sparse-train-to-cpu",
    }
    steps = {k: harness.Function(harness.compile_module(ir, args.opt, os.path.join(args.workdir, k),
                                                        pipeline=p), "train_step", RESULTS)
             for k, p in pipelines.items()}
    rng = np.random.default_rng(9)
    failures = 0
    for trial in range(3):
        x, w1, b1, w2, b2, gy = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
        # Copies: the step writes dW1 into w1's buffer (torch-mlir fills
        # the argument as dW1's init).
        inputs = (x, w1, b1, w2, b2, gy)
        got = steps["applied"](*[a.copy() for a in inputs])
        dense = steps["dense"](*[a.copy() for a in inputs])
        for i, name in [(0, "y"), (1, "dW1"), (2, "db1"), (4, "db2")]:
            if not np.array_equal(got[i], dense[i]):
                failures += 1
                print(f"MISMATCH trial {trial} {name}: differs from the dense step")
        h = np.maximum(x @ w1.T + b1, 0).astype(np.float32)
        h_hat = sparsify(h)
        expected = gy.astype(np.float64).T @ h_hat.astype(np.float64)
        if not np.allclose(got[3], expected, rtol=1e-4, atol=1e-5):
            failures += 1
            print(f"MISMATCH trial {trial} dW2: max |diff| {np.abs(got[3] - expected).max()}")
    print(f"{args.technique}: 3 steps, {failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
