"""numpy implementation of the sparse_train op contracts (DESIGN.md §2,
docs/Semantics.md), written from the contract and independently of the C++
lowering: the oracle of the differential tests.
"""

import math

import numpy as np

MASK32 = 0xFFFFFFFF


# --- slice-drop -------------------------------------------------------------

def philox4x32_10(counter, key):
    """Philox4x32-10 (Random123) on four 32-bit counter words and two key
    words; returns the four output words."""
    c = list(counter)
    k = list(key)
    for r in range(10):
        if r:
            k[0] = (k[0] + 0x9E3779B9) & MASK32
            k[1] = (k[1] + 0xBB67AE85) & MASK32
        p0 = 0xD2511F53 * c[0]
        p1 = 0xCD9E8D57 * c[2]
        c = [((p1 >> 32) ^ c[1] ^ k[0]) & MASK32, p1 & MASK32,
             ((p0 >> 32) ^ c[3] ^ k[1]) & MASK32, p0 & MASK32]
    return c


def slice_start(seed, counter, extent, width, align=1):
    seed &= (1 << 64) - 1
    counter &= (1 << 64) - 1
    r = philox4x32_10([counter & MASK32, counter >> 32, 0, 0],
                      [seed & MASK32, seed >> 32])[0]
    starts = (extent - width) // align + 1
    return align * ((r * starts) >> 32)


def slice_drop(x, start, dim, width, scale=None):
    extent = x.shape[dim]
    if scale is None:
        scale = extent / width
    index = [slice(None)] * x.ndim
    index[dim] = slice(start, start + width)
    # fl(x * fl(scale)) in the element type.
    return x[tuple(index)] * np.array(scale, dtype=x.dtype)


def slice_expand(y, start, dim, extent):
    shape = list(y.shape)
    width = shape[dim]
    shape[dim] = extent
    out = np.zeros(shape, dtype=y.dtype)
    index = [slice(None)] * y.ndim
    index[dim] = slice(start, start + width)
    out[tuple(index)] = y
    return out


# --- min-k retention ----------------------------------------------------------

def keep_count(ratio, n):
    """K = floor(ratio * n + 0.5) with the product in f64."""
    return int(math.floor(float(ratio) * float(n) + 0.5))


def magnitude_order(values):
    """Indices of `values` (a 1-D float array) from the first kept to the
    last: NaN first (all equal), then by decreasing |x| (-0.0 == 0.0), ties by
    increasing index."""
    v = np.asarray(values, dtype=np.float64)
    nan = np.isnan(v)
    mag = np.where(nan, 0.0, np.abs(v))
    index = np.arange(v.size)
    # lexsort: last key is primary.
    return np.lexsort((index, -mag, ~nan))


def min_k_select(x, ratio=None, keep=None, row=False):
    """Sorted flat indices kept by min_k_retain."""
    flat = x.reshape(-1)
    if row:
        n = x.shape[-1]
        rows = flat.size // n if n else 0
        k = keep if keep is not None else keep_count(ratio, n)
        kept = []
        for r in range(rows):
            order = magnitude_order(flat[r * n:(r + 1) * n])
            kept.extend(r * n + order[:k])
        return np.sort(np.array(kept, dtype=np.int64))
    k = keep if keep is not None else keep_count(ratio, flat.size)
    return np.sort(magnitude_order(flat)[:k].astype(np.int64))


def encode_bitmask(indices, numel):
    words = np.zeros((numel + 31) // 32, dtype=np.uint32)
    for i in indices:
        words[i // 32] |= np.uint32(1) << np.uint32(i % 32)
    return words.view(np.int32)


def min_k_restore(x, indices):
    out = np.zeros(x.size, dtype=x.dtype)
    out[indices] = x.reshape(-1)[indices]
    return out.reshape(x.shape)


def weight_grad_linear(x_hat, dy):
    """dW = x̂ᵀ dy with leading dimensions flattened, in f64."""
    x2 = x_hat.reshape(-1, x_hat.shape[-1]).astype(np.float64)
    d2 = dy.reshape(-1, dy.shape[-1]).astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        return x2.T @ d2


# --- convolution ---------------------------------------------------------------

def conv_output_size(size, k, stride, dilation, lo, hi):
    return (size + lo + hi - dilation * (k - 1) - 1) // stride + 1


def _taps(x_shape, w_shape, y_shape, strides, dilations, padding):
    """Yields (kh, kw, output slice, input slice) pairs: output positions
    (oh, ow) whose tap (kh, kw) lands inside the input."""
    _, h, w, _ = x_shape
    kh_n, kw_n = w_shape[0], w_shape[1]
    _, oh_n, ow_n, _ = y_shape
    for kh in range(kh_n):
        for kw in range(kw_n):
            ohs = [o for o in range(oh_n)
                   if 0 <= o * strides[0] + kh * dilations[0] - padding[0] < h]
            ows = [o for o in range(ow_n)
                   if 0 <= o * strides[1] + kw * dilations[1] - padding[2] < w]
            if not ohs or not ows:
                continue
            ihs = [o * strides[0] + kh * dilations[0] - padding[0] for o in ohs]
            iws = [o * strides[1] + kw * dilations[1] - padding[2] for o in ows]
            yield kh, kw, np.ix_(ohs, ows), np.ix_(ihs, iws)


def _skip_product(a, b):
    """a * b with the products of a == 0 removed (0 * Inf = 0)."""
    with np.errstate(invalid="ignore", over="ignore"):
        p = a * b
    return np.where(a != 0, p, 0.0)


def conv_forward(x, w, strides, dilations, padding):
    n, h, wd, c = x.shape
    oh = conv_output_size(h, w.shape[0], strides[0], dilations[0], padding[0], padding[1])
    ow = conv_output_size(wd, w.shape[1], strides[1], dilations[1], padding[2], padding[3])
    y = np.zeros((n, oh, ow, w.shape[3]), dtype=np.float64)
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    for kh, kw, out_ix, in_ix in _taps(x.shape, w.shape, y.shape, strides, dilations, padding):
        patch = x64[:, in_ix[0], in_ix[1], :]  # n, oh', ow', c
        prod = _skip_product(patch[..., :, None], w64[kh, kw][None, None, None])
        y[:, out_ix[0], out_ix[1], :] += prod.sum(axis=3)
    return y


def conv_backward_data(dy, w, x_shape, strides, dilations, padding):
    dx = np.zeros(x_shape, dtype=np.float64)
    dy64, w64 = dy.astype(np.float64), w.astype(np.float64)
    for kh, kw, out_ix, in_ix in _taps(x_shape, w.shape, dy.shape, strides, dilations, padding):
        g = dy64[:, out_ix[0], out_ix[1], :]  # n, oh', ow', f
        prod = _skip_product(g[..., None, :], w64[kh, kw][None, None, None])  # ..., c, f
        contrib = prod.sum(axis=4)
        # in_ix may repeat positions only across taps, never within one tap.
        dx[:, in_ix[0], in_ix[1], :] += contrib
    return dx


def conv_backward_filter(x, dy, w_shape, strides, dilations, padding):
    dw = np.zeros(w_shape, dtype=np.float64)
    x64, dy64 = x.astype(np.float64), dy.astype(np.float64)
    for kh, kw, out_ix, in_ix in _taps(x.shape, w_shape, dy.shape, strides, dilations, padding):
        patch = x64[:, in_ix[0], in_ix[1], :]  # n, oh', ow', c
        g = dy64[:, out_ix[0], out_ix[1], :]  # n, oh', ow', f
        prod = _skip_product(patch[..., :, None], g[..., None, :])
        dw[kh, kw] += prod.sum(axis=(0, 1, 2))
    return dw


# --- block-sparse activations -------------------------------------------------

def block_scores(x, r, c, score):
    m, k = x.shape
    blocks = x.astype(np.float64).reshape(m // r, r, k // c, c).transpose(0, 2, 1, 3)
    with np.errstate(invalid="ignore", over="ignore"):
        if score == "l1":
            return np.abs(blocks).sum(axis=(2, 3))
        if score == "l2":
            return np.sqrt((blocks * blocks).sum(axis=(2, 3)))
        return np.abs(blocks).max(axis=(2, 3))


def block_select(scores, select, keep_ratio=None, keep_per_row=None, threshold=None):
    """Boolean [block rows, block cols] of kept blocks."""
    nbr, nbc = scores.shape
    keep = np.zeros(scores.shape, dtype=bool)
    flat = scores.reshape(-1)
    if select == "global_top_k":
        k = keep_count(keep_ratio, flat.size)
        keep.reshape(-1)[magnitude_order(flat)[:k]] = True
    elif select == "row_top_k":
        m = keep_per_row if keep_per_row is not None else keep_count(keep_ratio, nbc)
        for br in range(nbr):
            keep[br, magnitude_order(scores[br])[:m]] = True
    else:
        with np.errstate(invalid="ignore"):
            keep = np.isnan(scores) | (scores > threshold)
    return keep


def bsr_buffers(x, r, c, keep):
    """(positions, coordinates, values) of the kept blocks."""
    nbr, nbc = keep.shape
    positions = [0]
    coordinates, values = [], []
    for br in range(nbr):
        for bc in range(nbc):
            if keep[br, bc]:
                coordinates.append(bc)
                values.append(x[br * r:(br + 1) * r, bc * c:(bc + 1) * c].reshape(-1))
        positions.append(len(coordinates))
    vals = np.concatenate(values) if values else np.zeros(0, dtype=x.dtype)
    return np.array(positions), np.array(coordinates, dtype=np.int64), vals


def block_mask(x, r, c, keep):
    """x with the dropped blocks zeroed."""
    return x * np.kron(keep, np.ones((r, c), dtype=bool)).astype(x.dtype)
