"""The main job of `make run`: the bundled small CNN classifier's joint
training step in torch-mlir's form (examples/zoo/cnn_classifier.mlir:
conv-ReLU-pool x 2, two linear layers; written by examples/zoo/torch_form.py
and checked against PyTorch 1.13 autograd), compiled dense and after
`sparse-train-apply` with the default policy, both for the CPU, trained a
few SGD steps on fixed data (softmax cross-entropy on the host gives the
output tangent), and compared: time per step, saved-activation bytes (the
memory report), and how the gradients agree.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "Differential"))
import harness  # noqa: E402

MODEL = os.path.join(HERE, "zoo", "cnn_classifier.mlir")
#: (name, shape) of the step's arguments after x, in order; gy is last.
PARAMS = [("w0", (8, 3, 3, 3)), ("b0", (8,)), ("w3", (16, 8, 3, 3)), ("b3", (16,)),
          ("w7", (32, 256)), ("b7", (32,)), ("w9", (10, 32)), ("b9", (10,))]
TANGENT = 1 + len(PARAMS)
#: The default policy: DropIT (keep 10 %) on every layer but the first and
#: the last, zero-skipping convolutions behind ReLUs.
POLICY = f"techniques=min-k,zero-skip tangents={TANGENT}"


def run_opt(opt, args, text):
    p = subprocess.run([opt, *args], input=text, capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError(f"sparse-train-opt {' '.join(args)} failed:\n{p.stderr}")
    return p


def memory(opt, text):
    """(saved-activation bytes, peak of live saved bytes) as stored, from
    the memory report."""
    report = json.loads(run_opt(opt, [f"--sparse-train-memory-report=tangents={TANGENT} "
                                      "format=json output=-", "-o", "/dev/null"],
                                text).stdout)[0]
    return report["total"]["stored_bytes"], report["peak"]["stored_bytes"]


def softmax_xent_grad(y, labels):
    """Loss and d loss / d y of the mean softmax cross-entropy."""
    z = y - y.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    n = y.shape[0]
    loss = -np.log(p[np.arange(n), labels]).mean()
    g = p.copy()
    g[np.arange(n), labels] -= 1.0
    return float(loss), (g / n).astype(np.float32)


def cosine(a, b):
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(a @ b / max(1e-30, np.linalg.norm(a) * np.linalg.norm(b)))


def run_cnn(opt, repeats=7, steps=20, workdir=None):
    workdir = workdir or tempfile.mkdtemp(prefix="sparse-train-cnn-")
    with open(MODEL) as f:
        dense_ir = re.sub(r"(func\.func @train_step\(.*\) -> \(.*\)) \{",
                          r"\1 attributes {llvm.emit_c_interface} {", f.read(), count=1)
    applied = run_opt(opt, [f"--sparse-train-apply={POLICY}", "-o", "-"], dense_ir)
    rewrites = [line.split("remark: ", 1)[1] for line in applied.stderr.splitlines()
                if "remark:" in line and "rewritten" in line and "not rewritten" not in line]
    sparse_ir = applied.stdout
    print(f"== {os.path.relpath(MODEL)}: the CNN classifier's training step "
          f"(torch-mlir form) ==")
    print(f"policy: --sparse-train-apply=\"{POLICY}\" ({len(rewrites)} rewrites)")
    for r in rewrites:
        print(f"  {r}")

    results = [(2, np.float32)] + [(len(s), np.float32) for _, s in PARAMS]
    t0 = time.perf_counter()
    steps_fn = {name: harness.Function(harness.compile_module(ir, opt, os.path.join(workdir, name)),
                                       "train_step", results)
                for name, ir in (("dense", dense_ir), ("sparse", sparse_ir))}
    print(f"compiled both with --sparse-train-to-cpu ({time.perf_counter() - t0:.1f} s)")

    # Fixed data: 4 images, labels from a fixed random teacher.
    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 3, 16, 16)).astype(np.float32)
    labels = np.array([3, 1, 4, 1])
    init = {n: rng.uniform(-1, 1, s).astype(np.float32) / np.sqrt(np.prod(s[1:]) if len(s) > 1
                                                                    else s[0])
            for n, s in PARAMS}

    zero = np.zeros((4, 10), np.float32)

    def call(name, params, gy):
        return steps_fn[name](x, *[params[n].copy() for n, _ in PARAMS], gy)

    def step(name, params):
        """Loss, step time and gradients at `params` (y first, for the
        tangent: y does not depend on it)."""
        loss, gy = softmax_xent_grad(call(name, params, zero)[0], labels)
        t = time.perf_counter()
        out = call(name, params, gy)
        return loss, (time.perf_counter() - t) * 1e3, out

    # Gradient agreement at the first step (same parameters, same tangent).
    _, _, dense0 = step("dense", init)
    _, _, sparse0 = step("sparse", init)
    forward_diff = float(np.abs(dense0[0] - sparse0[0]).max())

    # SGD (lr 0.1) from the same start, the two steps interleaved.
    params = {name: {k: v.copy() for k, v in init.items()} for name in steps_fn}
    losses = {name: [] for name in steps_fn}
    times = {name: [] for name in steps_fn}
    for _ in range(max(steps, repeats)):
        for name in steps_fn:
            loss, ms, out = step(name, params[name])
            losses[name].append(loss)
            times[name].append(ms)
            for (n, _), grad in zip(PARAMS, out[1:]):
                params[name][n] -= 0.1 * grad
    times = {name: float(np.median(t)) for name, t in times.items()}
    steps = max(steps, repeats)

    saved = {"dense": memory(opt, dense_ir), "sparse": memory(opt, sparse_ir)}
    print(f"\n{'':32}{'dense':>12}{'sparse':>12}")
    print(f"{'time per step (ms)':32}{times['dense']:12.3f}{times['sparse']:12.3f}")
    print(f"{'saved activations (B)':32}{saved['dense'][0]:12d}{saved['sparse'][0]:12d}"
          f"   ({100.0 * saved['sparse'][0] / saved['dense'][0]:.1f} %)")
    print(f"{'peak of live saved (B)':32}{saved['dense'][1]:12d}{saved['sparse'][1]:12d}"
          f"   ({100.0 * saved['sparse'][1] / saved['dense'][1]:.1f} %)")
    print(f"{'loss, step 1':32}{losses['dense'][0]:12.4f}{losses['sparse'][0]:12.4f}")
    print(f"{f'loss, step {steps}':32}{losses['dense'][-1]:12.4f}{losses['sparse'][-1]:12.4f}")
    print(f"\ngradient agreement at step 1 (sparse vs dense, same parameters):")
    print(f"  forward result y        max |diff| {forward_diff:.1e}")
    for (n, _), d, s in zip(PARAMS, dense0[1:], sparse0[1:]):
        rel = float(np.abs(d - s).max() / max(1e-30, np.abs(d).max()))
        kind = "exact" if rel < 1e-4 else "DropIT"
        print(f"  d{n:<4} max rel diff {rel:8.1e}  cosine {cosine(d, s):.4f}  ({kind})")

    ptxas = shutil.which("ptxas") or (os.path.exists("/usr/local/cuda/bin/ptxas")
                                      and "/usr/local/cuda/bin/ptxas")
    if ptxas:
        env = dict(os.environ, CUDA_HOME=os.path.dirname(os.path.dirname(ptxas)),
                   PATH=os.path.dirname(ptxas) + os.pathsep + os.environ.get("PATH", ""))
        p = subprocess.run([opt, '--sparse-train-to-nvvm=chip=sm_90 format=bin', "-o", "-"],
                           input=sparse_ir, capture_output=True, text=True, env=env)
        if p.returncode == 0:
            print(f"\nGPU: --sparse-train-to-nvvm=\"chip=sm_90 format=bin\" on the sparse step: "
                  f"{p.stdout.count('gpu.binary')} gpu.binary (cubins by ptxas; not run: "
                  f"no GPU here)")
        else:
            first = p.stderr.strip().splitlines()[0] if p.stderr.strip() else "failed"
            print(f"\nGPU: --sparse-train-to-nvvm on the sparse step stops: {first}")
    # Agreement verdict: forward equal, exact gradients exact.
    ok = forward_diff <= 1e-4 * max(1.0, float(np.abs(dense0[0]).max()))
    print(f"\nforward results {'equal' if ok else 'DIFFER'} (dense vs sparse)")
    return 0 if ok else 1
