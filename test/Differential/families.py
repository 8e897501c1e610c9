"""Case generators of the differential tests, one per op family."""

import itertools
from dataclasses import dataclass
from typing import Callable, List

import numpy as np

import reference as ref
from cases_common import (FLOAT_TYPES, close, compute_dtype, from_elem,
                          same_bits_or_nan, to_elem, ttype, values)
import harness

NP = harness.NUMPY_OF


@dataclass
class Case:
    op: str
    name: str
    description: str
    ir: str
    args: list
    results: list  # [(rank, numpy dtype)]
    check: Callable


def _func(name, params, results, body):
    res = ", ".join(results)
    return (f"func.func @{name}({', '.join(params)}) -> ({res}) "
            f"attributes {{llvm.emit_c_interface}} {{\n{body}\n}}")


def _shape(rng, rank, odd=True):
    pool = [1, 2, 3, 5, 7, 8, 13, 16, 17] if odd else [2, 4, 8, 16]
    return [int(rng.choice(pool)) for _ in range(rank)]


# --- slice-drop -----------------------------------------------------------------

def slice_family(rng) -> List[Case]:
    cases = []
    # slice_start: Philox and the start formula, extreme seeds and counters.
    specials = [0, 1, -1, 2 ** 32 - 1, 2 ** 63 - 1, -(2 ** 63)]
    for i in range(40):
        extent = int(rng.choice([1, 2, 7, 64, 1000, 2 ** 20, 2 ** 32 + 5]))
        width = int(rng.integers(1, extent + 1))
        align = int(rng.choice([1, 1, 2, 8, 3]))
        seed = int(rng.choice(specials)) if i % 4 == 0 else int(rng.integers(-2 ** 63, 2 ** 63 - 1))
        ctr = int(rng.choice(specials)) if i % 5 == 0 else int(rng.integers(-2 ** 63, 2 ** 63 - 1))
        name = f"slice_start_{i}"
        body = (f"  %s = sparse_train.slice_start %seed, %ctr extent = {extent}, width = {width}, align = {align}\n"
                f"  %t = tensor.from_elements %s : tensor<1xindex>\n  return %t : tensor<1xindex>")
        ir = _func(name, ["%seed: i64", "%ctr: i64"], ["tensor<1xindex>"], body)
        expected = ref.slice_start(seed, ctr, extent, width, align)

        def check(out, expected=expected):
            got = int(out[0][0])
            return None if got == expected else f"{got} != {expected}"
        cases.append(Case("slice_start", name, f"extent {extent} width {width} align {align}",
                          ir, [seed, ctr], [(1, np.int64)], check))

    kinds = ["normal", "special", "ties", "zeros"]
    for i in range(40):
        elem = FLOAT_TYPES[i % 4]
        rank = int(rng.integers(1, 5))
        shape = _shape(rng, rank)
        dim = int(rng.integers(0, rank))
        extent = shape[dim]
        width = int(rng.integers(1, extent + 1))
        start = int(rng.integers(0, extent - width + 1))
        scale = None if i % 3 else float(rng.choice([0.5, 1.25, 3.0, 1.0]))
        x = values(rng, shape, kinds[i % 4], elem)
        out_shape = list(shape)
        out_shape[dim] = width
        scale_attr = "" if scale is None else f", scale = {scale!r}"
        name = f"slice_drop_{i}"
        body = (f"  %y = sparse_train.slice_drop %x, %s dim = {dim}, width = {width}{scale_attr} : {ttype(shape, elem)}\n"
                f"  return %y : {ttype(out_shape, elem)}")
        ir = _func(name, [f"%x: {ttype(shape, elem)}", "%s: index"], [ttype(out_shape, elem)], body)
        xv = from_elem(x, elem).astype(compute_dtype(elem) if elem != "bf16" else np.float32)
        expected = ref.slice_drop(xv, start, dim, width, scale)
        if elem == "bf16":
            expected = harness.bf16_bits(expected)
        cases.append(Case("slice_drop", name, f"{elem} {shape} dim {dim} width {width} scale {scale}",
                          ir, [x, start], [(rank, NP[elem])],
                          lambda out, e=expected, el=elem: same_bits_or_nan(out[0], e, el)))

    for i in range(30):
        elem = FLOAT_TYPES[i % 4]
        rank = int(rng.integers(1, 4))
        shape = _shape(rng, rank)
        dim = int(rng.integers(0, rank))
        width = shape[dim]
        extent = width + int(rng.integers(0, 9))
        start = int(rng.integers(0, extent - width + 1))
        y = values(rng, shape, kinds[i % 4], elem)
        out_shape = list(shape)
        out_shape[dim] = extent
        name = f"slice_expand_{i}"
        body = (f"  %z = sparse_train.slice_expand %y, %s dim = {dim}, extent = {extent} : {ttype(shape, elem)}\n"
                f"  return %z : {ttype(out_shape, elem)}")
        ir = _func(name, [f"%y: {ttype(shape, elem)}", "%s: index"], [ttype(out_shape, elem)], body)
        expected = ref.slice_expand(y, start, dim, extent)
        cases.append(Case("slice_expand", name, f"{elem} {shape} dim {dim} extent {extent}",
                          ir, [y, start], [(rank, NP[elem])],
                          lambda out, e=expected, el=elem: same_bits_or_nan(out[0], e, el)))

    # slice_expand(slice_drop(x)) == x masked to the slice, times the scale.
    for i in range(10):
        elem = "f32"
        shape = _shape(rng, 2)
        dim = i % 2
        width = int(rng.integers(1, shape[dim] + 1))
        start = int(rng.integers(0, shape[dim] - width + 1))
        x = values(rng, shape, "normal", elem)
        name = f"slice_relation_{i}"
        out_shape = list(shape)
        out_shape[dim] = width
        body = (f"  %y = sparse_train.slice_drop %x, %s dim = {dim}, width = {width} : {ttype(shape, elem)}\n"
                f"  %z = sparse_train.slice_expand %y, %s dim = {dim}, extent = {shape[dim]} : {ttype(out_shape, elem)}\n"
                f"  return %z : {ttype(shape, elem)}")
        ir = _func(name, [f"%x: {ttype(shape, elem)}", "%s: index"], [ttype(shape, elem)], body)
        mask = np.zeros(shape, dtype=bool)
        index = [slice(None)] * 2
        index[dim] = slice(start, start + width)
        mask[tuple(index)] = True
        expected = np.where(mask, x * np.float32(shape[dim] / width), np.float32(0.0)).astype(np.float32)
        cases.append(Case("slice_expand(slice_drop)", name, f"{shape} dim {dim} width {width}",
                          ir, [x, start], [(2, np.float32)],
                          lambda out, e=expected: same_bits_or_nan(out[0], e, "f32")))
    return cases


# --- min-k retention ---------------------------------------------------------------

def _retained_type(shape, elem, kept, encoding):
    dims = "".join(f"{d}x" for d in shape)
    return f"!sparse_train.retained<{dims}{elem}, kept = {kept}, {encoding}>"


def _min_k_retain_case(name, x, elem, encoding, row, keep, ratio, kind):
    """A min_k_retain case on x (element type elem) against the numpy oracle."""
    shape = list(x.shape)
    xv = from_elem(x, elem)
    kept_idx = ref.min_k_select(xv, ratio=ratio, keep=keep, row=row)
    kept = len(kept_idx)
    numel = int(np.prod(shape))
    attr = f"keep = {keep}" if keep is not None else f"keep_ratio = {ratio!r}"
    gran = " granularity = row" if row else ""
    rtype = _retained_type(shape, elem, kept, encoding)
    body = (f"  %r = sparse_train.min_k_retain %x {attr}{gran} encoding = {encoding} : {ttype(shape, elem)}\n"
            f"  return %r : {rtype}")
    ir = _func(name, [f"%x: {ttype(shape, elem)}"], [rtype], body)
    exp_values = x.reshape(-1)[kept_idx]
    if encoding == "indices":
        exp_pos = kept_idx.astype(np.int32)
    else:
        exp_pos = ref.encode_bitmask(kept_idx, numel)

    def check(out, ev=exp_values, ep=exp_pos, el=elem):
        msg = same_bits_or_nan(out[0], ev, el)
        if msg:
            return "values " + msg
        if out[1].shape != ep.shape or not np.array_equal(out[1], ep):
            return f"positions {out[1].tolist()} != {ep.tolist()}"
        return None
    return Case(f"min_k_retain ({encoding}, {'row' if row else 'tensor'})", name,
                f"{elem} {shape} {attr} {kind}", ir, [x], [(1, NP[elem]), (1, np.int32)], check)


def min_k_family(rng) -> List[Case]:
    cases = []
    kinds = ["normal", "ties", "special", "zeros", "scales", "relu"]
    for i in range(96):
        elem = FLOAT_TYPES[i % 4]
        encoding = ["bitmask", "indices"][(i // 4) % 2]
        row = (i // 8) % 2 == 1
        kind = kinds[(i // 16) % len(kinds)]
        rank = int(rng.integers(1, 4))
        shape = _shape(rng, rank)
        n = shape[-1] if row else int(np.prod(shape))
        if i % 3 == 0:
            keep, ratio = int(rng.integers(0, n + 1)), None
        else:
            keep, ratio = None, float(rng.choice([0.0, 0.1, 0.25, 0.5, 0.9, 1.0, 0.3]))
        x = values(rng, shape, kind, elem)
        cases.append(_min_k_retain_case(f"min_k_retain_{i}", x, elem, encoding, row, keep, ratio,
                                        kind))
    # Sets larger than the 65536 keys the CPU kernel samples: its bracket,
    # ties at the threshold across many vectors, and a pattern whose strided
    # sample misleads the bracket, which the kernel must detect and redo.
    large = [([256, 300], "tensor", "bitmask", 0.1, "normal"),
             ([300, 256], "tensor", "indices", 0.6, "relu"),
             ([131072], "tensor", "bitmask", 0.5, "alternating"),
             ([70000], "tensor", "indices", 0.3, "special"),
             ([3, 70016], "row", "bitmask", 0.25, "ties"),
             ([2, 66000], "row", "indices", 0.01, "normal"),
             # Bitmask, keep <= 1/5: the one-pass form, its fix-up, and its
             # ways back to two passes (a misled bracket; T at the bracket's
             # bottom, among the zeros of a 95 % sparse input).
             ([131072], "tensor", "bitmask", 0.1, "alternating"),
             ([2, 65536], "row", "bitmask", 0.1, "ties"),
             ([100000], "tensor", "bitmask", 0.1, "mostly_zeros"),
             ([70016], "tensor", "bitmask", 0.15, "special"),
             ([3, 65600], "row", "bitmask", 0.2, "relu")]
    for i, (shape, gran, encoding, ratio, kind) in enumerate(large):
        if kind == "alternating":
            # Runs of 16 tiny values every 32: the kernel samples runs of
            # a vector at a stride of 32 here.
            x = rng.standard_normal(shape).astype(np.float32)
            x[(np.arange(x.size) // 16) % 2 == 0] *= 1e-6
        elif kind == "mostly_zeros":
            x = rng.standard_normal(shape).astype(np.float32)
            x[rng.random(shape) < 0.95] = 0.0
        else:
            x = values(rng, shape, kind, "f32")
        cases.append(_min_k_retain_case(f"min_k_retain_large_{i}", x, "f32", encoding,
                                        gran == "row", None, ratio, kind))

    # restore(retain(x)) is x on the kept places and +0.0 elsewhere.
    for i in range(30):
        elem = FLOAT_TYPES[i % 4]
        encoding = ["bitmask", "indices"][i % 2]
        shape = _shape(rng, int(rng.integers(1, 4)))
        ratio = float(rng.choice([0.0, 0.2, 0.5, 1.0]))
        x = values(rng, shape, kinds[i % len(kinds)], elem)
        kept_idx = ref.min_k_select(from_elem(x, elem), ratio=ratio)
        rtype = _retained_type(shape, elem, len(kept_idx), encoding)
        name = f"min_k_restore_{i}"
        body = (f"  %r = sparse_train.min_k_retain %x keep_ratio = {ratio!r} encoding = {encoding} : {ttype(shape, elem)}\n"
                f"  %d = sparse_train.min_k_restore %r : {rtype}\n  return %d : {ttype(shape, elem)}")
        ir = _func(name, [f"%x: {ttype(shape, elem)}"], [ttype(shape, elem)], body)
        expected = ref.min_k_restore(x, kept_idx)
        cases.append(Case("min_k_restore", name, f"{elem} {shape} ratio {ratio} {encoding}", ir, [x],
                          [(len(shape), NP[elem])],
                          lambda out, e=expected, el=elem: same_bits_or_nan(out[0], e, el)))
    # Sets spanning several chunks of the CPU kernels (16384 elements), which
    # run in parallel, with a partial last chunk.
    for i, (shape, encoding, ratio, kind) in enumerate(
            [([131072], "bitmask", 0.1, "normal"), ([70000], "indices", 0.3, "relu"),
             ([3, 70016], "bitmask", 0.5, "ties"), ([50001], "bitmask", 0.7, "special")]):
        x = values(rng, shape, kind, "f32")
        kept_idx = ref.min_k_select(x, ratio=ratio)
        rtype = _retained_type(shape, "f32", len(kept_idx), encoding)
        name = f"min_k_restore_large_{i}"
        body = (f"  %r = sparse_train.min_k_retain %x keep_ratio = {ratio!r} encoding = {encoding} : {ttype(shape, 'f32')}\n"
                f"  %d = sparse_train.min_k_restore %r : {rtype}\n  return %d : {ttype(shape, 'f32')}")
        ir = _func(name, [f"%x: {ttype(shape, 'f32')}"], [ttype(shape, "f32")], body)
        expected = ref.min_k_restore(x, kept_idx)
        cases.append(Case("min_k_restore", name, f"f32 {shape} ratio {ratio} {encoding}", ir, [x],
                          [(len(shape), np.float32)],
                          lambda out, e=expected: same_bits_or_nan(out[0], e, "f32")))

    # Linear weight gradient from the retained form.
    for i in range(30):
        elem = FLOAT_TYPES[i % 4]
        res_elem = "f32" if elem in ("f16", "bf16") and i % 2 else elem
        encoding = ["bitmask", "indices"][(i // 2) % 2]
        lead = _shape(rng, int(rng.integers(1, 3)))
        fin, fout = int(rng.choice([1, 3, 8, 17])), int(rng.choice([1, 2, 5, 16]))
        xshape, dyshape = lead + [fin], lead + [fout]
        ratio = float(rng.choice([0.1, 0.5, 1.0, 0.0]))
        x = values(rng, xshape, "normal" if i % 5 else "relu", elem)
        dy = values(rng, dyshape, "normal", elem)
        xv, dyv = from_elem(x, elem), from_elem(dy, elem)
        kept_idx = ref.min_k_select(xv, ratio=ratio)
        x_hat = ref.min_k_restore(xv.astype(np.float64), kept_idx)
        expected = ref.weight_grad_linear(x_hat, dyv)
        expected_abs = ref.weight_grad_linear(np.abs(x_hat), np.abs(dyv.astype(np.float64)))
        rtype = _retained_type(xshape, elem, len(kept_idx), encoding)
        name = f"min_k_weight_grad_{i}"
        body = (f"  %r = sparse_train.min_k_retain %x keep_ratio = {ratio!r} encoding = {encoding} : {ttype(xshape, elem)}\n"
                f"  %g = sparse_train.min_k_weight_grad %r, %dy : {rtype}, {ttype(dyshape, elem)} -> {ttype([fin, fout], res_elem)}\n"
                f"  return %g : {ttype([fin, fout], res_elem)}")
        ir = _func(name, [f"%x: {ttype(xshape, elem)}", f"%dy: {ttype(dyshape, elem)}"],
                   [ttype([fin, fout], res_elem)], body)
        rows = int(np.prod(lead))
        cases.append(Case("min_k_weight_grad (linear)", name, f"{elem}->{res_elem} x{xshape} ratio {ratio}",
                          ir, [x, dy], [(2, NP[res_elem])],
                          lambda out, e=expected, a=expected_abs, el=res_elem, t=rows: close(out[0], e, a, el, t)))

    # f32 at keep ratios up to 0.2 (the CPU kernel takes up to 0.15), where the CPU lowering computes the
    # weight gradient straight from the retained form: several chunks of
    # output columns, tails, both encodings, one or two leading dims.
    for i in range(12):
        encoding = ["bitmask", "indices"][i % 2]
        ratio = [0.05, 0.1, 0.2, 0.0][(i // 2) % 4]
        lead = [[7], [3, 5], [64]][i % 3]
        fin, fout = [(17, 40), (64, 130), (5, 300)][(i // 3) % 3]
        xshape, dyshape = lead + [fin], lead + [fout]
        x = values(rng, xshape, "relu" if i % 3 else "ties", "f32")
        dy = values(rng, dyshape, "normal", "f32")
        kept_idx = ref.min_k_select(x, ratio=ratio)
        x_hat = ref.min_k_restore(x.astype(np.float64), kept_idx)
        expected = ref.weight_grad_linear(x_hat, dy)
        expected_abs = ref.weight_grad_linear(np.abs(x_hat), np.abs(dy.astype(np.float64)))
        rtype = _retained_type(xshape, "f32", len(kept_idx), encoding)
        name = f"min_k_weight_grad_sparse_{i}"
        body = (f"  %r = sparse_train.min_k_retain %x keep_ratio = {ratio!r} encoding = {encoding} : {ttype(xshape, 'f32')}\n"
                f"  %g = sparse_train.min_k_weight_grad %r, %dy : {rtype}, {ttype(dyshape, 'f32')} -> {ttype([fin, fout], 'f32')}\n"
                f"  return %g : {ttype([fin, fout], 'f32')}")
        ir = _func(name, [f"%x: {ttype(xshape, 'f32')}", f"%dy: {ttype(dyshape, 'f32')}"],
                   [ttype([fin, fout], "f32")], body)
        rows = int(np.prod(lead))
        cases.append(Case("min_k_weight_grad (linear, sparse)", name, f"x{xshape} ratio {ratio} {encoding}",
                          ir, [x, dy], [(2, np.float32)],
                          lambda out, e=expected, a=expected_abs, t=rows: close(out[0], e, a, "f32", t)))

    # keep_ratio = 1 reproduces the dense x^T dy of linalg.matmul bit for
    # bit: the CPU lowering runs the weight gradient as restore + the same
    # product (BLAS, or loops with blas=false).
    for i in range(10):
        rows, fin, fout = int(rng.choice([1, 4, 9])), int(rng.choice([3, 8])), int(rng.choice([2, 5]))
        x = values(rng, [rows, fin], "normal", "f32")
        dy = values(rng, [rows, fout], "normal", "f32")
        rtype = _retained_type([rows, fin], "f32", rows * fin, "bitmask")
        name = f"min_k_weight_grad_dense_{i}"
        body = (f"  %r = sparse_train.min_k_retain %x keep_ratio = 1.0 : {ttype([rows, fin], 'f32')}\n"
                f"  %g = sparse_train.min_k_weight_grad %r, %dy : {rtype}, {ttype([rows, fout], 'f32')} -> {ttype([fin, fout], 'f32')}\n"
                f"  %zero = arith.constant 0.0 : f32\n"
                f"  %e = tensor.empty() : {ttype([fin, fout], 'f32')}\n"
                f"  %f = linalg.fill ins(%zero : f32) outs(%e : {ttype([fin, fout], 'f32')}) -> {ttype([fin, fout], 'f32')}\n"
                f"  %d = linalg.matmul indexing_maps = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>]\n"
                f"      ins(%x, %dy : {ttype([rows, fin], 'f32')}, {ttype([rows, fout], 'f32')}) outs(%f : {ttype([fin, fout], 'f32')}) -> {ttype([fin, fout], 'f32')}\n"
                f"  return %g, %d : {ttype([fin, fout], 'f32')}, {ttype([fin, fout], 'f32')}")
        ir = _func(name, [f"%x: {ttype([rows, fin], 'f32')}", f"%dy: {ttype([rows, fout], 'f32')}"],
                   [ttype([fin, fout], "f32")] * 2, body)
        cases.append(Case("min_k_weight_grad (keep 1 = dense, exact)", name, f"{rows}x{fin} {fout}",
                          ir, [x, dy], [(2, np.float32), (2, np.float32)],
                          lambda out: same_bits_or_nan(out[0], out[1], "f32")))

    # Convolution-filter form.
    for i in range(30):
        elem = ["f32", "f64"][i % 2]
        n, c, f = int(rng.choice([1, 2])), int(rng.choice([1, 3])), int(rng.choice([1, 2, 4]))
        kh, kw = int(rng.choice([1, 2, 3])), int(rng.choice([1, 3]))
        sh, sw = int(rng.choice([1, 2])), int(rng.choice([1, 2]))
        dh, dw = int(rng.choice([1, 2])), 1
        pad = [int(rng.integers(0, 3)) for _ in range(4)]
        h, w = int(rng.integers(kh * dh, 8)), int(rng.integers(kw * dw, 8))
        oh = ref.conv_output_size(h, kh, sh, dh, pad[0], pad[1])
        ow = ref.conv_output_size(w, kw, sw, dw, pad[2], pad[3])
        ratio = float(rng.choice([0.2, 0.5, 1.0]))
        x = values(rng, [n, h, w, c], "normal", elem)
        dy = values(rng, [n, oh, ow, f], "normal", elem)
        kept_idx = ref.min_k_select(x, ratio=ratio)
        x_hat = ref.min_k_restore(x.astype(np.float64), kept_idx)
        win = ([sh, sw], [dh, dw], pad)
        expected = ref.conv_backward_filter(x_hat, dy, [kh, kw, c, f], *win)
        expected_abs = ref.conv_backward_filter(np.abs(x_hat), np.abs(dy), [kh, kw, c, f], *win)
        rtype = _retained_type([n, h, w, c], elem, len(kept_idx), "bitmask")
        name = f"min_k_weight_grad_conv_{i}"
        attrs = f"strides = [{sh}, {sw}] dilations = [{dh}, {dw}] padding = [{pad[0]}, {pad[1]}, {pad[2]}, {pad[3]}]"
        body = (f"  %r = sparse_train.min_k_retain %x keep_ratio = {ratio!r} : {ttype([n, h, w, c], elem)}\n"
                f"  %g = sparse_train.min_k_weight_grad %r, %dy {attrs} : {rtype}, {ttype([n, oh, ow, f], elem)} -> {ttype([kh, kw, c, f], elem)}\n"
                f"  return %g : {ttype([kh, kw, c, f], elem)}")
        ir = _func(name, [f"%x: {ttype([n, h, w, c], elem)}", f"%dy: {ttype([n, oh, ow, f], elem)}"],
                   [ttype([kh, kw, c, f], elem)], body)
        cases.append(Case("min_k_weight_grad (conv)", name, f"{elem} x[{n},{h},{w},{c}] {attrs}",
                          ir, [x, dy], [(4, NP[elem])],
                          lambda out, e=expected, a=expected_abs, el=elem, t=n * oh * ow: close(out[0], e, a, el, t)))
    return cases


# --- block-sparse activations ---------------------------------------------------

def _bsr(r, c, width=0):
    widths = f", posWidth = {width}, crdWidth = {width}" if width else ""
    return (f"#sparse_tensor.encoding<{{map = (i, j) -> (i floordiv {r} : dense, "
            f"j floordiv {c} : compressed, i mod {r} : dense, j mod {c} : dense){widths}}}>")


def _block_input(rng, m, k, r, c, kind, elem):
    """Inputs whose block scores are exact in f32 (small integers), with
    NaN, ±Inf or all-zero blocks for the edge cases."""
    x = rng.integers(-4, 5, (m, k)).astype(np.float64)
    if kind == "zeros":
        x[:] = 0.0
    elif kind == "ties":
        x = np.sign(x)
    elif kind == "special":
        x[int(rng.integers(0, m)), int(rng.integers(0, k))] = np.nan
        x[int(rng.integers(0, m)), int(rng.integers(0, k))] = np.inf
        x[0, 0] = -0.0
    return to_elem(x, elem)


def block_family(rng) -> List[Case]:
    cases = []
    selections = [("global_top_k", "keep_ratio"), ("row_top_k", "keep_per_row"),
                  ("row_top_k", "keep_ratio"), ("threshold", "threshold")]
    kinds = ["normal", "ties", "special", "zeros"]
    i = 0
    for score in ["l1", "l2", "max_abs"]:
        for select, param in selections:
            for rep in range(5):
                elem = FLOAT_TYPES[(i + rep) % 4]
                r, c = [(2, 2), (2, 4), (4, 2), (3, 5), (16, 16), (8, 8)][int(rng.integers(0, 6))]
                m, k = r * int(rng.integers(1, 5)), c * int(rng.integers(1, 5))
                width = int(rng.choice([0, 32, 64]))
                kind = kinds[(i + rep) % 4]
                x = _block_input(rng, m, k, r, c, kind, elem)
                xv = from_elem(x, elem)
                scores = ref.block_scores(xv, r, c, score)
                nbc = k // c
                kw = {}
                if param == "keep_ratio":
                    kw["keep_ratio"] = float(rng.choice([0.0, 0.3, 0.5, 1.0]))
                    value = repr(kw["keep_ratio"])
                elif param == "keep_per_row":
                    kw["keep_per_row"] = int(rng.integers(0, nbc + 1))
                    value = str(kw["keep_per_row"])
                else:
                    finite = np.unique(scores[np.isfinite(scores)])
                    if score == "l2" and finite.size > 1:
                        # sqrt rounds differently in f32 and f64: stay
                        # between scores rather than on one.
                        t = int(rng.integers(0, finite.size - 1))
                        kw["threshold"] = float((finite[t] + finite[t + 1]) / 2)
                    else:
                        # l1 and max_abs of small integers are exact: test
                        # the strict comparison on a score itself.
                        kw["threshold"] = float(rng.choice(finite)) if finite.size else 0.5
                    value = repr(kw["threshold"])
                keep = ref.block_select(scores, select, **kw)
                pos, crd, vals = ref.bsr_buffers(x, r, c, keep)
                enc = _bsr(r, c, width)
                ity = "index" if width == 0 else f"i{width}"
                name = f"block_prune_{i}"
                t = ttype([m, k], elem)
                body = (f"  %p = sparse_train.block_prune %x block = [{r}, {c}] score = {score} select = {select} {param} = {value} : {t} -> tensor<{m}x{k}x{elem}, {enc}>\n"
                        f"  %pos = sparse_tensor.positions %p {{level = 1 : index}} : tensor<{m}x{k}x{elem}, {enc}> to memref<?x{ity}>\n"
                        f"  %crd = sparse_tensor.coordinates %p {{level = 1 : index}} : tensor<{m}x{k}x{elem}, {enc}> to memref<?x{ity}>\n"
                        f"  %val = sparse_tensor.values %p : tensor<{m}x{k}x{elem}, {enc}> to memref<?x{elem}>\n"
                        f"  return %pos, %crd, %val : memref<?x{ity}>, memref<?x{ity}>, memref<?x{elem}>")
                ir = _func(name, [f"%x: {t}"], [f"memref<?x{ity}>", f"memref<?x{ity}>", f"memref<?x{elem}>"], body)
                npi = {0: np.int64, 32: np.int32, 64: np.int64}[width]

                def check(out, pos=pos, crd=crd, vals=vals, el=elem):
                    if not np.array_equal(out[0], pos):
                        return f"positions {out[0].tolist()} != {pos.tolist()}"
                    if not np.array_equal(out[1], crd):
                        return f"coordinates {out[1].tolist()} != {crd.tolist()}"
                    msg = same_bits_or_nan(out[2], vals, el)
                    return "values " + msg if msg else None
                cases.append(Case(f"block_prune ({score}, {select})", name,
                                  f"{elem} {m}x{k} block {r}x{c} {param}={value} {kind}", ir, [x],
                                  [(1, npi), (1, npi), (1, NP[elem])], check))
                i += 1

    # bsr_matmul in every transpose form, BSR on either side, against the
    # product with the pruned blocks zeroed; pruned blocks facing Inf add
    # nothing.
    for j in range(48):
        elem = ["f32", "f64", "f16", "bf16"][j % 4]
        res_elem = "f32" if elem in ("f16", "bf16") else elem
        lhs_sparse = (j // 4) % 2 == 0
        ta, tb = bool((j // 8) % 2), bool((j // 16) % 2)
        r, c = [(2, 2), (2, 3), (4, 4), (3, 2)][int(rng.integers(0, 4))]
        sm, sk = r * int(rng.integers(1, 4)), c * int(rng.integers(1, 4))
        x, ratio, keep, x_hat = _pruned_block_input(rng, sm, sk, r, c, elem)
        # op(S) is x or its transpose; the dense side matches its inner size.
        s_op = x_hat.T if (ta if lhs_sparse else tb) else x_hat
        other = int(rng.choice([1, 3, 5]))
        if lhs_sparse:
            inner = s_op.shape[1]
            d_op_shape = (inner, other)
        else:
            inner = s_op.shape[0]
            d_op_shape = (other, inner)
        d_op = rng.integers(-3, 4, d_op_shape).astype(np.float64)
        if j % 6 == 5 and not keep.all():
            # Inf in the dense operand where it only meets pruned entries.
            dropped = np.argwhere(np.kron(~keep, np.ones((r, c), dtype=bool)))
            pi, pj = dropped[0]
            if lhs_sparse:
                k_idx = (pi if ta else pj)
                rows_meeting = x_hat.T[k_idx] if not ta else x_hat[k_idx]
                if not np.any(rows_meeting != 0):
                    d_op[k_idx, :] = np.inf
        dense_stored = d_op.T if (tb if lhs_sparse else ta) else d_op
        d = to_elem(dense_stored, elem)
        dv = from_elem(d, elem).astype(np.float64)
        d_op = dv.T if (tb if lhs_sparse else ta) else dv
        cases.append(_bsr_matmul_case(f"bsr_matmul_{j}", "",
                                      f"{elem} {sm}x{sk} block {r}x{c} ratio {ratio}", x, d,
                                      s_op, d_op, elem, res_elem, (r, c), ratio, ta, tb,
                                      lhs_sparse))
    # The four forms with a BSR left operand in f32, which the CPU lowering
    # runs as vector kernels: output widths around the vector length and the
    # 3-vector width of its first panels (48 and 24 columns at 512 and 256
    # bits), every block shape the tile logic distinguishes, empty and full
    # block rows.
    for j in range(48):
        ta, tb = bool(j % 2), bool(j // 2 % 2)
        r, c = [(2, 2), (3, 5), (4, 4), (6, 2), (8, 8), (16, 16), (32, 32), (5, 3), (64, 64),
                (16, 32), (7, 7), (12, 4)][j // 4]
        sm, sk = r * int(rng.integers(1, 4)), c * int(rng.integers(1, 4))
        n = int(rng.choice([1, 3, 15, 16, 17, 31, 33, 40, 47, 48, 49, 97]))
        cases.append(_bsr_vector_case(rng, f"bsr_matmul_vector_{j}", ta, tb, r, c, sm, sk, n))
    # f16/bf16 with block sides that are multiples of 16, which the GPU
    # lowering runs on tensor cores (mma.sync m16n8k16, f32 accumulators):
    # every transpose form, BSR on either side, dense extents around the
    # warp tiles (16 rows, 16 or 32 columns), empty and full block lines.
    for j in range(32):
        elem = ["f16", "bf16"][j % 2]
        ta, tb = bool(j // 2 % 2), bool(j // 4 % 2)
        lhs_sparse = j < 16
        r, c = [(16, 16), (32, 16), (16, 32), (32, 32)][j // 8 % 2 * 2 + j // 16]
        sm, sk = r * int(rng.integers(1, 3)), c * int(rng.integers(1, 3))
        other = int(rng.choice([1, 8, 15, 16, 17, 31, 32, 33, 40]))
        x, ratio, keep, x_hat = _pruned_block_input(rng, sm, sk, r, c, elem)
        s_op = x_hat.T if (ta if lhs_sparse else tb) else x_hat
        d_shape = (s_op.shape[1], other) if lhs_sparse else (other, s_op.shape[0])
        d_op = from_elem(to_elem(rng.integers(-3, 4, d_shape).astype(np.float64), elem),
                         elem).astype(np.float64)
        stored = to_elem(np.ascontiguousarray(d_op.T) if (tb if lhs_sparse else ta) else d_op,
                         elem)
        cases.append(_bsr_matmul_case(f"bsr_matmul_mma_{j}", f", {elem}, tensor-core shapes",
                                      f"{sm}x{sk} block {r}x{c} other {other} ratio {ratio}",
                                      x, stored, s_op, d_op, elem, "f32", (r, c), ratio, ta, tb,
                                      lhs_sparse))
    # The vector kernels again at widths around their 6-vector panels (96
    # and 48 columns at 512 and 256 bits): whole panels of a width that is a
    # multiple of the vector length go out with streaming stores when the
    # contraction runs in one slice, as it does at these sizes.
    for j in range(16):
        ta, tb = bool(j % 2), bool(j // 2 % 2)
        r, c = [(4, 4), (8, 8), (16, 16), (32, 32)][j // 4]
        sm, sk = r * int(rng.integers(1, 4)), c * int(rng.integers(1, 4))
        n = int(rng.choice([95, 96, 97, 112, 144, 192, 193]))
        cases.append(_bsr_vector_case(rng, f"bsr_matmul_vector_wide_{j}", ta, tb, r, c, sm, sk,
                                      n))
    # Ten output block rows, so that the stored blocks per contraction block
    # fall on both sides of the kernel's switch between packing B and
    # reading it in place (at most 4 uses: keep ratio 0.3 gives 3, 0.5
    # gives 5, 1 gives 10).
    for j in range(8):
        ta, tb = bool(j % 2), bool(j // 2 % 2)
        r, c = [(2, 2), (4, 4)][j // 4]
        ratio = [0.3, 0.5, 1.0, 0.3][j % 4]
        n = int(rng.choice([17, 33, 97]))
        cases.append(_bsr_vector_case(rng, f"bsr_matmul_vector_uses_{j}", ta, tb, r, c, 10 * r,
                                      10 * c, n, ratio))
    return cases


def _bsr_vector_case(rng, name, ta, tb, r, c, sm, sk, n, ratio=None):
    """An f32 bsr_matmul case with a BSR left operand (block_prune of a
    random sm x sk input, with `ratio` or a keep ratio drawn from 0, 0.3,
    0.5 and 1) and a dense operand of n columns, in the form given by
    ta / tb."""
    x = _block_input(rng, sm, sk, r, c, "normal", "f32")
    if ratio is None:
        ratio = float(rng.choice([0.0, 0.3, 0.5, 1.0]))
    keep = ref.block_select(ref.block_scores(x, r, c, "l1"), "global_top_k", keep_ratio=ratio)
    x_hat = ref.block_mask(x.astype(np.float64), r, c, keep)
    s_op = x_hat.T if ta else x_hat
    contraction, rows = (sm, sk) if ta else (sk, sm)
    b_op = rng.integers(-3, 4, (contraction, n)).astype(np.float32)
    stored = np.ascontiguousarray(b_op.T) if tb else b_op
    expected = _masked_product(s_op, b_op.astype(np.float64))
    expected_abs = _masked_product(np.abs(s_op), np.abs(b_op.astype(np.float64)))
    enc = _bsr(r, c)
    st = f"tensor<{sm}x{sk}xf32, {enc}>"
    bt, out_t = ttype(list(stored.shape), "f32"), ttype([rows, n], "f32")
    flags = (" transpose_a" if ta else "") + (" transpose_b" if tb else "")
    body = (f"  %p = sparse_train.block_prune %x block = [{r}, {c}] score = l1 select = global_top_k keep_ratio = {ratio!r} : {ttype([sm, sk], 'f32')} -> {st}\n"
            f"  %y = sparse_train.bsr_matmul %p, %w{flags} : {st}, {bt} -> {out_t}\n"
            f"  return %y : {out_t}")
    ir = _func(name, [f"%x: {ttype([sm, sk], 'f32')}", f"%w: {bt}"], [out_t], body)
    return Case(f"bsr_matmul (lhs BSR{flags}, f32, vector kernel)", name,
                f"{sm}x{sk} block {r}x{c} n {n} ratio {ratio}",
                ir, [x, stored], [(2, np.float32)],
                lambda out, e=expected, a=expected_abs, t=contraction: close(out[0], e, a, "f32", t))


def _pruned_block_input(rng, sm, sk, r, c, elem):
    """A random sm x sk input in `elem`, a keep ratio drawn from 0, 0.5 and 1,
    the blocks global top-k by l1 keeps and the input with the others
    zeroed (float64)."""
    x = _block_input(rng, sm, sk, r, c, "normal", elem)
    xv = from_elem(x, elem).astype(np.float64)
    ratio = float(rng.choice([0.0, 0.5, 1.0]))
    keep = ref.block_select(ref.block_scores(xv, r, c, "l1"), "global_top_k", keep_ratio=ratio)
    return x, ratio, keep, ref.block_mask(xv, r, c, keep)


def _bsr_matmul_case(name, title, detail, x, stored, s_op, d_op, elem, res_elem, block,
                     ratio, ta, tb, lhs_sparse):
    """A bsr_matmul case: block_prune of `x` (the pruned op(S) is `s_op`)
    times the dense operand `stored` (op(D) = `d_op`), or the reverse,
    against the product with the pruned blocks zeroed."""
    with np.errstate(invalid="ignore"):
        a, b = (s_op, d_op) if lhs_sparse else (d_op, s_op)
        expected = _masked_product(a, b)
        expected_abs = _masked_product(np.abs(a), np.abs(b))
    r, c = block
    sm, sk = x.shape
    st = f"tensor<{sm}x{sk}x{elem}, {_bsr(r, c)}>"
    dt, out_t = ttype(list(stored.shape), elem), ttype(list(expected.shape), res_elem)
    flags = (" transpose_a" if ta else "") + (" transpose_b" if tb else "")
    lhs, rhs, lt, rt = ("%p", "%d", st, dt) if lhs_sparse else ("%d", "%p", dt, st)
    body = (f"  %p = sparse_train.block_prune %x block = [{r}, {c}] score = l1 select = global_top_k keep_ratio = {ratio!r} : {ttype([sm, sk], elem)} -> {st}\n"
            f"  %y = sparse_train.bsr_matmul {lhs}, {rhs}{flags} : {lt}, {rt} -> {out_t}\n"
            f"  return %y : {out_t}")
    ir = _func(name, [f"%x: {ttype([sm, sk], elem)}", f"%d: {dt}"], [out_t], body)
    inner = a.shape[1]
    return Case(f"bsr_matmul ({'lhs' if lhs_sparse else 'rhs'} BSR{flags}{title})", name, detail,
                ir, [x, stored], [(2, NP[res_elem])],
                lambda out, e=expected, ea=expected_abs, el=res_elem, t=inner:
                close(out[0], e, ea, el, t))


def _masked_product(a, b):
    """a @ b where a zero on either side contributes nothing (0 * Inf = 0),
    as only stored blocks contribute."""
    out = np.zeros((a.shape[0], b.shape[1]))
    for k in range(a.shape[1]):
        with np.errstate(invalid="ignore", over="ignore"):
            prod = np.outer(a[:, k], b[k, :])
        prod = np.where((a[:, k] != 0)[:, None] | np.zeros_like(prod, dtype=bool), prod, 0.0)
        out += prod
    return out


# --- dynamic-zero convolution ----------------------------------------------------

def _conv_geometry(rng):
    kh, kw = [(1, 1), (3, 3), (5, 5), (3, 1), (2, 3)][int(rng.integers(0, 5))]
    sh, sw = int(rng.choice([1, 2])), int(rng.choice([1, 2]))
    dh, dw = int(rng.choice([1, 2])), int(rng.choice([1, 2]))
    pad = [int(rng.integers(0, 3)) for _ in range(4)]
    h = int(rng.integers(max(1, dh * (kh - 1) + 1 - pad[0] - pad[1]), 10))
    w = int(rng.integers(max(1, dw * (kw - 1) + 1 - pad[2] - pad[3]), 10))
    n, c, f = int(rng.choice([1, 2, 3])), int(rng.choice([1, 3, 5])), int(rng.choice([1, 2, 7]))
    oh = ref.conv_output_size(h, kh, sh, dh, pad[0], pad[1])
    ow = ref.conv_output_size(w, kw, sw, dw, pad[2], pad[3])
    return n, h, w, c, f, kh, kw, oh, ow, [sh, sw], [dh, dw], pad


def _window_attrs(strides, dilations, pad):
    return (f"strides = [{strides[0]}, {strides[1]}] dilations = [{dilations[0]}, {dilations[1]}] "
            f"padding = [{pad[0]}, {pad[1]}, {pad[2]}, {pad[3]}]")


def _f32_conv_case(rng, name, label, op, kind, density, geometry):
    """One f32 case of a convolution op against the numpy reference: the
    scanned operand of `kind`, the other Gaussian, with `max_density =
    density` unless None."""
    n, h, w, c, f, kh, kw, oh, ow, st, dl, pad = geometry
    attrs = _window_attrs(st, dl, pad)
    if density is not None:
        attrs += f" max_density = {density}"
    xs, ws, ys = [n, h, w, c], [kh, kw, c, f], [n, oh, ow, f]
    shapes = {"forward": (xs, ws, ys), "backward_data": (ys, ws, xs),
              "backward_filter": (xs, ys, ws)}[op]
    a = values(rng, shapes[0], kind, "f32")
    b = values(rng, shapes[1], "normal", "f32")
    if op == "forward":
        expected = ref.conv_forward(a, b, st, dl, pad)
        expected_abs = ref.conv_forward(np.abs(a), np.abs(b), st, dl, pad)
        body = f"  %r = sparse_train.conv2d_zero_skip %a, %b {attrs} : {ttype(xs, 'f32')}, {ttype(ws, 'f32')}"
        terms = kh * kw * c
    elif op == "backward_data":
        expected = ref.conv_backward_data(a, b, xs, st, dl, pad)
        expected_abs = ref.conv_backward_data(np.abs(a), np.abs(b), xs, st, dl, pad)
        body = f"  %r = sparse_train.conv2d_zero_skip_backward_data %a, %b {attrs} : {ttype(ys, 'f32')}, {ttype(ws, 'f32')} -> {ttype(xs, 'f32')}"
        terms = kh * kw * f
    else:
        expected = ref.conv_backward_filter(a, b, ws, st, dl, pad)
        expected_abs = ref.conv_backward_filter(np.abs(a), np.abs(b), ws, st, dl, pad)
        body = f"  %r = sparse_train.conv2d_zero_skip_backward_filter %a, %b {attrs} : {ttype(xs, 'f32')}, {ttype(ys, 'f32')} -> {ttype(ws, 'f32')}"
        terms = n * oh * ow
    body += f"\n  return %r : {ttype(shapes[2], 'f32')}"
    ir = _func(f"{name}_{op}", [f"%a: {ttype(shapes[0], 'f32')}", f"%b: {ttype(shapes[1], 'f32')}"],
               [ttype(shapes[2], "f32")], body)
    return Case(f"conv2d_zero_skip ({op}, {label})", f"{name}_{op}", f"x{xs} w{ws} {attrs} {kind}",
                ir, [a, b], [(4, np.float32)],
                lambda out, e=expected, ab=expected_abs, t=terms: close(out[0], e, ab, "f32", t))


def conv_family(rng) -> List[Case]:
    cases = []
    kinds = ["relu", "normal", "zeros", "special"]
    for i in range(90):
        op = ["forward", "backward_data", "backward_filter"][i % 3]
        elem = ["f32", "f64", "f16", "bf16"][(i // 3) % 4]
        kind = kinds[(i // 12) % 4] if elem in ("f32", "f64") else "relu"
        n, h, w, c, f, kh, kw, oh, ow, st, dl, pad = _conv_geometry(rng)
        attrs = _window_attrs(st, dl, pad)
        xs, ws, ys = [n, h, w, c], [kh, kw, c, f], [n, oh, ow, f]
        name = f"conv_{op}_{i}"
        # The scanned operand takes the edge-case values; the other is finite
        # except in the "special" kind, where Inf meets zeros.
        if op == "forward":
            a = values(rng, xs, kind, elem)
            b = values(rng, ws, "normal", elem)
            av, bv = from_elem(a, elem), from_elem(b, elem)
            expected = ref.conv_forward(av, bv, st, dl, pad)
            expected_abs = ref.conv_forward(np.abs(av), np.abs(bv), st, dl, pad)
            body = f"  %r = sparse_train.conv2d_zero_skip %a, %b {attrs} : {ttype(xs, elem)}, {ttype(ws, elem)}"
            types, out_shape, terms = (xs, ws), ys, kh * kw * c
        elif op == "backward_data":
            a = values(rng, ys, kind, elem)
            b = values(rng, ws, "normal", elem)
            av, bv = from_elem(a, elem), from_elem(b, elem)
            expected = ref.conv_backward_data(av, bv, xs, st, dl, pad)
            expected_abs = ref.conv_backward_data(np.abs(av), np.abs(bv), xs, st, dl, pad)
            body = f"  %r = sparse_train.conv2d_zero_skip_backward_data %a, %b {attrs} : {ttype(ys, elem)}, {ttype(ws, elem)} -> {ttype(xs, elem)}"
            types, out_shape, terms = (ys, ws), xs, kh * kw * f
        else:
            a = values(rng, xs, kind, elem)
            b = values(rng, ys, "normal", elem)
            av, bv = from_elem(a, elem), from_elem(b, elem)
            expected = ref.conv_backward_filter(av, bv, ws, st, dl, pad)
            expected_abs = ref.conv_backward_filter(np.abs(av), np.abs(bv), ws, st, dl, pad)
            body = f"  %r = sparse_train.conv2d_zero_skip_backward_filter %a, %b {attrs} : {ttype(xs, elem)}, {ttype(ys, elem)} -> {ttype(ws, elem)}"
            types, out_shape, terms = (xs, ys), ws, n * oh * ow
        body += f"\n  return %r : {ttype(out_shape, elem)}"
        ir = _func(name, [f"%a: {ttype(types[0], elem)}", f"%b: {ttype(types[1], elem)}"],
                   [ttype(out_shape, elem)], body)
        cases.append(Case(f"conv2d_zero_skip ({op})", name, f"{elem} x{xs} w{ws} {attrs} {kind}",
                          ir, [a, b], [(4, NP[elem])],
                          lambda out, e=expected, ab=expected_abs, el=elem, t=terms: close(out[0], e, ab, el, t)))

    # Channel counts that fill (and overrun) several vectors of the CPU
    # kernels, under each side of the density dispatch: the default
    # max_density, 0 (the dense loop whenever a non-zero exists) and 1
    # (always skipping).
    channels = [(16, 16), (17, 40), (33, 70), (64, 20), (2, 129)]
    for i in range(30):
        op = ["forward", "backward_data", "backward_filter"][i % 3]
        kind = ["relu", "normal", "special", "zeros", "relu"][(i // 3) % 5]
        density = [None, 0.0, 1.0][(i // 15 + i) % 3]
        n, h, w, c, f, kh, kw, oh, ow, st, dl, pad = _conv_geometry(rng)
        c, f = channels[i % len(channels)]
        cases.append(_f32_conv_case(rng, f"conv_wide_{i}", "wide", op, kind, density,
                                    (n, h, w, c, f, kh, kw, oh, ow, st, dl, pad)))
    # Filter gradients on rows of every width class of its skipping loop:
    # several narrow rows per mask word (up to 16 and up to 32 columns with
    # 16 lanes), one row per word and rows of several words; odd row counts
    # leave a partial word at the end of a group.
    for i, w in enumerate([5, 14, 20, 28, 31, 40, 70]):
        n, h = int(rng.choice([1, 2, 3])), int(rng.integers(2, 8))
        kh, kw = [(3, 3), (5, 5), (3, 1)][i % 3]
        st, dl = [int(rng.choice([1, 2])), 1], [int(rng.choice([1, 2])), 1]
        pad = [int(rng.integers(0, 3)) for _ in range(4)]
        h = max(h, dl[0] * (kh - 1) + 1)
        oh = ref.conv_output_size(h, kh, st[0], dl[0], pad[0], pad[1])
        ow = ref.conv_output_size(w, kw, st[1], dl[1], pad[2], pad[3])
        kind = ["relu", "special"][i % 2]
        cases.append(_f32_conv_case(rng, f"conv_rows_{i}", "rows", "backward_filter", kind,
                                    [1.0, None][i % 2],
                                    (n, h, w, 3, [16, 40][i % 2], kh, kw, oh, ow, st, dl, pad)))
    # Pointwise forward and data gradients (1x1, unit strides, no padding)
    # take the CPU's pointwise kernel: scanned channels of one mask word or
    # several (partial last word), result channels of part of a vector to
    # several chunks, pixel counts that leave partial blocks and tiles,
    # both sides of the density dispatch; the last case's result (4 MiB,
    # whole vectors, one word of scanned channels) is written with streaming
    # stores.
    # (scanned channels, result channels, n, h, w)
    pointwise = [(3, 5, 1, 2, 3), (16, 16, 2, 5, 7), (64, 70, 1, 9, 4), (65, 64, 3, 4, 5),
                 (130, 33, 1, 6, 6), (256, 64, 1, 5, 9), (40, 128, 2, 7, 3), (17, 257, 1, 3, 2),
                 (64, 256, 1, 64, 64), (33, 20, 2, 15, 20)]
    for i, (scanned, result, n, h, w) in enumerate(pointwise):
        for op in ("forward", "backward_data"):
            j = 2 * i + (op == "backward_data")
            kind = ["relu", "special", "normal", "zeros", "relu"][j % 5]
            density = [None, 1.0, 0.0][j % 3]
            c, f = (scanned, result) if op == "forward" else (result, scanned)
            cases.append(_f32_conv_case(rng, f"conv_pointwise_{i}", "pointwise", op, kind, density,
                                        (n, h, w, c, f, 1, 1, h, w, [1, 1], [1, 1], [0, 0, 0, 0])))
    # Pointwise filter gradients take the CPU's pointwise filter kernel, the
    # same shapes (x has the scanned channels): pixels in up to 8 slices
    # (the 600-pixel case leaves slices without blocks), partial last
    # blocks and mask words, channels past the last whole register tile,
    # filters of part of a vector to several chunks, both sides of the
    # density dispatch.
    for i, (scanned, result, n, h, w) in enumerate(pointwise):
        kind = ["relu", "special", "normal", "zeros", "relu"][i % 5]
        density = [None, 1.0, 0.0][i % 3]
        cases.append(_f32_conv_case(rng, f"conv_pointwise_{i}", "pointwise", "backward_filter",
                                    kind, density,
                                    (n, h, w, scanned, result, 1, 1, h, w, [1, 1], [1, 1],
                                     [0, 0, 0, 0])))
    # Equal to linalg.conv_2d_nhwc_hwcf (zero-padded input) for finite data.
    for i in range(12):
        n, h, w, c, f, kh, kw, oh, ow, st, dl, pad = _conv_geometry(rng)
        x = values(rng, [n, h, w, c], "relu", "f32")
        wt = values(rng, [kh, kw, c, f], "normal", "f32")
        xs, ws, ys = [n, h, w, c], [kh, kw, c, f], [n, oh, ow, f]
        ps = [n, h + pad[0] + pad[1], w + pad[2] + pad[3], c]
        name = f"conv_vs_linalg_{i}"
        body = (f"  %r = sparse_train.conv2d_zero_skip %x, %w {_window_attrs(st, dl, pad)} : {ttype(xs, 'f32')}, {ttype(ws, 'f32')}\n"
                f"  %zero = arith.constant 0.0 : f32\n"
                f"  %p = tensor.pad %x low[0, {pad[0]}, {pad[2]}, 0] high[0, {pad[1]}, {pad[3]}, 0] {{\n"
                f"  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):\n    tensor.yield %zero : f32\n"
                f"  }} : {ttype(xs, 'f32')} to {ttype(ps, 'f32')}\n"
                f"  %e = tensor.empty() : {ttype(ys, 'f32')}\n"
                f"  %z = linalg.fill ins(%zero : f32) outs(%e : {ttype(ys, 'f32')}) -> {ttype(ys, 'f32')}\n"
                f"  %d = linalg.conv_2d_nhwc_hwcf {{dilations = dense<[{dl[0]}, {dl[1]}]> : tensor<2xi64>, strides = dense<[{st[0]}, {st[1]}]> : tensor<2xi64>}}\n"
                f"      ins(%p, %w : {ttype(ps, 'f32')}, {ttype(ws, 'f32')}) outs(%z : {ttype(ys, 'f32')}) -> {ttype(ys, 'f32')}\n"
                f"  return %r, %d : {ttype(ys, 'f32')}, {ttype(ys, 'f32')}")
        ir = _func(name, [f"%x: {ttype(xs, 'f32')}", f"%w: {ttype(ws, 'f32')}"], [ttype(ys, "f32")] * 2, body)
        ab = ref.conv_forward(np.abs(x), np.abs(wt), st, dl, pad)
        cases.append(Case("conv2d_zero_skip = linalg.conv_2d_nhwc_hwcf", name, f"x{xs} w{ws}",
                          ir, [x, wt], [(4, np.float32), (4, np.float32)],
                          lambda out, ab=ab, t=kh * kw * c: close(out[0], out[1], ab, "f32", t)))

    # The gradients equal their linalg formulations: the data gradient as a
    # correlation of the stride-dilated, padded dy with the flipped filter,
    # cropped to the unpadded input; the filter gradient as a contraction
    # of the padded input with dy.
    for i in range(24):
        n, h, w, c, f, kh, kw, oh, ow, st, dl, pad = _conv_geometry(rng)
        xs, ws, ys = [n, h, w, c], [kh, kw, c, f], [n, oh, ow, f]
        hp, wp = h + pad[0] + pad[1], w + pad[2] + pad[3]
        attrs = _window_attrs(st, dl, pad)
        f32 = lambda shape: ttype(shape, "f32")
        if i % 2 == 0:
            dy = values(rng, ys, "relu", "f32")
            wt = values(rng, ws, "normal", "f32")
            dd = [n, (oh - 1) * st[0] + 1, (ow - 1) * st[1] + 1, f]
            a, b = dl[0] * (kh - 1), dl[1] * (kw - 1)
            dp = [n, hp + a, wp + b, f]
            name = f"conv_backward_data_vs_linalg_{i}"
            body = (f"  %r = sparse_train.conv2d_zero_skip_backward_data %dy, %w {attrs} : {f32(ys)}, {f32(ws)} -> {f32(xs)}\n"
                    f"  %zero = arith.constant 0.0 : f32\n"
                    f"  %e0 = tensor.empty() : {f32(dd)}\n"
                    f"  %z0 = linalg.fill ins(%zero : f32) outs(%e0 : {f32(dd)}) -> {f32(dd)}\n"
                    f"  %dd = tensor.insert_slice %dy into %z0[0, 0, 0, 0] [{n}, {oh}, {ow}, {f}] [1, {st[0]}, {st[1]}, 1] : {f32(ys)} into {f32(dd)}\n"
                    f"  %dp = tensor.pad %dd low[0, {a}, {b}, 0] high[0, {hp - dd[1]}, {wp - dd[2]}, 0] {{\n"
                    f"  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):\n    tensor.yield %zero : f32\n"
                    f"  }} : {f32(dd)} to {f32(dp)}\n"
                    f"  %e1 = tensor.empty() : {f32([n, hp, wp, c])}\n"
                    f"  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : {f32([n, hp, wp, c])}) -> {f32([n, hp, wp, c])}\n"
                    f"  %full = linalg.generic {{indexing_maps = [\n"
                    f"      affine_map<(n, i, j, c, p, q, f) -> (n, i + {a} - p * {dl[0]}, j + {b} - q * {dl[1]}, f)>,\n"
                    f"      affine_map<(n, i, j, c, p, q, f) -> (p, q, c, f)>,\n"
                    f"      affine_map<(n, i, j, c, p, q, f) -> (n, i, j, c)>],\n"
                    f"      iterator_types = [\"parallel\", \"parallel\", \"parallel\", \"parallel\", \"reduction\", \"reduction\", \"reduction\"]}}\n"
                    f"      ins(%dp, %w : {f32(dp)}, {f32(ws)}) outs(%z1 : {f32([n, hp, wp, c])}) {{\n"
                    f"  ^bb0(%g: f32, %v: f32, %acc: f32):\n"
                    f"    %m = arith.mulf %g, %v : f32\n    %s = arith.addf %acc, %m : f32\n    linalg.yield %s : f32\n"
                    f"  }} -> {f32([n, hp, wp, c])}\n"
                    f"  %d = tensor.extract_slice %full[0, {pad[0]}, {pad[2]}, 0] [{n}, {h}, {w}, {c}] [1, 1, 1, 1] : {f32([n, hp, wp, c])} to {f32(xs)}\n"
                    f"  return %r, %d : {f32(xs)}, {f32(xs)}")
            ir = _func(name, [f"%dy: {f32(ys)}", f"%w: {f32(ws)}"], [f32(xs)] * 2, body)
            ab = ref.conv_backward_data(np.abs(dy), np.abs(wt), xs, st, dl, pad)
            cases.append(Case("conv2d_zero_skip_backward_data = linalg", name, f"dy{ys} w{ws} {attrs}",
                              ir, [dy, wt], [(4, np.float32), (4, np.float32)],
                              lambda out, ab=ab, t=kh * kw * f: close(out[0], out[1], ab, "f32", t)))
        else:
            x = values(rng, xs, "relu", "f32")
            dy = values(rng, ys, "normal", "f32")
            ps = [n, hp, wp, c]
            name = f"conv_backward_filter_vs_linalg_{i}"
            body = (f"  %r = sparse_train.conv2d_zero_skip_backward_filter %x, %dy {attrs} : {f32(xs)}, {f32(ys)} -> {f32(ws)}\n"
                    f"  %zero = arith.constant 0.0 : f32\n"
                    f"  %xp = tensor.pad %x low[0, {pad[0]}, {pad[2]}, 0] high[0, {pad[1]}, {pad[3]}, 0] {{\n"
                    f"  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):\n    tensor.yield %zero : f32\n"
                    f"  }} : {f32(xs)} to {f32(ps)}\n"
                    f"  %e = tensor.empty() : {f32(ws)}\n"
                    f"  %z = linalg.fill ins(%zero : f32) outs(%e : {f32(ws)}) -> {f32(ws)}\n"
                    f"  %d = linalg.generic {{indexing_maps = [\n"
                    f"      affine_map<(p, q, c, f, n, i, j) -> (n, i * {st[0]} + p * {dl[0]}, j * {st[1]} + q * {dl[1]}, c)>,\n"
                    f"      affine_map<(p, q, c, f, n, i, j) -> (n, i, j, f)>,\n"
                    f"      affine_map<(p, q, c, f, n, i, j) -> (p, q, c, f)>],\n"
                    f"      iterator_types = [\"parallel\", \"parallel\", \"parallel\", \"parallel\", \"reduction\", \"reduction\", \"reduction\"]}}\n"
                    f"      ins(%xp, %dy : {f32(ps)}, {f32(ys)}) outs(%z : {f32(ws)}) {{\n"
                    f"  ^bb0(%a: f32, %g: f32, %acc: f32):\n"
                    f"    %m = arith.mulf %a, %g : f32\n    %s = arith.addf %acc, %m : f32\n    linalg.yield %s : f32\n"
                    f"  }} -> {f32(ws)}\n"
                    f"  return %r, %d : {f32(ws)}, {f32(ws)}")
            ir = _func(name, [f"%x: {f32(xs)}", f"%dy: {f32(ys)}"], [f32(ws)] * 2, body)
            ab = ref.conv_backward_filter(np.abs(x), np.abs(dy), ws, st, dl, pad)
            cases.append(Case("conv2d_zero_skip_backward_filter = linalg", name, f"x{xs} dy{ys} {attrs}",
                              ir, [x, dy], [(4, np.float32), (4, np.float32)],
                              lambda out, ab=ab, t=n * oh * ow: close(out[0], out[1], ab, "f32", t)))

    # The documented difference: a zero of the scanned operand meeting Inf
    # gives 0 where dense gives NaN; a NaN in the scanned operand is kept.
    for i, (scanned, other, expect) in enumerate([(0.0, np.inf, 0.0), (-0.0, -np.inf, 0.0),
                                                  (np.nan, 1.0, np.nan), (1.0, np.inf, np.inf)]):
        name = f"conv_zero_times_inf_{i}"
        body = (f"  %r = sparse_train.conv2d_zero_skip %x, %w : tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>\n"
                f"  return %r : tensor<1x1x1x1xf32>")
        ir = _func(name, ["%x: tensor<1x1x1x1xf32>", "%w: tensor<1x1x1x1xf32>"], ["tensor<1x1x1x1xf32>"], body)
        x = np.full((1, 1, 1, 1), scanned, dtype=np.float32)
        wt = np.full((1, 1, 1, 1), other, dtype=np.float32)
        e = np.full((1, 1, 1, 1), expect, dtype=np.float32)
        cases.append(Case("conv2d_zero_skip (0 * Inf)", name, f"{scanned} * {other}", ir, [x, wt],
                          [(4, np.float32)], lambda out, e=e: same_bits_or_nan(np.abs(out[0]), np.abs(e), "f32")))

    # Rows long enough for the dense loops' full register tiles (several
    # result pixels; the filter gradient's channel tiles from 28 input
    # columns), channel counts that leave tails, under the dense loop
    # (max_density 0) and the default dispatch.
    for i in range(12):
        op = ["forward", "backward_data", "backward_filter"][i % 3]
        kh, kw = [(3, 3), (1, 1), (3, 3), (5, 5)][(i // 3) % 4]
        st = [1, int(rng.choice([1, 2]))]
        dl = [1, int(rng.choice([1, 2]))]
        pad = [int(rng.integers(0, 3)) for _ in range(4)]
        n, h, w = 1, int(rng.integers(kh, kh + 3)), int(rng.integers(28, 41))
        c, f = [(5, 7), (9, 40), (33, 18), (6, 70)][i % 4]
        oh = ref.conv_output_size(h, kh, st[0], dl[0], pad[0], pad[1])
        ow = ref.conv_output_size(w, kw, st[1], dl[1], pad[2], pad[3])
        cases.append(_f32_conv_case(rng, f"conv_long_rows_{i}", "long rows", op,
                                    ["normal", "relu"][i % 2], [0.0, None][(i // 2) % 2],
                                    (n, h, w, c, f, kh, kw, oh, ow, st, dl, pad)))
    # Filter gradients over more output rows (batch x height) than one group
    # of the CPU kernel's (at most 32 rows, whose accumulators stay in
    # registers), with a last, partial group, under both loops.
    for i in range(6):
        kh, kw = [(3, 3), (5, 5), (3, 1)][i % 3]
        st, dl = [int(rng.choice([1, 2])), 1], [1, int(rng.choice([1, 2]))]
        pad = [int(rng.integers(0, 3)) for _ in range(4)]
        n, h, w = int(rng.choice([2, 3])), int(rng.integers(20, 33)), int(rng.integers(kw + 2, 30))
        c, f = [(5, 7), (9, 40), (6, 18)][i % 3]
        oh = ref.conv_output_size(h, kh, st[0], dl[0], pad[0], pad[1])
        ow = ref.conv_output_size(w, kw, st[1], dl[1], pad[2], pad[3])
        cases.append(_f32_conv_case(rng, f"conv_many_rows_{i}", "many rows", "backward_filter",
                                    ["relu", "special", "normal"][i % 3], [0.0, 1.0][i % 2],
                                    (n, h, w, c, f, kh, kw, oh, ow, st, dl, pad)))
    return cases


FAMILIES = {
    "slice": slice_family,
    "min_k": min_k_family,
    "block": block_family,
    "conv": conv_family,
}
