"""Compile MLIR modules with sparse-train-opt and call their functions on
numpy arrays.

A module goes through `sparse-train-opt --sparse-train-to-cpu`,
`mlir-translate --mlir-to-llvmir`, `opt -O3`, `llc -O3` and the system C
compiler into a
shared object, which ctypes loads. Functions must carry
`llvm.emit_c_interface`; their tensor arguments and results cross as memref
descriptors ({allocated, aligned, offset, sizes[], strides[]}), results
through a pointer passed first (a struct of descriptors when there are
several). Result buffers are copied into numpy arrays; they are small and
the process is short-lived, so they are not freed.
"""

import ctypes
import functools
import os
import subprocess
import sys
import tempfile

import numpy as np

LLVM_BIN = "/usr/lib/llvm-22/bin"

# The descriptor code is shared with the Python package; it is pure Python,
# so the differential tests do not need the compiled bindings.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "python_bindings", "sparse_train"))
from _memref import (NUMPY_OF, from_descriptor,  # noqa: E402
                     result_descriptors, results_type, to_descriptor)


class Function:
    """A compiled function with a known signature."""

    def __init__(self, lib, name, results):
        self.symbol = getattr(lib, "_mlir_ciface_" + name)
        self.results = results  # [(rank, dtype)]

    def __call__(self, *args):
        keep = []
        c_args = []
        for a in args:
            if isinstance(a, np.ndarray):
                a = np.ascontiguousarray(a)
                keep.append(a)
                desc = to_descriptor(a)
                keep.append(desc)
                c_args.append(ctypes.byref(desc))
            else:
                c_args.append(ctypes.c_int64(int(a)))
        out = results_type([rank for rank, _ in self.results])()
        self.symbol(ctypes.byref(out), *c_args)
        return [from_descriptor(d, dtype) for d, (_, dtype) in
                zip(result_descriptors(out, len(self.results)), self.results)]


@functools.lru_cache(maxsize=None)
def host_triple():
    """The target triple of this machine, as LLVM names it."""
    return subprocess.run([os.path.join(LLVM_BIN, "llvm-config"), "--host-target"],
                          check=True, capture_output=True, text=True).stdout.strip()


def compile_module(ir, opt, workdir=None, pipeline="--sparse-train-to-cpu"):
    """Compiles `ir` to a shared object linked against the project's small
    CPU runtime (lib/Runtime) and returns the loaded library."""
    workdir = workdir or tempfile.mkdtemp(prefix="sparse-train-diff-")
    os.makedirs(workdir, exist_ok=True)
    src = os.path.join(workdir, "module.mlir")
    with open(src, "w") as f:
        f.write(ir)
    llvm_mlir = os.path.join(workdir, "module.llvm.mlir")
    ll = os.path.join(workdir, "module.ll")
    obj = os.path.join(workdir, "module.o")
    so = os.path.join(workdir, "module.so")
    run = lambda cmd: subprocess.run(cmd, check=True, capture_output=True, text=True)
    try:
        run([opt, src, pipeline, "-o", llvm_mlir])
        run([os.path.join(LLVM_BIN, "mlir-translate"), "--mlir-to-llvmir",
             llvm_mlir, "-o", ll])
        # LLVM's -O3 pipeline, as mlir-runner -O3 and the Python JIT run it
        # (the loops the vector kernels leave scalar get vectorized), then
        # the backend. -mcpu=native: the object runs where it is built (as a
        # JIT would), and bf16 needs the host's conversions rather than a
        # libgcc helper.
        # -mtriple: mlir-translate writes no target triple unless the module
        # names one, and LLVM 22's llc then knows no C library: every
        # llvm.memset / llvm.memcpy (zero fills, copies) becomes a loop of
        # byte stores. Our pipelines name it (sparse-train-set-target-
        # triple); other pipelines, like the sparsifier peer's, do not.
        native = ["-mcpu=native", f"-mtriple={host_triple()}"]
        run([os.path.join(LLVM_BIN, "opt"), "-O3", *native, ll, "-o", ll])
        run([os.path.join(LLVM_BIN, "llc"), "-O3", *native, "-relocation-model=pic",
             "-filetype=obj", ll, "-o", obj])
        libdir = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(opt))), "lib")
        llvm_lib = os.path.join(os.path.dirname(LLVM_BIN), "lib")
        # libomp: the parallel kernels run on LLVM's OpenMP runtime.
        # -Bsymbolic: calls between the module's functions stay inside it,
        # even when a loaded library exports the same name (libc's `step`).
        run(["cc", "-shared", "-Wl,-Bsymbolic", obj, "-o", so, f"-L{libdir}", f"-Wl,-rpath,{libdir}",
             f"-L{llvm_lib}", f"-Wl,-rpath,{llvm_lib}", "-lsparse_train_runtime", "-lomp",
             "-lm"])
    except subprocess.CalledProcessError as e:
        raise RuntimeError(f"compiling {src} failed: {' '.join(e.cmd)}\n{e.stderr}")
    return ctypes.CDLL(so)


def bf16_bits(x):
    """float32 values rounded to bf16 (nearest, ties to even), as uint16."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    nan = np.isnan(np.asarray(x, dtype=np.float32))
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    rounded = np.where(nan, (bits >> 16) | 0x40, rounded)
    return rounded.astype(np.uint16)


def bf16_to_f32(bits):
    """bf16 bit patterns as float32 values."""
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)
