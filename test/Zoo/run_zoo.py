"""Compiles one model of the zoo (examples/zoo) dense and under every apply
pass with sparse-train-to-cpu, runs each step on the model's stored
inputs, and checks:

- dense: y and every gradient equal PyTorch 1.13 autograd's (stored in
  <model>.npz by make_references.py);
- zero-skip (exact): y and the gradients equal the dense step's;
- min-k (every linear and convolution layer but the first) and
  block-prune (the linear ones among them): y and the gradients they leave
  alone equal the dense step's, and the rewritten layers' weight gradients
  follow the technique's definition, g^T X^ (or the convolution's filter
  gradient from X^) with X^ the layer's saved input X after DropIT's min-k
  or after block pruning (numpy, test/Differential/reference.py), X and
  the layer's output gradient g from a float64 numpy run of the model;
- min-k and block-prune at keep ratio 1 (exact): y and every gradient equal
  the dense step's;
- the composed `sparse-train-apply` pipeline (min-k, then zero-skip): the
  same checks together;
- slice-drop (SliceOut on every unit chain, keep 0.5, linear units or
  convolution channels): the forward result
  and gradients equal those of the dense step run with each chain's
  consumer weight restricted to the slice's units (input channels) and
  scaled by N/W, the
  gradient of that weight restricted and scaled the same way (the slice
  start from numpy's Philox, test/Differential/reference.py).

It also checks the number of rewrites each pass reports (remarks) against
the model's structure, so a pass that silently stops matching fails here.
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ZOO = os.path.join(HERE, "..", "..", "examples", "zoo")
sys.path.insert(0, os.path.join(HERE, "..", "Differential"))
sys.path.insert(0, ZOO)
import harness  # noqa: E402
import reference as ref  # noqa: E402
import torch_form as tf  # noqa: E402
from make_references import module_text  # noqa: E402

BLOCK = (4, 8)
MIN_K_KEEP = 0.25
BLOCK_KEEP = 0.5
SLICE_KEEP = 0.5
SLICE_ALIGN = 4
SLICE_SEED = 5


def unit_chains(layers):
    """The consumer of each unit chain (Linear, element-wise layers, Linear;
    or Conv2d, ReLU, Conv2d over channels), in forward order, with the
    units' width."""
    chains = []
    for i, layer in enumerate(layers):
        if isinstance(layer, tf.Residual):
            chains += unit_chains(layer.layers)
        if not isinstance(layer, (tf.Linear, tf.Conv2d)) or i == 0:
            continue
        j = i - 1
        while j > 0 and isinstance(layers[j], (tf.ReLU, tf.GELU)):
            j -= 1
        if j < i - 1 and type(layers[j]) is type(layer):
            chains.append((layer, layer.inputs if isinstance(layer, tf.Linear) else layer.c))
    return chains


def slice_width(extent):
    return max(SLICE_ALIGN, int(SLICE_KEEP * extent) // SLICE_ALIGN * SLICE_ALIGN)


def flat_layers(layers):
    for layer in layers:
        yield layer
        if isinstance(layer, tf.Residual):
            yield from flat_layers(layer.layers)


def numpy_step(layers, arrays, names, form):
    """float64 forward and backward of the model: {Linear or Conv2d:
    (its input X, its output gradient g)}."""
    params = iter(arrays[n].astype(np.float64) for n in names)
    cache = []
    # Convolutions compute in NHWC; torch's images are NCHW.
    to_nhwc = (lambda a: a.transpose(0, 2, 3, 1)) if form == "torch" else (lambda a: a)
    from_nhwc = (lambda a: a.transpose(0, 3, 1, 2)) if form == "torch" else (lambda a: a)

    def forward(seq, h):
        for layer in seq:
            if isinstance(layer, tf.Residual):
                inner = len(cache)
                out = forward(layer.layers, h)
                cache.append((layer, inner))
                h = h + out
                continue
            cache.append((layer, h))
            if isinstance(layer, tf.Linear):
                w, b = next(params), next(params)
                layer.np_w = w.T if form == "torch" else w
                h = h @ layer.np_w + b
            elif isinstance(layer, tf.ReLU):
                h = np.maximum(h, 0)
            elif isinstance(layer, tf.GELU):
                from math import erf
                h = h * 0.5 * (1 + np.vectorize(erf)(h / np.sqrt(2)))
            elif isinstance(layer, tf.Conv2d):
                w, b = next(params), next(params)
                layer.np_w = w.transpose(2, 3, 1, 0) if form == "torch" else w  # HWCF
                y = ref.conv_forward(to_nhwc(h), layer.np_w, [1, 1], [1, 1], [layer.p] * 4)
                h = from_nhwc(y + b)
            elif isinstance(layer, tf.MaxPool2d):
                n, c, hh, ww = h.shape
                h = h.reshape(n, c, hh // 2, 2, ww // 2, 2).max(axis=(3, 5))
            elif isinstance(layer, tf.Flatten):
                h = h.reshape(h.shape[0], -1)
        return h

    forward(layers, arrays["x"].astype(np.float64))
    found = {}

    def backward(entries, g):
        """Back through `entries` (the cache of one sequence, as written);
        returns None at the first layer it cannot differentiate."""
        i = len(entries) - 1
        while i >= 0:
            layer, saved = entries[i]
            if isinstance(layer, tf.Residual):
                # The block's own entries precede it in the cache.
                inner = entries[saved:i]
                gi = backward(inner, g)
                if gi is None:
                    return None
                g = g + gi
                i = saved - 1
                continue
            if isinstance(layer, tf.Linear):
                found[id(layer)] = (saved, g)
                g = g @ layer.np_w.T
            elif isinstance(layer, tf.ReLU):
                g = np.where(saved > 0, g, 0)
            elif isinstance(layer, tf.GELU):
                from math import erf
                cdf = 0.5 * (1 + np.vectorize(erf)(saved / np.sqrt(2)))
                g = g * (cdf + saved * np.exp(-0.5 * saved * saved) / np.sqrt(2 * np.pi))
            elif isinstance(layer, tf.Conv2d):
                found[id(layer)] = (saved, g)
                g = from_nhwc(ref.conv_backward_data(to_nhwc(g), layer.np_w,
                                                     to_nhwc(saved).shape, [1, 1], [1, 1],
                                                     [layer.p] * 4))
            elif isinstance(layer, tf.MaxPool2d):
                # The gradient goes to the first maximum of each window.
                n, c, hh, ww = saved.shape
                windows = saved.reshape(n, c, hh // 2, 2, ww // 2, 2).transpose(0, 1, 2, 4, 3, 5)
                first = windows.reshape(n, c, hh // 2, ww // 2, 4).argmax(axis=4)
                routed = np.eye(4)[first] * g[..., None]
                g = routed.reshape(n, c, hh // 2, ww // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5)
                g = g.reshape(n, c, hh, ww)
            elif isinstance(layer, tf.Flatten):
                g = g.reshape(saved.shape)
            else:
                return None
            i -= 1
        return g

    backward(cache, arrays["gy"].astype(np.float64))
    return found


def min_k(x):
    return ref.min_k_restore(x, ref.min_k_select(x.astype(np.float32), ratio=MIN_K_KEEP))


def block_pruned(x):
    keep = ref.block_select(ref.block_scores(x, *BLOCK, "l1"), "global_top_k",
                            keep_ratio=BLOCK_KEEP)
    return ref.block_mask(x, *BLOCK, keep)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opt", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("model")
    args = parser.parse_args()
    text, layers, (input_shape, params, out_shape), form = module_text(args.model)
    text = text.replace("func.func @train_step(", "func.func @train_step(", 1)
    text = re.sub(r"(func\.func @train_step\(.*\) -> \(.*\)) \{",
                  r"\1 attributes {llvm.emit_c_interface} {", text, count=1)
    names = [n for n, _ in params]
    stored = dict(np.load(os.path.join(ZOO, args.model + ".npz")))
    inputs = [stored["x"]] + [stored[n] for n in names] + [stored["gy"]]
    results = [(len(out_shape), np.float32)] + [(len(s), np.float32) for _, s in params]

    # The layers the apply passes number: linear layers and convolutions,
    # in forward order; all but the first (the network input) are chosen.
    weighted = [l for l in flat_layers(layers) if isinstance(l, (tf.Linear, tf.Conv2d))]
    chosen_layers = weighted[1:]
    chosen_linear = [l for l in chosen_layers if isinstance(l, tf.Linear)]
    # A conv whose input is a ReLU output: forward and filter gradient skip;
    # a conv whose output goes through a ReLU: its data gradient skips when
    # it is computed (not for the first layer).
    flat = list(flat_layers(layers))
    skip_forward = sum(1 for i, l in enumerate(flat)
                       if isinstance(l, tf.Conv2d) and i > 0 and isinstance(flat[i - 1], tf.ReLU))
    skip_data = sum(1 for i, l in enumerate(flat)
                    if isinstance(l, tf.Conv2d) and i > 0 and i + 1 < len(flat)
                    and isinstance(flat[i + 1], tf.ReLU))
    tangent = len(inputs) - 1
    chosen = ",".join(str(i) for i in range(1, len(weighted)))
    common = f"tangents={tangent} layers={chosen}" if chosen else f"tangents={tangent}"
    # run: (pass pipeline, rewrites expected)
    runs = {
        "dense": ("", 0),
        "zero-skip": ("func.func(sparse-train-apply-zero-skip)", 2 * skip_forward + skip_data),
        "min-k": (f"func.func(sparse-train-apply-min-k{{{common} keep-ratio={MIN_K_KEEP}}})",
                  len(chosen_layers)),
        "block-prune": (f"func.func(sparse-train-apply-block-prune{{{common} "
                        f"block-rows={BLOCK[0]} block-cols={BLOCK[1]} keep-ratio={BLOCK_KEEP}}})",
                        len(chosen_linear)),
        # Keep ratio 1: the techniques are exact, the step equals the dense.
        "min-k-1": (f"func.func(sparse-train-apply-min-k{{{common} keep-ratio=1.0}})",
                    len(chosen_layers)),
        "block-prune-1": (f"func.func(sparse-train-apply-block-prune{{{common} "
                          f"block-rows={BLOCK[0]} block-cols={BLOCK[1]} keep-ratio=1.0}})",
                          len(chosen_linear)),
        # min-k takes the chosen layers' weight gradients first; zero-skip
        # then rewrites the forward and data-gradient convolutions.
        "apply": (f"sparse-train-apply{{techniques=min-k,zero-skip {common} "
                  f"keep-ratio={MIN_K_KEEP}}}",
                  len(chosen_layers) + skip_forward + skip_data),
        "slice-drop": (f"func.func(sparse-train-apply-slice-drop{{tangents={tangent} "
                       f"keep-ratio={SLICE_KEEP} align={SLICE_ALIGN} seed={SLICE_SEED}}})",
                       sum(1 for _, extent in unit_chains(layers)
                           if slice_width(extent) < extent)),
    }
    failures = 0
    outputs = {}
    for run, (apply, want) in runs.items():
        workdir = os.path.join(args.workdir, run)
        pipeline = "--sparse-train-to-cpu"
        if apply:
            os.makedirs(workdir, exist_ok=True)
            applied = os.path.join(workdir, "applied.mlir")
            src = os.path.join(workdir, "input.mlir")
            with open(src, "w") as f:
                f.write(text)
            p = subprocess.run([args.opt, src, f"--pass-pipeline=builtin.module({apply})",
                                "-o", applied], capture_output=True, text=True)
            if p.returncode:
                print(f"MISMATCH {run}: the pass failed\n{p.stderr}")
                failures += 1
                continue
            rewrites = sum(1 for line in p.stderr.splitlines()
                           if "remark:" in line and "rewritten" in line
                           and "not rewritten" not in line)
            if rewrites != want:
                failures += 1
                print(f"MISMATCH {run}: {rewrites} rewrites, expected {want}")
            with open(applied) as f:
                module = f.read()
        else:
            module = text
            rewrites = 0
        step = harness.Function(harness.compile_module(module, args.opt, workdir, pipeline=pipeline),
                                "train_step", results)
        if run == "dense":
            dense_step = step
        outputs[run] = step(*[a.copy() for a in inputs])
        print(f"{run}: {rewrites} rewrites")

    def close(a, b, rtol=2e-4):
        scale = max(1.0, float(np.max(np.abs(b))))
        return np.allclose(a, b, rtol=rtol, atol=rtol * scale)

    keys = ["y"] + ["d" + n for n in names]
    dense = outputs.get("dense")
    if dense is None:
        print(f"{args.model}: {failures} mismatches")
        return 1
    for key, got in zip(keys, dense):
        if not close(got, stored[key]):
            failures += 1
            print(f"MISMATCH dense {key}: max |diff| from PyTorch {np.abs(got - stored[key]).max()}")

    found = numpy_step(layers, stored, names, form)
    # Parameter index of each rewritten layer's weight.
    param_index = {}
    index = 0
    for layer in flat_layers(layers):
        if not isinstance(layer, tf.Residual) and layer.parameters():
            param_index[id(layer)] = index
            index += 2
    sparsify = {"min-k": min_k, "apply": min_k, "block-prune": block_pruned}
    for run, got_all in outputs.items():
        if run == "dense":
            continue
        changed = {}
        if run == "slice-drop":
            # SliceOut's definition: the dense step with each chain's
            # consumer weight restricted to the slice's units and scaled
            # (N/W), its gradient then restricted and scaled the same way.
            modified = [a.copy() for a in inputs]
            masks = {}
            for index, (layer, extent) in enumerate(unit_chains(layers)):
                width = slice_width(extent)
                if width >= extent:
                    continue
                start = ref.slice_start(SLICE_SEED, index, extent, width, SLICE_ALIGN)
                unit = np.zeros(extent, np.float32)
                unit[start:start + width] = np.float32(extent / width)
                w = 1 + param_index[id(layer)]
                if isinstance(layer, tf.Conv2d):
                    # The input channels: [F, C, KH, KW] or JAX's [KH, KW, C, F].
                    masks[w] = (unit[None, :, None, None] if form == "torch"
                                else unit[None, None, :, None])
                else:
                    masks[w] = unit[None, :] if form == "torch" else unit[:, None]
                modified[w] = modified[w] * masks[w]
            reference_out = dense_step(*modified)
            changed = {w + 0: reference_out[w] * m for w, m in masks.items()}
            changed.update({i: reference_out[i] for i in range(len(reference_out))
                            if i not in changed})
        if run in sparsify:
            for layer in chosen_linear if run == "block-prune" else chosen_layers:
                x, g = found[id(layer)]
                if isinstance(layer, tf.Conv2d):
                    # Retained in NHWC, the op's layout.
                    nhwc = (0, 2, 3, 1) if form == "torch" else (0, 1, 2, 3)
                    xh = min_k(x.transpose(nhwc).astype(np.float32))
                    dw = ref.conv_backward_filter(xh, g.transpose(nhwc), layer.np_w.shape,
                                                  [1, 1], [1, 1], [layer.p] * 4)
                    if form == "torch":
                        dw = dw.transpose(3, 2, 0, 1)
                else:
                    xh = sparsify[run](x.astype(np.float32)).astype(np.float64)
                    dw = g.T @ xh if form == "torch" else xh.T @ g
                changed[1 + param_index[id(layer)]] = dw
        for i, (key, got) in enumerate(zip(keys, got_all)):
            want = changed.get(i, dense[i])
            if not close(got, want):
                failures += 1
                print(f"MISMATCH {run} {key}: max |diff| {np.abs(got - want).max()}")
    print(f"{args.model}: {len(outputs)} steps, {failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
