#!/usr/bin/env python3
"""Train a small MLP (64-128-128-10) on scikit-learn's digits (bundled with
Debian's python3-sklearn, no download) with the forward and backward pass
compiled by sparse_train, twice: dense, and with the three memory-saving
techniques of the dialect on:

  - slice-drop (SliceOut) keeps a random contiguous half of the first hidden
    layer's units per step (the second layer uses the matching rows of W2);
  - block pruning keeps half of the 8x8 blocks of the second layer's saved
    input (the sliced first hidden activation) for its weight gradient;
  - min-k retention (DropIT) keeps 10 % of the third layer's saved input, by
    magnitude, for its weight gradient.

The first layer's input (the raw pixels) is saved dense: the DropIT
reference runs leave the first layer alone, and docs/Python.md shows what
min-k on the pixels costs.

SGD with momentum runs in numpy, with a cosine learning-rate decay. Prints
per-epoch test accuracy, time per step and the bytes each step keeps for the
weight gradients, then the best test accuracy each run reached and their gap.
Evaluation uses the full network without slicing (the inverted-dropout scale
needs no correction).

    PYTHONPATH=build/python_packages /usr/bin/python3 examples/train_mlp_digits.py
"""

import argparse
import os
import sys
import time

import numpy as np

try:
    import sparse_train
except ImportError:  # run from the source tree after `make`
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "build", "python_packages"))
    import sparse_train

from sklearn.datasets import load_digits

B, D, H, C = 32, 64, 128, 10      # batch, inputs, hidden units, classes
W = 64                            # first-layer hidden units kept by slice-drop
BSR = ("#sparse_tensor.encoding<{map = (i, j) -> (i floordiv 8 : dense, "
       "j floordiv 8 : compressed, i mod 8 : dense, j mod 8 : dense)}>")

HELPERS = f"""
#rows = affine_map<(b, j) -> (b, j)>
#bias = affine_map<(b, j) -> (j)>

// relu(x w + b) for x [B x k], w [k x H].
func.func private @affine_relu(%x: tensor<{B}x?xf32>, %w: tensor<?x{H}xf32>, %b: tensor<{H}xf32>) -> tensor<{B}x{H}xf32> {{
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<{B}x{H}xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<{B}x{H}xf32>) -> tensor<{B}x{H}xf32>
  %m = linalg.matmul ins(%x, %w : tensor<{B}x?xf32>, tensor<?x{H}xf32>) outs(%f : tensor<{B}x{H}xf32>) -> tensor<{B}x{H}xf32>
  %h = linalg.generic {{indexing_maps = [#rows, #bias, #rows], iterator_types = ["parallel", "parallel"]}}
      ins(%m, %b : tensor<{B}x{H}xf32>, tensor<{H}xf32>) outs(%e : tensor<{B}x{H}xf32>) {{
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }} -> tensor<{B}x{H}xf32>
  return %h : tensor<{B}x{H}xf32>
}}

// Softmax cross-entropy gradient (p - onehot) / B of logits z + bias.
func.func private @logits_grad(%z: tensor<{B}x{C}xf32>, %b: tensor<{C}xf32>, %onehot: tensor<{B}x{C}xf32>)
    -> (tensor<{B}x{C}xf32>, tensor<{B}x{C}xf32>) {{
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %inv = arith.constant {1.0 / B!r} : f32
  %e = tensor.empty() : tensor<{B}x{C}xf32>
  %l = linalg.generic {{indexing_maps = [#rows, #bias, #rows], iterator_types = ["parallel", "parallel"]}}
      ins(%z, %b : tensor<{B}x{C}xf32>, tensor<{C}xf32>) outs(%e : tensor<{B}x{C}xf32>) {{
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  }} -> tensor<{B}x{C}xf32>
  %re = tensor.empty() : tensor<{B}xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%re : tensor<{B}xf32>) -> tensor<{B}xf32>
  %mx = linalg.generic {{indexing_maps = [#rows, affine_map<(b, j) -> (b)>], iterator_types = ["parallel", "reduction"]}}
      ins(%l : tensor<{B}x{C}xf32>) outs(%mi : tensor<{B}xf32>) {{
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  }} -> tensor<{B}xf32>
  %ex = linalg.generic {{indexing_maps = [#rows, affine_map<(b, j) -> (b)>, #rows], iterator_types = ["parallel", "parallel"]}}
      ins(%l, %mx : tensor<{B}x{C}xf32>, tensor<{B}xf32>) outs(%e : tensor<{B}x{C}xf32>) {{
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %x = math.exp %d : f32
    linalg.yield %x : f32
  }} -> tensor<{B}x{C}xf32>
  %zi = linalg.fill ins(%zero : f32) outs(%re : tensor<{B}xf32>) -> tensor<{B}xf32>
  %sum = linalg.generic {{indexing_maps = [#rows, affine_map<(b, j) -> (b)>], iterator_types = ["parallel", "reduction"]}}
      ins(%ex : tensor<{B}x{C}xf32>) outs(%zi : tensor<{B}xf32>) {{
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %o : f32
    linalg.yield %r : f32
  }} -> tensor<{B}xf32>
  %g = linalg.generic {{indexing_maps = [#rows, affine_map<(b, j) -> (b)>, #rows, #rows], iterator_types = ["parallel", "parallel"]}}
      ins(%ex, %sum, %onehot : tensor<{B}x{C}xf32>, tensor<{B}xf32>, tensor<{B}x{C}xf32>) outs(%e : tensor<{B}x{C}xf32>) {{
  ^bb0(%a: f32, %s: f32, %t: f32, %o: f32):
    %p = arith.divf %a, %s : f32
    %d = arith.subf %p, %t : f32
    %r = arith.mulf %d, %inv : f32
    linalg.yield %r : f32
  }} -> tensor<{B}x{C}xf32>
  return %l, %g : tensor<{B}x{C}xf32>, tensor<{B}x{C}xf32>
}}

func.func private @column_sums(%g: tensor<{B}x?xf32>) -> tensor<?xf32> {{
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %n = tensor.dim %g, %c1 : tensor<{B}x?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %s = linalg.generic {{indexing_maps = [#rows, #bias], iterator_types = ["reduction", "parallel"]}}
      ins(%g : tensor<{B}x?xf32>) outs(%z : tensor<?xf32>) {{
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %o : f32
    linalg.yield %r : f32
  }} -> tensor<?xf32>
  return %s : tensor<?xf32>
}}

// a^T b for a [B x m], b [B x n].
func.func private @at_b(%a: tensor<{B}x?xf32>, %b: tensor<{B}x?xf32>) -> tensor<?x?xf32> {{
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %m = tensor.dim %a, %c1 : tensor<{B}x?xf32>
  %n = tensor.dim %b, %c1 : tensor<{B}x?xf32>
  %e = tensor.empty(%m, %n) : tensor<?x?xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>]
      ins(%a, %b : tensor<{B}x?xf32>, tensor<{B}x?xf32>) outs(%z : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}}

// a b^T for a [B x n], b [m x n].
func.func private @a_bt(%a: tensor<{B}x?xf32>, %b: tensor<?x?xf32>) -> tensor<{B}x?xf32> {{
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %m = tensor.dim %b, %c0 : tensor<?x?xf32>
  %e = tensor.empty(%m) : tensor<{B}x?xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<{B}x?xf32>) -> tensor<{B}x?xf32>
  %r = linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (j, k)>, affine_map<(i, j, k) -> (i, j)>]
      ins(%a, %b : tensor<{B}x?xf32>, tensor<?x?xf32>) outs(%z : tensor<{B}x?xf32>) -> tensor<{B}x?xf32>
  return %r : tensor<{B}x?xf32>
}}

// dz = g * scale where h > 0.
func.func private @relu_grad(%g: tensor<{B}x{H}xf32>, %h: tensor<{B}x{H}xf32>, %scale: f32) -> tensor<{B}x{H}xf32> {{
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<{B}x{H}xf32>
  %r = linalg.generic {{indexing_maps = [#rows, #rows, #rows], iterator_types = ["parallel", "parallel"]}}
      ins(%g, %h : tensor<{B}x{H}xf32>, tensor<{B}x{H}xf32>) outs(%e : tensor<{B}x{H}xf32>) {{
  ^bb0(%a: f32, %v: f32, %o: f32):
    %p = arith.cmpf ogt, %v, %zero : f32
    %s = arith.mulf %a, %scale : f32
    %r = arith.select %p, %s, %zero : f32
    linalg.yield %r : f32
  }} -> tensor<{B}x{H}xf32>
  return %r : tensor<{B}x{H}xf32>
}}
"""


def t(*shape, enc=None):
    """The f32 tensor type of `shape` (None is a dynamic size)."""
    dims = "x".join("?" if d is None else str(d) for d in shape)
    return f"tensor<{dims}xf32{', ' + enc if enc else ''}>"


class Body:
    """The lines of a function body."""

    def __init__(self):
        self.lines = []

    def __call__(self, line):
        self.lines.append("  " + line)

    def cast(self, value, src, dst):
        """`value` as type `dst` (a tensor.cast when `src` differs)."""
        if src == dst:
            return value
        name = f"{value}_{len(self.lines)}"
        self(f"{name} = tensor.cast {value} : {src} to {dst}")
        return name

    def call(self, result, fn, args, result_type):
        """`result = fn(args)`; each arg is (value, its type, parameter type)."""
        values = [self.cast(v, s, d) for v, s, d in args]
        self(f"{result} = call @{fn}({', '.join(values)}) : "
             f"({', '.join(d for _, _, d in args)}) -> {result_type}")


def build_step(sparse, block_keep=0.5, width=W, min_k_keep=0.1, granularity="tensor"):
    """The training step: logits and the six parameter gradients, plus (when
    sparse) what is saved for the weight gradients of layers 2 and 3."""
    w = width if sparse else H
    b = Body()
    b("%zero = arith.constant 0.0 : f32")
    b("%one = arith.constant 1.0 : f32")
    b.call("%h1", "affine_relu", [("%x", t(B, D), t(B, None)), ("%w1", t(D, H), t(None, H)),
                                  ("%b1", t(H), t(H))], t(B, H))
    if sparse:
        b(f"// SliceOut: {w} of the {H} first-layer units, and the rows of W2 they meet.")
        b(f"%s = sparse_train.slice_start %seed, %counter extent = {H}, width = {w}, align = 8")
        b(f"%h1s = sparse_train.slice_drop %h1, %s dim = 1, width = {w} : {t(B, H)}")
        b(f"%w2s = tensor.extract_slice %w2[%s, 0] [{w}, {H}] [1, 1] : {t(H, H)} to {t(w, H)}")
        b(f"%scale = arith.constant {H / w!r} : f32")
        h1s, w2s, scale = "%h1s", "%w2s", "%scale"
    else:
        h1s, w2s, scale = "%h1", "%w2", "%one"
    b.call("%h2", "affine_relu", [(h1s, t(B, w), t(B, None)), (w2s, t(w, H), t(None, H)),
                                  ("%b2", t(H), t(H))], t(B, H))
    b(f"%ec = tensor.empty() : {t(B, C)}")
    b(f"%zc = linalg.fill ins(%zero : f32) outs(%ec : {t(B, C)}) -> {t(B, C)}")
    b(f"%z = linalg.matmul ins(%h2, %w3 : {t(B, H)}, {t(H, C)}) outs(%zc : {t(B, C)}) -> {t(B, C)}")
    b.call("%l, %g", "logits_grad", [("%z", t(B, C), t(B, C)), ("%b3", t(C), t(C)),
                                     ("%onehot", t(B, C), t(B, C))], f"({t(B, C)}, {t(B, C)})")
    if sparse:
        kept = (int(np.floor(min_k_keep * B * H + 0.5)) if granularity == "tensor"
                else B * int(np.floor(min_k_keep * H + 0.5)))
        R = f"!sparse_train.retained<{B}x{H}xf32, kept = {kept}, bitmask>"
        ST = t(B, w, enc=BSR)
        b("// Saved for the weight gradients: BSR of the sliced h1, DropIT of h2.")
        b(f"%h1_saved = sparse_train.block_prune %h1s block = [8, 8] score = l2 "
          f"select = global_top_k keep_ratio = {block_keep!r} : {t(B, w)} -> {ST}")
        b(f"%h2_saved = sparse_train.min_k_retain %h2 keep_ratio = {min_k_keep!r} "
          f"granularity = {granularity} : {t(B, H)}")
        b(f"%dw3 = sparse_train.min_k_weight_grad %h2_saved, %g : {R}, {t(B, C)} -> {t(H, C)}")
    else:
        b.call("%dw3", "at_b", [("%h2", t(B, H), t(B, None)), ("%g", t(B, C), t(B, None))],
               t(None, None))
    b.call("%db3", "column_sums", [("%g", t(B, C), t(B, None))], t(None))
    b.call("%dh2", "a_bt", [("%g", t(B, C), t(B, None)), ("%w3", t(H, C), t(None, None))],
           t(B, None))
    b.call("%dz2", "relu_grad", [("%dh2", t(B, None), t(B, H)), ("%h2", t(B, H), t(B, H)),
                                 ("%one", "f32", "f32")], t(B, H))
    if sparse:
        b(f"%dw2s = sparse_train.bsr_matmul %h1_saved, %dz2 transpose_a : {ST}, {t(B, H)} -> {t(w, H)}")
        b(f"%dw2 = sparse_train.slice_expand %dw2s, %s dim = 0, extent = {H} : {t(w, H)}")
    else:
        b.call("%dw2", "at_b", [("%h1", t(B, H), t(B, None)), ("%dz2", t(B, H), t(B, None))],
               t(None, None))
    b.call("%db2", "column_sums", [("%dz2", t(B, H), t(B, None))], t(None))
    b.call("%dh1s", "a_bt", [("%dz2", t(B, H), t(B, None)), (w2s, t(w, H), t(None, None))],
           t(B, None))
    if sparse:
        b(f"%dh1sd = tensor.cast %dh1s : {t(B, None)} to {t(B, w)}")
        b(f"%dh1 = sparse_train.slice_expand %dh1sd, %s dim = 1, extent = {H} : {t(B, w)}")
        dh1 = ("%dh1", t(B, H), t(B, H))
    else:
        dh1 = ("%dh1s", t(B, None), t(B, H))
    b.call("%dz1", "relu_grad", [dh1, ("%h1", t(B, H), t(B, H)), (scale, "f32", "f32")], t(B, H))
    b.call("%dw1", "at_b", [("%x", t(B, D), t(B, None)), ("%dz1", t(B, H), t(B, None))],
           t(None, None))
    b.call("%db1", "column_sums", [("%dz1", t(B, H), t(B, None))], t(None))
    results = ["%l", "%dw1", "%db1", "%dw2", "%db2", "%dw3", "%db3"]
    types = [t(B, C), t(None, None), t(None), t(H, H) if sparse else t(None, None), t(None),
             t(H, C) if sparse else t(None, None), t(None)]
    if sparse:
        b(f"%pos = sparse_tensor.positions %h1_saved {{level = 1 : index}} : {ST} to memref<?xindex>")
        b(f"%crd = sparse_tensor.coordinates %h1_saved {{level = 1 : index}} : {ST} to memref<?xindex>")
        b(f"%val = sparse_tensor.values %h1_saved : {ST} to memref<?xf32>")
        results += ["%h2_saved", "%pos", "%crd", "%val"]
        types += [R, "memref<?xindex>", "memref<?xindex>", "memref<?xf32>"]
    signature = (f"%x: {t(B, D)}, %onehot: {t(B, C)}, %w1: {t(D, H)}, %b1: {t(H)}, "
                 f"%w2: {t(H, H)}, %b2: {t(H)}, %w3: {t(H, C)}, %b3: {t(C)}, %seed: i64, %counter: i64")
    return (HELPERS + f"func.func @step({signature})\n    -> ({', '.join(types)}) {{\n"
            + "\n".join(b.lines)
            + f"\n  return {', '.join(results)} : {', '.join(types)}\n}}\n")


def predict_ir(n):
    """Logits of the full network (no slicing) for n samples."""
    def layer(out, inp, k, w, bias, m, relu):
        act = ("    %r = arith.maximumf %s, %zero : f32\n    linalg.yield %r : f32" if relu
               else "    linalg.yield %s : f32")
        return f"""
  %e{out} = tensor.empty() : {t(n, m)}
  %f{out} = linalg.fill ins(%zero : f32) outs(%e{out} : {t(n, m)}) -> {t(n, m)}
  %m{out} = linalg.matmul ins({inp}, {w} : {t(n, k)}, {t(k, m)}) outs(%f{out} : {t(n, m)}) -> {t(n, m)}
  %{out} = linalg.generic {{indexing_maps = [affine_map<(b, j) -> (b, j)>, affine_map<(b, j) -> (j)>,
                                          affine_map<(b, j) -> (b, j)>],
                         iterator_types = ["parallel", "parallel"]}}
      ins(%m{out}, {bias} : {t(n, m)}, {t(m)}) outs(%e{out} : {t(n, m)}) {{
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
{act}
  }} -> {t(n, m)}"""
    return (f"func.func @predict(%x: {t(n, D)}, %w1: {t(D, H)}, %b1: {t(H)}, %w2: {t(H, H)}, "
            f"%b2: {t(H)}, %w3: {t(H, C)}, %b3: {t(C)}) -> {t(n, C)} {{\n"
            "  %zero = arith.constant 0.0 : f32"
            + layer("h1", "%x", D, "%w1", "%b1", H, True)
            + layer("h2", "%h1", H, "%w2", "%b2", H, True)
            + layer("y", "%h2", H, "%w3", "%b3", C, False)
            + f"\n  return %y : {t(n, C)}\n}}\n")


def train(name, step, predict, data, epochs, lr, seed):
    x_train, y_train, x_test, y_test = data
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in ((D, H), (H, H), (H, C)):
        params.append((rng.standard_normal((fan_in, fan_out))
                       * np.sqrt(2.0 / fan_in)).astype(np.float32))
        params.append(np.zeros(fan_out, np.float32))
    onehot = np.eye(C, dtype=np.float32)
    velocity = [np.zeros_like(p) for p in params]
    dense = B * D * 4 + 2 * B * H * 4  # x, h1 and h2, which the weight gradients read
    counter = 0
    print(f"== {name} ==")
    accuracy, best = 0.0, 0.0
    for epoch in range(1, epochs + 1):
        # Cosine decay of the learning rate, so that the last epochs settle.
        rate = lr * 0.5 * (1.0 + np.cos(np.pi * (epoch - 1) / epochs))
        order = rng.permutation(len(x_train))
        times, kept = [], dense
        for i in range(0, len(order) - B + 1, B):
            idx = order[i:i + B]
            t0 = time.perf_counter()
            out = step(x_train[idx], onehot[y_train[idx]], *params, 1234, counter)
            times.append(time.perf_counter() - t0)
            counter += 1
            if len(out) > 7:
                retained, pos, crd, val = out[7:]
                kept = (B * D * 4 + retained.values.nbytes + retained.positions.nbytes
                        + pos.nbytes + crd.nbytes + val.nbytes)
            # SGD with momentum 0.9.
            for p, v, g in zip(params, velocity, out[1:7]):
                v *= 0.9
                v -= rate * g
                p += v
        logits = predict(x_test, *params)
        accuracy = 100.0 * float(np.mean(np.argmax(logits, axis=1) == y_test))
        best = max(best, accuracy)
        print(f"  epoch {epoch:2d}  test accuracy {accuracy:5.1f} %  "
              f"step {1e3 * np.median(times):6.3f} ms  saved for weight gradients "
              f"{kept:6d} B of {dense} B dense ({100.0 * kept / dense:5.1f} %)")
    print(f"  final test accuracy {accuracy:.1f} %, best {best:.1f} %")
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--width", type=int, default=W,
                        help=f"first-layer hidden units kept by slice-drop (of {H})")
    parser.add_argument("--granularity", choices=["tensor", "row"], default="tensor",
                        help="min-k selection over the batch or per sample")
    parser.add_argument("--min-k-keep", type=float, default=0.1,
                        help="fraction of the third layer's input kept")
    parser.add_argument("--block-keep", type=float, default=0.5,
                        help="fraction of the 8x8 blocks of the second layer's input kept")
    args = parser.parse_args()

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    perm = np.random.default_rng(42).permutation(len(x))
    split = int(0.8 * len(x))
    data = (x[perm[:split]], y[perm[:split]], x[perm[split:]], y[perm[split:]])

    predict = sparse_train.compile(predict_ir(len(data[2])))
    dense = sparse_train.compile(build_step(False))
    sparse = sparse_train.compile(build_step(True, args.block_keep, args.width,
                                             args.min_k_keep, args.granularity))
    acc_dense = train("dense", lambda *a: dense.invoke("step", *a),
                      predict, data, args.epochs, args.lr, args.seed)
    acc_sparse = train(f"sparse: slice-drop {args.width}/{H} of h1, BSR 8x8 "
                       f"{100 * args.block_keep:g} % of h1, min-k {100 * args.min_k_keep:g} % of h2",
                       lambda *a: sparse.invoke("step", *a), predict, data,
                       args.epochs, args.lr, args.seed)
    gap = acc_dense - acc_sparse
    print(f"best test accuracy reached: dense {acc_dense:.1f} %, sparse {acc_sparse:.1f} %: "
          f"gap {gap:+.1f} points ({'within' if gap <= 1.5 else 'NOT within'} 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
