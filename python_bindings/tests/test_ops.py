"""Every sparse_train op called from Python on numpy inputs and compared with
the numpy reference (test/Differential/reference.py)."""

import numpy as np
import pytest

import reference as ref
import sparse_train as st
from sparse_train import ir

RNG = np.random.default_rng(7)


def test_slice_start_matches_philox():
    prog = st.compile(ir.slice_start(1000, 100, align=3))
    for seed, counter in [(0, 0), (1, 2), (-1, 2 ** 40), (12345, 678)]:
        assert prog(seed, counter) == ref.slice_start(seed, counter, 1000, 100, 3)


@pytest.mark.parametrize("dtype,npdtype", [("f32", np.float32), ("f64", np.float64), ("f16", np.float16)])
def test_slice_drop(dtype, npdtype):
    x = RNG.standard_normal((3, 10, 5)).astype(npdtype)
    prog = st.compile(ir.slice_drop(x.shape, dim=1, width=4, dtype=dtype))
    np.testing.assert_array_equal(prog(x, 3), ref.slice_drop(x, 3, 1, 4))


def test_slice_drop_explicit_scale():
    x = RNG.standard_normal((4, 6)).astype(np.float32)
    prog = st.compile(ir.slice_drop(x.shape, dim=0, width=2, scale=0.5))
    np.testing.assert_array_equal(prog(x, 1), ref.slice_drop(x, 1, 0, 2, 0.5))


def test_slice_expand():
    y = RNG.standard_normal((2, 3)).astype(np.float32)
    prog = st.compile(ir.slice_expand(y.shape, dim=1, extent=7))
    np.testing.assert_array_equal(prog(y, 4), ref.slice_expand(y, 4, 1, 7))


@pytest.mark.parametrize("encoding", ["bitmask", "indices"])
@pytest.mark.parametrize("granularity", ["tensor", "row"])
def test_min_k_retain(encoding, granularity):
    x = RNG.integers(-3, 4, (5, 9)).astype(np.float32)  # many ties
    x[1, 2] = np.nan
    prog = st.compile(ir.min_k_retain(x.shape, keep_ratio=0.3, granularity=granularity,
                                      encoding=encoding))
    r = prog(x)
    kept = ref.min_k_select(x, ratio=0.3, row=granularity == "row")
    np.testing.assert_array_equal(r.values, x.reshape(-1)[kept])
    if encoding == "indices":
        np.testing.assert_array_equal(r.positions, kept)
    else:
        np.testing.assert_array_equal(r.positions, ref.encode_bitmask(kept, x.size))
    assert r.shape == x.shape


def test_min_k_restore_round_trip():
    x = RNG.standard_normal((6, 7)).astype(np.float32)
    r = st.compile(ir.min_k_retain(x.shape, keep=10))(x)
    dense = st.compile(ir.min_k_restore(x.shape, kept=10))(r)
    np.testing.assert_array_equal(dense, ref.min_k_restore(x, ref.min_k_select(x, keep=10)))


def test_min_k_weight_grad_linear():
    x = RNG.standard_normal((8, 6)).astype(np.float32)
    dy = RNG.standard_normal((8, 3)).astype(np.float32)
    prog = st.compile(ir.min_k_weight_grad(x.shape, dy.shape, keep_ratio=0.5))
    x_hat = ref.min_k_restore(x, ref.min_k_select(x, ratio=0.5))
    np.testing.assert_allclose(prog(x, dy), ref.weight_grad_linear(x_hat, dy), rtol=1e-5, atol=1e-5)


def test_min_k_weight_grad_conv():
    x = RNG.standard_normal((1, 5, 5, 2)).astype(np.float32)
    dy = RNG.standard_normal((1, 3, 3, 4)).astype(np.float32)
    prog = st.compile(ir.min_k_weight_grad(x.shape, dy.shape, keep_ratio=1.0, filter_size=(3, 3)))
    expected = ref.conv_backward_filter(x, dy, (3, 3, 2, 4), [1, 1], [1, 1], [0, 0, 0, 0])
    np.testing.assert_allclose(prog(x, dy), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("score", ["l1", "l2", "max_abs"])
@pytest.mark.parametrize("select,param", [("global_top_k", {"keep_ratio": 0.5}),
                                          ("row_top_k", {"keep_per_row": 1}),
                                          ("threshold", {"threshold": 5.5})])
def test_block_prune(score, select, param):
    x = RNG.integers(-4, 5, (4, 6)).astype(np.float32)
    prog = st.compile(ir.block_prune(x.shape, (2, 3), score=score, select=select, **param))
    pos, crd, val = prog(x)
    keep = ref.block_select(ref.block_scores(x, 2, 3, score), select, **param)
    epos, ecrd, evals = ref.bsr_buffers(x, 2, 3, keep)
    np.testing.assert_array_equal(pos, epos)
    np.testing.assert_array_equal(crd, ecrd)
    np.testing.assert_array_equal(val, evals)


@pytest.mark.parametrize("side", ["lhs", "rhs"])
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_bsr_matmul(side, ta, tb):
    x = RNG.integers(-3, 4, (4, 6)).astype(np.float32)
    xs = x.T if (ta if side == "lhs" else tb) else x
    other = (xs.shape[1], 3) if side == "lhs" else (2, xs.shape[0])
    d_op = RNG.integers(-3, 4, other).astype(np.float32)
    d = d_op.T if (tb if side == "lhs" else ta) else d_op
    prog = st.compile(ir.block_prune_matmul(x.shape, d.shape, (2, 3), sparse_side=side,
                                            transpose_a=ta, transpose_b=tb, keep_ratio=0.5))
    keep = ref.block_select(ref.block_scores(x, 2, 3, "l1"), "global_top_k", keep_ratio=0.5)
    xh = ref.block_mask(x, 2, 3, keep)
    xh = xh.T if (ta if side == "lhs" else tb) else xh
    expected = xh @ d_op if side == "lhs" else d_op @ xh
    np.testing.assert_allclose(prog(x, d), expected, rtol=1e-6)


@pytest.mark.parametrize("strides,dilations,padding", [((1, 1), (1, 1), (1, 1, 1, 1)),
                                                       ((2, 1), (1, 2), (0, 2, 1, 0))])
def test_convolutions(strides, dilations, padding):
    x = np.maximum(RNG.standard_normal((2, 7, 6, 3)), 0).astype(np.float32)
    w = RNG.standard_normal((3, 3, 3, 4)).astype(np.float32)
    y = st.compile(ir.conv2d_zero_skip(x.shape, w.shape, strides, dilations, padding))(x, w)
    np.testing.assert_allclose(y, ref.conv_forward(x, w, strides, dilations, padding), rtol=1e-5, atol=1e-5)
    dy = RNG.standard_normal(y.shape).astype(np.float32)
    dx = st.compile(ir.conv2d_zero_skip_backward_data(dy.shape, w.shape, x.shape, strides, dilations, padding))(dy, w)
    np.testing.assert_allclose(dx, ref.conv_backward_data(dy, w, x.shape, strides, dilations, padding), rtol=1e-5, atol=1e-5)
    dw = st.compile(ir.conv2d_zero_skip_backward_filter(x.shape, dy.shape, w.shape, strides, dilations, padding))(x, dy)
    np.testing.assert_allclose(dw, ref.conv_backward_filter(x, dy, w.shape, strides, dilations, padding), rtol=1e-5, atol=1e-5)


def test_mixed_program_with_linalg():
    text = """
    func.func @step(%x: tensor<4x8xf32>, %s: index) -> tensor<4x8xf32> {
      %y = sparse_train.slice_drop %x, %s dim = 1, width = 4 : tensor<4x8xf32>
      %z = sparse_train.slice_expand %y, %s dim = 1, extent = 8 : tensor<4x4xf32>
      %r = arith.addf %z, %x : tensor<4x8xf32>
      return %r : tensor<4x8xf32>
    }"""
    x = RNG.standard_normal((4, 8)).astype(np.float32)
    got = st.compile(text)(x, 1)
    np.testing.assert_array_equal(got, ref.slice_expand(ref.slice_drop(x, 1, 1, 4), 1, 1, 8) + x)


def test_bool_and_integer_tensors():
    text = """
    func.func @f(%m: tensor<5xi1>, %v: tensor<5xi64>) -> tensor<5xi64> {
      %z = arith.constant dense<0> : tensor<5xi64>
      %r = arith.select %m, %v, %z : tensor<5xi1>, tensor<5xi64>
      return %r : tensor<5xi64>
    }"""
    m = np.array([True, False, True, True, False])
    v = np.arange(5, dtype=np.int64)
    np.testing.assert_array_equal(st.compile(text)(m, v), np.where(m, v, 0))
