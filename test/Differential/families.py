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
        xv = from_elem(x, elem)
        kept_idx = ref.min_k_select(xv, ratio=ratio, keep=keep, row=row)
        kept = len(kept_idx)
        numel = int(np.prod(shape))
        attr = f"keep = {keep}" if keep is not None else f"keep_ratio = {ratio!r}"
        gran = " granularity = row" if row else ""
        rtype = _retained_type(shape, elem, kept, encoding)
        name = f"min_k_retain_{i}"
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
        cases.append(Case(f"min_k_retain ({encoding}, {'row' if row else 'tensor'})", name,
                          f"{elem} {shape} {attr} {kind}", ir, [x],
                          [(1, NP[elem]), (1, np.int32)], check))

    # restore(retain(x)) is x on the kept places and +0.0 elsewhere.
    for i in range(24):
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

    # keep_ratio = 1 reproduces the dense x^T dy of linalg bit for bit.
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
    for i in range(24):
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


FAMILIES = {
    "slice": slice_family,
    "min_k": min_k_family,
}
