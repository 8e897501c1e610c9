"""Text of sparse_train programs built from Python values, so that the
common cases need no hand-written MLIR. Each helper returns a module with
one public function (named after the op unless `name` is given) that applies
the op to its arguments; compile it with `sparse_train.compile`.

    prog = sparse_train.compile(ir.min_k_retain((32, 64), keep_ratio=0.1))
    retained = prog(x)            # Retained(values, positions, shape)
"""

import math

_ELEMENTS = ("f16", "bf16", "f32", "f64")


def tensor(shape, dtype):
    """`tensor<...>` of `shape` (None for a dynamic size) and `dtype`."""
    if dtype not in _ELEMENTS:
        raise ValueError(f"element type must be one of {_ELEMENTS}, got {dtype!r}")
    return "tensor<" + "".join(("?" if d is None else str(int(d))) + "x" for d in shape) + dtype + ">"


def keep_count(ratio, n):
    """K = floor(ratio * n + 0.5), the rule of min_k_retain and block_prune."""
    return int(math.floor(float(ratio) * float(n) + 0.5))


def retained(shape, kept, encoding="bitmask", dtype="f32"):
    """The `!sparse_train.retained` type."""
    dims = "".join(f"{int(d)}x" for d in shape)
    return f"!sparse_train.retained<{dims}{dtype}, kept = {kept}, {encoding}>"


def kept_count(shape, keep_ratio=None, keep=None, granularity="tensor"):
    """How many values min_k_retain keeps for a static `shape`."""
    n = shape[-1] if granularity == "row" else math.prod(shape)
    per_set = keep if keep is not None else keep_count(keep_ratio, n)
    sets = math.prod(shape[:-1]) if granularity == "row" else 1
    return per_set * sets


def _module(name, params, results, body):
    return (f"func.func @{name}({', '.join(params)}) -> ({', '.join(results)}) {{\n"
            f"{body}\n}}\n")


def _window(strides, dilations, padding):
    parts = []
    if strides is not None:
        parts.append(f"strides = [{strides[0]}, {strides[1]}]")
    if dilations is not None:
        parts.append(f"dilations = [{dilations[0]}, {dilations[1]}]")
    if padding is not None:
        parts.append("padding = [" + ", ".join(str(p) for p in padding) + "]")
    return (" " + " ".join(parts)) if parts else ""


def slice_start(extent, width, align=1, name="slice_start"):
    """(seed: i64, counter: i64) -> index."""
    return _module(name, ["%seed: i64", "%counter: i64"], ["index"],
                   f"  %s = sparse_train.slice_start %seed, %counter extent = {extent}, "
                   f"width = {width}, align = {align}\n  return %s : index")


def slice_drop(shape, dim, width, scale=None, dtype="f32", name="slice_drop"):
    """(x, start: index) -> the slice of x, scaled."""
    out = list(shape)
    out[dim] = width
    scale_attr = "" if scale is None else f", scale = {float(scale)!r}"
    return _module(name, [f"%x: {tensor(shape, dtype)}", "%start: index"], [tensor(out, dtype)],
                   f"  %y = sparse_train.slice_drop %x, %start dim = {dim}, width = {width}{scale_attr} "
                   f": {tensor(shape, dtype)}\n  return %y : {tensor(out, dtype)}")


def slice_expand(shape, dim, extent, dtype="f32", name="slice_expand"):
    """(y, start: index) -> y placed in zeros of full extent."""
    out = list(shape)
    out[dim] = extent
    return _module(name, [f"%y: {tensor(shape, dtype)}", "%start: index"], [tensor(out, dtype)],
                   f"  %z = sparse_train.slice_expand %y, %start dim = {dim}, extent = {extent} "
                   f": {tensor(shape, dtype)}\n  return %z : {tensor(out, dtype)}")


def _retain_attrs(keep_ratio, keep, granularity, encoding):
    if (keep_ratio is None) == (keep is None):
        raise ValueError("give exactly one of keep_ratio and keep")
    attr = f"keep_ratio = {float(keep_ratio)!r}" if keep is None else f"keep = {int(keep)}"
    return f"{attr} granularity = {granularity} encoding = {encoding}"


def min_k_retain(shape, keep_ratio=None, keep=None, granularity="tensor",
                 encoding="bitmask", dtype="f32", name="min_k_retain"):
    """(x) -> Retained(values, positions, shape)."""
    r = retained(shape, kept_count(shape, keep_ratio, keep, granularity), encoding, dtype)
    return _module(name, [f"%x: {tensor(shape, dtype)}"], [r],
                   f"  %r = sparse_train.min_k_retain %x {_retain_attrs(keep_ratio, keep, granularity, encoding)} "
                   f": {tensor(shape, dtype)}\n  return %r : {r}")


def min_k_restore(shape, kept, encoding="bitmask", dtype="f32", name="min_k_restore"):
    """(Retained) -> the dense tensor."""
    r = retained(shape, kept, encoding, dtype)
    return _module(name, [f"%r: {r}"], [tensor(shape, dtype)],
                   f"  %d = sparse_train.min_k_restore %r : {r}\n  return %d : {tensor(shape, dtype)}")


def min_k_weight_grad(x_shape, dy_shape, keep_ratio=None, keep=None, granularity="tensor",
                      encoding="bitmask", dtype="f32", result_dtype=None,
                      filter_size=None, strides=None, dilations=None, padding=None,
                      name="min_k_weight_grad"):
    """(x, dy) -> dW computed from min_k_retain(x): [in, out] for the linear
    form, HWCF with `filter_size=(kh, kw)` for the convolution form."""
    result_dtype = result_dtype or dtype
    kept = kept_count(x_shape, keep_ratio, keep, granularity)
    r = retained(x_shape, kept, encoding, dtype)
    if filter_size is None:
        out = [x_shape[-1], dy_shape[-1]]
    else:
        out = [filter_size[0], filter_size[1], x_shape[3], dy_shape[3]]
    return _module(name, [f"%x: {tensor(x_shape, dtype)}", f"%dy: {tensor(dy_shape, dtype)}"],
                   [tensor(out, result_dtype)],
                   f"  %r = sparse_train.min_k_retain %x {_retain_attrs(keep_ratio, keep, granularity, encoding)} "
                   f": {tensor(x_shape, dtype)}\n"
                   f"  %g = sparse_train.min_k_weight_grad %r, %dy{_window(strides, dilations, padding)} "
                   f": {r}, {tensor(dy_shape, dtype)} -> {tensor(out, result_dtype)}\n"
                   f"  return %g : {tensor(out, result_dtype)}")


def bsr(block, pos_width=0):
    """The upstream BSR encoding of `block = (R, C)`."""
    r, c = block
    widths = f", posWidth = {pos_width}, crdWidth = {pos_width}" if pos_width else ""
    return (f"#sparse_tensor.encoding<{{map = (i, j) -> (i floordiv {r} : dense, "
            f"j floordiv {c} : compressed, i mod {r} : dense, j mod {c} : dense){widths}}}>")


def _prune(shape, block, score, select, keep_ratio, keep_per_row, threshold, dtype, pos_width):
    params = {"keep_ratio": keep_ratio, "keep_per_row": keep_per_row, "threshold": threshold}
    given = [(k, v) for k, v in params.items() if v is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of keep_ratio, keep_per_row and threshold")
    key, value = given[0]
    value = int(value) if key == "keep_per_row" else repr(float(value))
    st = f"tensor<{shape[0]}x{shape[1]}x{dtype}, {bsr(block, pos_width)}>"
    op = (f"sparse_train.block_prune %x block = [{block[0]}, {block[1]}] score = {score} "
          f"select = {select} {key} = {value} : {tensor(shape, dtype)} -> {st}")
    return op, st


def block_prune(shape, block, score="l2", select="global_top_k", keep_ratio=None,
                keep_per_row=None, threshold=None, dtype="f32", pos_width=0, name="block_prune"):
    """(x) -> (positions, coordinates, values): the buffers of the BSR result."""
    op, st = _prune(shape, block, score, select, keep_ratio, keep_per_row, threshold, dtype, pos_width)
    ity = "index" if pos_width == 0 else f"i{pos_width}"
    return _module(name, [f"%x: {tensor(shape, dtype)}"],
                   [f"memref<?x{ity}>", f"memref<?x{ity}>", f"memref<?x{dtype}>"],
                   f"  %p = {op}\n"
                   f"  %pos = sparse_tensor.positions %p {{level = 1 : index}} : {st} to memref<?x{ity}>\n"
                   f"  %crd = sparse_tensor.coordinates %p {{level = 1 : index}} : {st} to memref<?x{ity}>\n"
                   f"  %val = sparse_tensor.values %p : {st} to memref<?x{dtype}>\n"
                   f"  return %pos, %crd, %val : memref<?x{ity}>, memref<?x{ity}>, memref<?x{dtype}>")


def block_prune_matmul(x_shape, other_shape, block, sparse_side="lhs", transpose_a=False,
                       transpose_b=False, score="l1", select="global_top_k", keep_ratio=None,
                       keep_per_row=None, threshold=None, dtype="f32", result_dtype=None,
                       name="block_prune_matmul"):
    """(x, d) -> bsr_matmul(block_prune(x), d) (or with the BSR operand on
    the right when `sparse_side="rhs"`)."""
    result_dtype = result_dtype or ("f32" if dtype in ("f16", "bf16") else dtype)
    op, st = _prune(x_shape, block, score, select, keep_ratio, keep_per_row, threshold, dtype, 0)
    lhs_shape, rhs_shape = (x_shape, other_shape) if sparse_side == "lhs" else (other_shape, x_shape)
    m = lhs_shape[1] if transpose_a else lhs_shape[0]
    n = rhs_shape[0] if transpose_b else rhs_shape[1]
    dense_t = tensor(other_shape, dtype)
    lhs, rhs, lt, rt = ("%p", "%d", st, dense_t) if sparse_side == "lhs" else ("%d", "%p", dense_t, st)
    flags = (" transpose_a" if transpose_a else "") + (" transpose_b" if transpose_b else "")
    out = tensor([m, n], result_dtype)
    return _module(name, [f"%x: {tensor(x_shape, dtype)}", f"%d: {dense_t}"], [out],
                   f"  %p = {op}\n"
                   f"  %y = sparse_train.bsr_matmul {lhs}, {rhs}{flags} : {lt}, {rt} -> {out}\n"
                   f"  return %y : {out}")


def _conv_out(size, k, stride, dilation, lo, hi):
    return (size + lo + hi - dilation * (k - 1) - 1) // stride + 1


def conv2d_zero_skip(x_shape, w_shape, strides=(1, 1), dilations=(1, 1), padding=(0, 0, 0, 0),
                     dtype="f32", name="conv2d_zero_skip"):
    """(x NHWC, w HWCF) -> y NHWF."""
    n, h, w, _ = x_shape
    kh, kw, _, f = w_shape
    y = [n, _conv_out(h, kh, strides[0], dilations[0], padding[0], padding[1]),
         _conv_out(w, kw, strides[1], dilations[1], padding[2], padding[3]), f]
    return _module(name, [f"%x: {tensor(x_shape, dtype)}", f"%w: {tensor(w_shape, dtype)}"],
                   [tensor(y, dtype)],
                   f"  %y = sparse_train.conv2d_zero_skip %x, %w{_window(strides, dilations, padding)} "
                   f": {tensor(x_shape, dtype)}, {tensor(w_shape, dtype)}\n  return %y : {tensor(y, dtype)}")


def conv2d_zero_skip_backward_data(dy_shape, w_shape, x_shape, strides=(1, 1), dilations=(1, 1),
                                   padding=(0, 0, 0, 0), dtype="f32",
                                   name="conv2d_zero_skip_backward_data"):
    """(dy NHWF, w HWCF) -> dx NHWC of `x_shape`."""
    return _module(name, [f"%dy: {tensor(dy_shape, dtype)}", f"%w: {tensor(w_shape, dtype)}"],
                   [tensor(x_shape, dtype)],
                   f"  %dx = sparse_train.conv2d_zero_skip_backward_data %dy, %w{_window(strides, dilations, padding)} "
                   f": {tensor(dy_shape, dtype)}, {tensor(w_shape, dtype)} -> {tensor(x_shape, dtype)}\n"
                   f"  return %dx : {tensor(x_shape, dtype)}")


def conv2d_zero_skip_backward_filter(x_shape, dy_shape, w_shape, strides=(1, 1), dilations=(1, 1),
                                     padding=(0, 0, 0, 0), dtype="f32",
                                     name="conv2d_zero_skip_backward_filter"):
    """(x NHWC, dy NHWF) -> dw HWCF of `w_shape`."""
    return _module(name, [f"%x: {tensor(x_shape, dtype)}", f"%dy: {tensor(dy_shape, dtype)}"],
                   [tensor(w_shape, dtype)],
                   f"  %dw = sparse_train.conv2d_zero_skip_backward_filter %x, %dy{_window(strides, dilations, padding)} "
                   f": {tensor(x_shape, dtype)}, {tensor(dy_shape, dtype)} -> {tensor(w_shape, dtype)}\n"
                   f"  return %dw : {tensor(w_shape, dtype)}")
