#!/usr/bin/env python3
"""Train a small MLP on scikit-learn's digits (bundled with Debian's
python3-sklearn, no download) with the forward and backward pass compiled by
sparse_train, twice: dense, and with the three memory-saving techniques of
the dialect on:

  - slice-drop (SliceOut) keeps a random contiguous half of the hidden units
    per step (the output layer uses the matching rows of W2);
  - min-k retention (DropIT) keeps 10 % of the first layer's input, by
    magnitude, for its weight gradient;
  - block pruning keeps half of the 8x8 blocks of the second layer's saved
    input (the sliced hidden activation) for its weight gradient.

SGD with momentum runs in numpy, with a cosine learning-rate decay. Prints
per-epoch test accuracy, time per step and the bytes each step keeps for the
backward pass, then the best test accuracy each run reached and their gap. Evaluation uses the full
network without slicing (the inverted-dropout scale needs no correction).

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
W = 64                            # hidden units kept by slice-drop
BSR = ("#sparse_tensor.encoding<{map = (i, j) -> (i floordiv 8 : dense, "
       "j floordiv 8 : compressed, i mod 8 : dense, j mod 8 : dense)}>")

COMMON = f"""
#rows = affine_map<(b, j) -> (b, j)>
#bias = affine_map<(b, j) -> (j)>

func.func private @affine_relu(%x: tensor<{B}x{D}xf32>, %w: tensor<{D}x{H}xf32>, %b: tensor<{H}xf32>) -> tensor<{B}x{H}xf32> {{
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<{B}x{H}xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<{B}x{H}xf32>) -> tensor<{B}x{H}xf32>
  %m = linalg.matmul ins(%x, %w : tensor<{B}x{D}xf32>, tensor<{D}x{H}xf32>) outs(%f : tensor<{B}x{H}xf32>) -> tensor<{B}x{H}xf32>
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


def matmul(a, b, m, k, n):
    return (f"linalg.matmul ins({a} : tensor<{m}x{k}xf32>, tensor<{k}x{n}xf32>) "
            f"outs(%zc : tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32>")


DENSE = COMMON + f"""
func.func @step(%x: tensor<{B}x{D}xf32>, %onehot: tensor<{B}x{C}xf32>, %w1: tensor<{D}x{H}xf32>, %b1: tensor<{H}xf32>,
                %w2: tensor<{H}x{C}xf32>, %b2: tensor<{C}xf32>, %seed: i64, %counter: i64)
    -> (tensor<{B}x{C}xf32>, tensor<?x?xf32>, tensor<?xf32>, tensor<?x?xf32>, tensor<?xf32>) {{
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %h = call @affine_relu(%x, %w1, %b1) : (tensor<{B}x{D}xf32>, tensor<{D}x{H}xf32>, tensor<{H}xf32>) -> tensor<{B}x{H}xf32>
  %ec = tensor.empty() : tensor<{B}x{C}xf32>
  %zc = linalg.fill ins(%zero : f32) outs(%ec : tensor<{B}x{C}xf32>) -> tensor<{B}x{C}xf32>
  %z = {matmul("%h, %w2", None, B, H, C)}
  %l, %g = call @logits_grad(%z, %b2, %onehot) : (tensor<{B}x{C}xf32>, tensor<{C}xf32>, tensor<{B}x{C}xf32>) -> (tensor<{B}x{C}xf32>, tensor<{B}x{C}xf32>)
  %hd = tensor.cast %h : tensor<{B}x{H}xf32> to tensor<{B}x?xf32>
  %gd = tensor.cast %g : tensor<{B}x{C}xf32> to tensor<{B}x?xf32>
  %dw2 = call @at_b(%hd, %gd) : (tensor<{B}x?xf32>, tensor<{B}x?xf32>) -> tensor<?x?xf32>
  %db2 = call @column_sums(%gd) : (tensor<{B}x?xf32>) -> tensor<?xf32>
  %w2d = tensor.cast %w2 : tensor<{H}x{C}xf32> to tensor<?x?xf32>
  %dhd = call @a_bt(%gd, %w2d) : (tensor<{B}x?xf32>, tensor<?x?xf32>) -> tensor<{B}x?xf32>
  %dh = tensor.cast %dhd : tensor<{B}x?xf32> to tensor<{B}x{H}xf32>
  %dz = call @relu_grad(%dh, %h, %one) : (tensor<{B}x{H}xf32>, tensor<{B}x{H}xf32>, f32) -> tensor<{B}x{H}xf32>
  %xd = tensor.cast %x : tensor<{B}x{D}xf32> to tensor<{B}x?xf32>
  %dzd = tensor.cast %dz : tensor<{B}x{H}xf32> to tensor<{B}x?xf32>
  %dw1 = call @at_b(%xd, %dzd) : (tensor<{B}x?xf32>, tensor<{B}x?xf32>) -> tensor<?x?xf32>
  %db1 = call @column_sums(%dzd) : (tensor<{B}x?xf32>) -> tensor<?xf32>
  return %l, %dw1, %db1, %dw2, %db2 : tensor<{B}x{C}xf32>, tensor<?x?xf32>, tensor<?xf32>, tensor<?x?xf32>, tensor<?xf32>
}}
""".replace("%h, %w2", "%h, %w2 : tensor<{B}x{H}xf32>, tensor<{H}x{C}xf32>".format(B=B, H=H, C=C), 0)


def build_dense():
    z = (f"linalg.matmul ins(%h, %w2 : tensor<{B}x{H}xf32>, tensor<{H}x{C}xf32>) "
         f"outs(%zc : tensor<{B}x{C}xf32>) -> tensor<{B}x{C}xf32>")
    return DENSE.replace(DENSE[DENSE.index("%z = linalg.matmul"):DENSE.index("\n", DENSE.index("%z = linalg.matmul"))],
                         "%z = " + z)


def build_sparse(granularity="tensor", block_keep=0.5, W=W, min_k_keep=0.1):
    kept_x = (int(np.floor(min_k_keep * B * D + 0.5)) if granularity == "tensor"
              else B * int(np.floor(min_k_keep * D + 0.5)))
    R = f"!sparse_train.retained<{B}x{D}xf32, kept = {kept_x}, bitmask>"
    ST = f"tensor<{B}x{W}xf32, {BSR}>"
    return COMMON + f"""
func.func @step(%x: tensor<{B}x{D}xf32>, %onehot: tensor<{B}x{C}xf32>, %w1: tensor<{D}x{H}xf32>, %b1: tensor<{H}xf32>,
                %w2: tensor<{H}x{C}xf32>, %b2: tensor<{C}xf32>, %seed: i64, %counter: i64)
    -> (tensor<{B}x{C}xf32>, tensor<{D}x{H}xf32>, tensor<?xf32>, tensor<{H}x{C}xf32>, tensor<?xf32>,
        {R}, memref<?xindex>, memref<?xindex>, memref<?xf32>) {{
  %zero = arith.constant 0.0 : f32
  %scale = arith.constant {H / W!r} : f32
  %h = call @affine_relu(%x, %w1, %b1) : (tensor<{B}x{D}xf32>, tensor<{D}x{H}xf32>, tensor<{H}xf32>) -> tensor<{B}x{H}xf32>
  // SliceOut: W of the H hidden units, and the rows of W2 they meet.
  %s = sparse_train.slice_start %seed, %counter extent = {H}, width = {W}, align = 8
  %hs = sparse_train.slice_drop %h, %s dim = 1, width = {W} : tensor<{B}x{H}xf32>
  %w2s = tensor.extract_slice %w2[%s, 0] [{W}, {C}] [1, 1] : tensor<{H}x{C}xf32> to tensor<{W}x{C}xf32>
  %ec = tensor.empty() : tensor<{B}x{C}xf32>
  %zc = linalg.fill ins(%zero : f32) outs(%ec : tensor<{B}x{C}xf32>) -> tensor<{B}x{C}xf32>
  %z = linalg.matmul ins(%hs, %w2s : tensor<{B}x{W}xf32>, tensor<{W}x{C}xf32>) outs(%zc : tensor<{B}x{C}xf32>) -> tensor<{B}x{C}xf32>
  %l, %g = call @logits_grad(%z, %b2, %onehot) : (tensor<{B}x{C}xf32>, tensor<{C}xf32>, tensor<{B}x{C}xf32>) -> (tensor<{B}x{C}xf32>, tensor<{B}x{C}xf32>)
  // Saved for the backward pass: DropIT of x, BSR of the sliced h.
  %x_saved = sparse_train.min_k_retain %x keep_ratio = {min_k_keep!r} granularity = {granularity} : tensor<{B}x{D}xf32>
  %hs_saved = sparse_train.block_prune %hs block = [8, 8] score = l2 select = global_top_k keep_ratio = {block_keep!r}
      : tensor<{B}x{W}xf32> -> {ST}
  %dw2s = sparse_train.bsr_matmul %hs_saved, %g transpose_a : {ST}, tensor<{B}x{C}xf32> -> tensor<{W}x{C}xf32>
  %dw2 = sparse_train.slice_expand %dw2s, %s dim = 0, extent = {H} : tensor<{W}x{C}xf32>
  %gd = tensor.cast %g : tensor<{B}x{C}xf32> to tensor<{B}x?xf32>
  %db2 = call @column_sums(%gd) : (tensor<{B}x?xf32>) -> tensor<?xf32>
  %w2sd = tensor.cast %w2s : tensor<{W}x{C}xf32> to tensor<?x?xf32>
  %dhsd = call @a_bt(%gd, %w2sd) : (tensor<{B}x?xf32>, tensor<?x?xf32>) -> tensor<{B}x?xf32>
  %dhs = tensor.cast %dhsd : tensor<{B}x?xf32> to tensor<{B}x{W}xf32>
  %dh = sparse_train.slice_expand %dhs, %s dim = 1, extent = {H} : tensor<{B}x{W}xf32>
  %dz = call @relu_grad(%dh, %h, %scale) : (tensor<{B}x{H}xf32>, tensor<{B}x{H}xf32>, f32) -> tensor<{B}x{H}xf32>
  %dw1 = sparse_train.min_k_weight_grad %x_saved, %dz : {R}, tensor<{B}x{H}xf32> -> tensor<{D}x{H}xf32>
  %dzd = tensor.cast %dz : tensor<{B}x{H}xf32> to tensor<{B}x?xf32>
  %db1 = call @column_sums(%dzd) : (tensor<{B}x?xf32>) -> tensor<?xf32>
  %pos = sparse_tensor.positions %hs_saved {{level = 1 : index}} : {ST} to memref<?xindex>
  %crd = sparse_tensor.coordinates %hs_saved {{level = 1 : index}} : {ST} to memref<?xindex>
  %val = sparse_tensor.values %hs_saved : {ST} to memref<?xf32>
  return %l, %dw1, %db1, %dw2, %db2, %x_saved, %pos, %crd, %val
      : tensor<{B}x{C}xf32>, tensor<{D}x{H}xf32>, tensor<?xf32>, tensor<{H}x{C}xf32>, tensor<?xf32>,
        {R}, memref<?xindex>, memref<?xindex>, memref<?xf32>
}}
"""


def predict_ir(n):
    return f"""
func.func @predict(%x: tensor<{n}x{D}xf32>, %w1: tensor<{D}x{H}xf32>, %b1: tensor<{H}xf32>,
                   %w2: tensor<{H}x{C}xf32>, %b2: tensor<{C}xf32>) -> tensor<{n}x{C}xf32> {{
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<{n}x{H}xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<{n}x{H}xf32>) -> tensor<{n}x{H}xf32>
  %m = linalg.matmul ins(%x, %w1 : tensor<{n}x{D}xf32>, tensor<{D}x{H}xf32>) outs(%f : tensor<{n}x{H}xf32>) -> tensor<{n}x{H}xf32>
  %h = linalg.generic {{indexing_maps = [affine_map<(b, j) -> (b, j)>, affine_map<(b, j) -> (j)>, affine_map<(b, j) -> (b, j)>],
                       iterator_types = ["parallel", "parallel"]}}
      ins(%m, %b1 : tensor<{n}x{H}xf32>, tensor<{H}xf32>) outs(%e : tensor<{n}x{H}xf32>) {{
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }} -> tensor<{n}x{H}xf32>
  %ec = tensor.empty() : tensor<{n}x{C}xf32>
  %fc = linalg.fill ins(%zero : f32) outs(%ec : tensor<{n}x{C}xf32>) -> tensor<{n}x{C}xf32>
  %z = linalg.matmul ins(%h, %w2 : tensor<{n}x{H}xf32>, tensor<{H}x{C}xf32>) outs(%fc : tensor<{n}x{C}xf32>) -> tensor<{n}x{C}xf32>
  %y = linalg.generic {{indexing_maps = [affine_map<(b, j) -> (b, j)>, affine_map<(b, j) -> (j)>, affine_map<(b, j) -> (b, j)>],
                       iterator_types = ["parallel", "parallel"]}}
      ins(%z, %b2 : tensor<{n}x{C}xf32>, tensor<{C}xf32>) outs(%ec : tensor<{n}x{C}xf32>) {{
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  }} -> tensor<{n}x{C}xf32>
  return %y : tensor<{n}x{C}xf32>
}}
"""


def train(name, step, predict, data, epochs, lr, seed):
    x_train, y_train, x_test, y_test = data
    rng = np.random.default_rng(seed)
    w1 = (rng.standard_normal((D, H)) * np.sqrt(2.0 / D)).astype(np.float32)
    b1 = np.zeros(H, np.float32)
    w2 = (rng.standard_normal((H, C)) * np.sqrt(2.0 / H)).astype(np.float32)
    b2 = np.zeros(C, np.float32)
    onehot = np.eye(C, dtype=np.float32)
    params = [w1, b1, w2, b2]
    velocity = [np.zeros_like(p) for p in params]
    counter = 0
    print(f"== {name} ==")
    accuracy, best = 0.0, 0.0
    for epoch in range(1, epochs + 1):
        # Cosine decay of the learning rate, so that the last epochs settle.
        rate = lr * 0.5 * (1.0 + np.cos(np.pi * (epoch - 1) / epochs))
        order = rng.permutation(len(x_train))
        times, kept, dense = [], 0, 0
        for i in range(0, len(order) - B + 1, B):
            idx = order[i:i + B]
            t0 = time.perf_counter()
            out = step(x_train[idx], onehot[y_train[idx]], w1, b1, w2, b2, 1234, counter)
            times.append(time.perf_counter() - t0)
            counter += 1
            _, dw1, db1, dw2, db2 = out[:5]
            if len(out) > 5:
                retained, pos, crd, val = out[5:]
                kept = (retained.values.nbytes + retained.positions.nbytes
                        + pos.nbytes + crd.nbytes + val.nbytes)
            else:
                kept = B * D * 4 + B * H * 4
            dense = B * D * 4 + B * H * 4
            # SGD with momentum 0.9.
            for p, v, g in zip(params, velocity, (dw1, db1, dw2, db2)):
                v *= 0.9
                v -= rate * g
                p += v
        logits = predict(x_test, w1, b1, w2, b2)
        accuracy = 100.0 * float(np.mean(np.argmax(logits, axis=1) == y_test))
        best = max(best, accuracy)
        print(f"  epoch {epoch:2d}  test accuracy {accuracy:5.1f} %  "
              f"step {1e3 * np.median(times):6.3f} ms  "
              f"saved for backward {kept:6d} B of {dense} B dense ({100.0 * kept / dense:5.1f} %)")
    print(f"  final test accuracy {accuracy:.1f} %, best {best:.1f} %")
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--width", type=int, default=W,
                        help="hidden units kept by slice-drop (of 128)")
    parser.add_argument("--granularity", choices=["tensor", "row"], default="tensor",
                        help="min-k selection over the batch or per sample")
    parser.add_argument("--min-k-keep", type=float, default=0.1,
                        help="fraction of the first layer's input kept")
    parser.add_argument("--block-keep", type=float, default=0.5,
                        help="fraction of the 8x8 blocks of h kept")
    args = parser.parse_args()

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    perm = np.random.default_rng(42).permutation(len(x))
    split = int(0.8 * len(x))
    data = (x[perm[:split]], y[perm[:split]], x[perm[split:]], y[perm[split:]])

    predict = sparse_train.compile(predict_ir(len(data[2])))
    dense = sparse_train.compile(build_dense())
    sparse = sparse_train.compile(build_sparse(args.granularity, args.block_keep, args.width,
                                               args.min_k_keep))
    acc_dense = train("dense", lambda *a: dense.invoke("step", *a),
                      predict, data, args.epochs, args.lr, args.seed)
    acc_sparse = train(f"sparse: slice-drop {args.width}/{H}, min-k {100 * args.min_k_keep:g} % of x, "
                       f"BSR 8x8 {100 * args.block_keep:g} % of h",
                       lambda *a: sparse.invoke("step", *a), predict, data, args.epochs, args.lr, args.seed)
    gap = acc_dense - acc_sparse
    print(f"best test accuracy reached: dense {acc_dense:.1f} %, sparse {acc_sparse:.1f} %: "
          f"gap {gap:+.1f} points ({'within' if gap <= 1.5 else 'NOT within'} 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
