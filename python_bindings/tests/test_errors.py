"""Failures raise Python exceptions carrying the MLIR diagnostics; nothing
aborts the interpreter."""

import numpy as np
import pytest

import sparse_train as st
from sparse_train import ir


def test_parse_error_carries_location():
    with pytest.raises(st.CompileError, match=r"<input>:1:\d+: error: .*"):
        st.compile("func.func @f( {")


def test_verifier_error_carries_message():
    bad = ir.slice_drop((4, 8), dim=1, width=4).replace("width = 4 :", "width = 9 :")
    with pytest.raises(st.CompileError, match="expects 1 <= width <= extent, got width 9"):
        st.compile(bad)


def test_bad_pipeline_string():
    with pytest.raises(st.CompileError, match="invalid pass pipeline"):
        st.compile(ir.slice_start(8, 4), pipeline="no-such-pass")


def test_unbalanced_pipeline_string():
    with pytest.raises(st.CompileError, match="invalid pass pipeline"):
        st.compile(ir.slice_start(8, 4), pipeline="builtin.module(canonicalize")


def test_pass_failure():
    text = "func.func @f() -> index {\n  %0 = gpu.thread_id x\n  return %0 : index\n}"
    with pytest.raises(st.CompileError, match="'gpu.thread_id' was not lowered"):
        st.compile(text)


def test_unknown_target_and_options():
    with pytest.raises(ValueError, match="only 'cpu'"):
        st.compile(ir.slice_start(8, 4), target="cuda")
    with pytest.raises(ValueError, match="default pipeline only"):
        st.compile(ir.slice_start(8, 4), pipeline="sparse-train-to-cpu", runtime_checks=True)


@pytest.fixture(scope="module")
def drop():
    return st.compile(ir.slice_drop((4, 8), dim=1, width=4))


def test_wrong_dtype(drop):
    with pytest.raises(TypeError, match="expected dtype float32 for element type f32, got float64"):
        drop(np.zeros((4, 8)), 0)


def test_wrong_rank(drop):
    with pytest.raises(ValueError, match="expected rank 2"):
        drop(np.zeros(8, np.float32), 0)


def test_wrong_shape(drop):
    with pytest.raises(ValueError, match="dimension 1 must be 8"):
        drop(np.zeros((4, 7), np.float32), 0)


def test_wrong_argument_count_and_kind(drop):
    with pytest.raises(TypeError, match="takes 2 arguments, got 1"):
        drop(np.zeros((4, 8), np.float32))
    with pytest.raises(TypeError, match="expected a numpy array"):
        drop([[0.0] * 8] * 4, 0)
    with pytest.raises(TypeError, match="expected a number"):
        drop(np.zeros((4, 8), np.float32), "0")


def test_unknown_function(drop):
    with pytest.raises(KeyError, match="no function 'g'"):
        drop.invoke("g")


def test_runtime_check_option_compiles():
    prog = st.compile(ir.slice_drop((4, 8), dim=1, width=4), runtime_checks=True)
    assert "runtime-checks=true" in prog.pipeline
    np.testing.assert_array_equal(prog(np.ones((4, 8), np.float32), 4), np.full((4, 4), 2, np.float32))


def test_cache_returns_the_same_program():
    text = ir.slice_start(64, 16)
    assert st.compile(text) is st.compile(text)
    assert st.compile(text) is not st.compile(text, runtime_checks=True)


def test_debug_keeps_ir():
    prog = st.compile(ir.slice_expand((2, 2), dim=0, extent=3), debug=True)
    assert "sparse_train.slice_expand" in prog.ir_before
    lowered = prog.ir_after("convert-sparse-train-to-cpu")
    assert "tensor.insert_slice" in lowered and "sparse_train." not in lowered
    assert "llvm.func @slice_expand" in prog.ir_after()
    with pytest.raises(KeyError):
        prog.ir_after("no-such-pass")
