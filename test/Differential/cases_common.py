"""Pieces shared by the case generators: MLIR type spelling, input values
with the edge cases of DESIGN.md §4, element-type conversions and
comparisons."""

import numpy as np

import harness
import reference

FLOAT_TYPES = ["f32", "f16", "f64", "bf16"]
EPS = {"f32": 2.0 ** -23, "f64": 2.0 ** -52, "f16": 2.0 ** -10, "bf16": 2.0 ** -7}


def ttype(shape, elem):
    return "tensor<" + "".join(f"{d}x" for d in shape) + elem + ">"


def compute_dtype(elem):
    """numpy type the oracle reads the values in."""
    return {"f32": np.float32, "f64": np.float64, "f16": np.float16,
            "bf16": np.float32}[elem]


def to_elem(values, elem):
    """float values as the bits/values the compiled code takes."""
    if elem == "bf16":
        return harness.bf16_bits(values)
    return np.asarray(values).astype(harness.NUMPY_OF[elem])


def from_elem(array, elem):
    """Values of an array of `elem` (bf16 bits become float32)."""
    if elem == "bf16":
        return harness.bf16_to_f32(array)
    return array


def values(rng, shape, kind, elem):
    """Random inputs of one kind, as `elem` values (bf16 already rounded)."""
    n = int(np.prod(shape)) if shape else 1
    if kind == "normal":
        v = rng.standard_normal(n)
    elif kind == "ties":  # few distinct magnitudes: many exact ties
        v = rng.integers(-3, 4, n).astype(np.float64)
    elif kind == "zeros":
        v = np.zeros(n)
    elif kind == "relu":  # about half zeros, like a ReLU output
        v = np.maximum(rng.standard_normal(n), 0.0)
    elif kind == "special":
        pool = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, -1.0,
                         5e-45 if elem == "f32" else (6e-8 if elem == "f16" else 1e-310),
                         2.5, -2.5])
        v = rng.choice(pool, n)
        v = np.where(rng.random(n) < 0.5, rng.standard_normal(n), v)
    elif kind == "scales":  # rows of very different scales
        rows = shape[0] if len(shape) > 1 else 1
        v = rng.standard_normal(n).reshape(rows, -1)
        v *= (10.0 ** rng.integers(-6, 6, rows))[:, None]
        v = v.reshape(-1)
    else:
        raise ValueError(kind)
    arr = to_elem(v, elem).reshape(shape)
    return arr


def same_bits_or_nan(a, b, elem):
    """Exact equality of float arrays (any NaN equals any NaN)."""
    fa = np.asarray(from_elem(a, elem), dtype=np.float64)
    fb = np.asarray(from_elem(b, elem), dtype=np.float64)
    if fa.shape != fb.shape:
        return f"shape {fa.shape} != {fb.shape}"
    nan = np.isnan(fa) & np.isnan(fb)
    ok = nan | ((fa == fb) & (np.signbit(fa) == np.signbit(fb)))
    if not ok.all():
        i = np.argwhere(~ok)[0]
        return f"at {tuple(i)}: {fa[tuple(i)]!r} != {fb[tuple(i)]!r}"
    return None


def close(ours, ref, ref_abs, elem, terms):
    """|ours - ref| within the tolerance of a sum of `terms` products in the
    accumulator type, then rounded to `elem` (docs/Semantics.md). NaN and
    infinities must match exactly."""
    o = np.asarray(from_elem(ours, elem), dtype=np.float64)
    r = np.asarray(ref, dtype=np.float64)
    if o.shape != r.shape:
        return f"shape {o.shape} != {r.shape}"
    acc_eps = EPS["f64"] if elem == "f64" else EPS["f32"]
    tol = (2 * terms * acc_eps + EPS[elem]) * np.asarray(ref_abs) + 1e-30
    finite = np.isfinite(r)
    bad = np.zeros(o.shape, dtype=bool)
    bad |= np.isnan(r) != np.isnan(o)
    bad |= ~finite & ~np.isnan(r) & (o != r)
    with np.errstate(invalid="ignore"):
        bad |= finite & ~(np.abs(o - r) <= tol)
    if bad.any():
        i = tuple(np.argwhere(bad)[0])
        return f"at {i}: {o[i]!r} vs reference {r[i]!r} (tolerance {np.asarray(tol)[i] if np.ndim(tol) else tol!r})"
    return None
