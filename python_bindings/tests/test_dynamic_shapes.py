"""Dynamic sizes where the contract allows them, compiled once and run on
several shapes, against the numpy reference."""

import numpy as np
import pytest

import reference as ref
import sparse_train as st

RNG = np.random.default_rng(11)

PROGRAM = """
func.func @drop(%x: tensor<?x8xf32>, %s: index) -> tensor<?x3xf32> {
  %y = sparse_train.slice_drop %x, %s dim = 1, width = 3 : tensor<?x8xf32>
  return %y : tensor<?x3xf32>
}
func.func @retain(%x: tensor<?x?xf32>) -> !sparse_train.retained<?x?xf32, kept = ?, indices> {
  %r = sparse_train.min_k_retain %x keep_ratio = 0.3 granularity = row encoding = indices : tensor<?x?xf32>
  return %r : !sparse_train.retained<?x?xf32, kept = ?, indices>
}
func.func @restore(%r: !sparse_train.retained<?x?xf32, kept = ?, indices>) -> tensor<?x?xf32> {
  %d = sparse_train.min_k_restore %r : !sparse_train.retained<?x?xf32, kept = ?, indices>
  return %d : tensor<?x?xf32>
}
func.func @grad(%x: tensor<?x?xf32>, %dy: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = sparse_train.min_k_retain %x keep_ratio = 0.5 : tensor<?x?xf32>
  %g = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<?x?xf32, kept = ?, bitmask>, tensor<?x?xf32> -> tensor<?x?xf32>
  return %g : tensor<?x?xf32>
}
func.func @conv(%x: tensor<?x?x?x3xf32>, %w: tensor<3x3x3x?xf32>) -> tensor<?x?x?x?xf32> {
  %y = sparse_train.conv2d_zero_skip %x, %w padding = [1, 1, 1, 1] : tensor<?x?x?x3xf32>, tensor<3x3x3x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
"""


@pytest.fixture(scope="module")
def prog():
    return st.compile(PROGRAM)


@pytest.mark.parametrize("rows", [1, 5, 17])
def test_slice_drop_dynamic_batch(prog, rows):
    x = RNG.standard_normal((rows, 8)).astype(np.float32)
    np.testing.assert_array_equal(prog.invoke("drop", x, 2), ref.slice_drop(x, 2, 1, 3))


@pytest.mark.parametrize("shape", [(3, 7), (1, 1), (6, 20), (0, 4)])
def test_min_k_dynamic_round_trip(prog, shape):
    x = RNG.integers(-3, 4, shape).astype(np.float32)
    r = prog.invoke("retain", x)
    kept = ref.min_k_select(x, ratio=0.3, row=True)
    assert r.shape == shape
    assert r.positions.dtype == np.int64  # i64 indices for a dynamic shape
    np.testing.assert_array_equal(r.positions, kept)
    np.testing.assert_array_equal(r.values, x.reshape(-1)[kept])
    np.testing.assert_array_equal(prog.invoke("restore", r), ref.min_k_restore(x, kept))


@pytest.mark.parametrize("rows,fin,fout", [(4, 3, 2), (9, 8, 5)])
def test_weight_grad_dynamic(prog, rows, fin, fout):
    x = RNG.standard_normal((rows, fin)).astype(np.float32)
    dy = RNG.standard_normal((rows, fout)).astype(np.float32)
    x_hat = ref.min_k_restore(x, ref.min_k_select(x, ratio=0.5))
    np.testing.assert_allclose(prog.invoke("grad", x, dy), ref.weight_grad_linear(x_hat, dy),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("n,h,w,f", [(1, 4, 4, 2), (2, 7, 5, 3)])
def test_conv_dynamic(prog, n, h, w, f):
    x = np.maximum(RNG.standard_normal((n, h, w, 3)), 0).astype(np.float32)
    wt = RNG.standard_normal((3, 3, 3, f)).astype(np.float32)
    np.testing.assert_allclose(prog.invoke("conv", x, wt),
                               ref.conv_forward(x, wt, [1, 1], [1, 1], [1, 1, 1, 1]),
                               rtol=1e-5, atol=1e-5)
