"""The peers written in C (peers.c): built once per process into a shared
object, called through ctypes, and identified (which kernels they run).

OpenBLAS is linked explicitly (`-lopenblas` from its pthread variant), not
through the libblas alternative. libxsmm comes as static libraries. The
environment variables OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE must be unset
before OpenBLAS loads (the harness starts every measuring process without
them); `identify()` fails when a peer did not pick AVX-512 kernels.
"""

import ctypes
import hashlib
import os
import subprocess

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "peers.c")
BUILD_DIR = os.path.join(HERE, ".build")
OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread"
OPENBLAS_INCLUDE = "/usr/include/x86_64-linux-gnu/openblas-pthread"

#: OpenBLAS kernel families with AVX-512 (openblas_get_corename()).
OPENBLAS_AVX512 = {"SkylakeX", "Cooperlake", "SapphireRapids"}
#: libxsmm JIT targets with AVX-512.
XSMM_AVX512 = {"skx", "clx", "cpx", "spr", "avx3", "knl", "knm"}
#: oneDNN's dnnl_cpu_isa_avx512_core; every AVX-512 server ISA includes its bits.
DNNL_AVX512_CORE = 0x27
DNNL_ISA_NAMES = {0x7: "avx2", 0x27: "avx512_core", 0x67: "avx512_core_vnni",
                  0xE7: "avx512_core_bf16", 0x3E7: "avx512_core_amx",
                  0x407: "avx2_vnni"}

_P = ctypes.c_void_p
_I64 = ctypes.c_int64
#: ctypes signatures of the entry points of peers.c.
_SIGNATURES = {
    "peer_openblas_corename": ([], ctypes.c_char_p),
    "peer_openblas_config": ([], ctypes.c_char_p),
    "peer_openblas_set_threads": ([ctypes.c_int], None),
    "peer_dnnl_isa": ([], ctypes.c_int),
    "peer_dnnl_matmul_impl": ([_I64, _I64, _I64, ctypes.c_char_p, _I64], ctypes.c_int),
    "peer_xsmm_arch": ([], ctypes.c_char_p),
    "peer_omp_threads": ([], ctypes.c_int),
    "peer_sgemm_openblas": ([ctypes.c_int, _I64, _I64, _I64, _P, _I64, _P, _I64, _P, _I64],
                            ctypes.c_int),
    "peer_sgemm_dnnl": ([ctypes.c_int, _I64, _I64, _I64, _P, _I64, _P, _I64, _P, _I64],
                        ctypes.c_int),
    "peer_sgemm_openblas_nt": ([_I64, _I64, _I64, _P, _I64, _P, _I64, _P, _I64], ctypes.c_int),
    "peer_xsmm_bsr": ([_I64, _I64, _I64, _P, _P, _P, _P, _P, _I64], ctypes.c_int),
    "peer_memset": ([_P, _I64], ctypes.c_int),
    "peer_stream_read": ([_P, _I64], ctypes.c_uint64),
    "peer_fma_peak_gflops": ([_I64], ctypes.c_double),
    "peer_restore_indices": ([_P, _P, _I64, _P, _I64], ctypes.c_int),
    "peer_restore_traffic": ([_P, _P, _I64, _P], ctypes.c_int64),
    "peer_dnnl_conv_create": ([ctypes.POINTER(_P), ctypes.c_int, ctypes.c_int, _P, _P, _P, _P],
                              ctypes.c_int),
    "peer_dnnl_conv_run": ([_P], ctypes.c_int),
    "peer_dnnl_conv_fetch": ([_P, _P], ctypes.c_int),
    "peer_dnnl_conv_impl": ([_P], ctypes.c_char_p),
    "peer_dnnl_conv_destroy": ([_P], None),
}

#: Convolution passes and algorithms of peer_dnnl_conv_create.
CONV_PASSES = {"fwd": 0, "bwd_data": 1, "bwd_weights": 2}
CONV_ALGORITHMS = {"direct": 0, "auto": 1}
#: dnnl_status_t values, for error messages.
DNNL_STATUS = {1: "out_of_memory", 2: "invalid_arguments", 3: "unimplemented",
               5: "runtime_error", 6: "not_required"}

_LIB = None


def build():
    """Compiles peers.c (cached by the source's hash) and returns the path."""
    with open(SOURCE, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    so = os.path.join(BUILD_DIR, f"peers-{digest}.so")
    if os.path.exists(so):
        return so
    os.makedirs(BUILD_DIR, exist_ok=True)
    tmp = f"{so}.{os.getpid()}.tmp"
    cmd = ["cc", "-O3", "-march=native", "-fopenmp", "-fPIC", "-shared", "-Wall",
           SOURCE, "-o", tmp, f"-I{OPENBLAS_INCLUDE}",
           f"-L{OPENBLAS_DIR}", f"-Wl,-rpath,{OPENBLAS_DIR}", "-lopenblas", "-ldnnl",
           "/usr/lib/libxsmm.a", "/usr/lib/libxsmmnoblas.a", "-lpthread", "-ldl", "-lm"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"building the peers failed: {' '.join(cmd)}\n{done.stderr}")
    os.replace(tmp, so)
    return so


def lib():
    """The loaded peers library (built on first use)."""
    global _LIB
    if _LIB is None:
        forced = os.environ.get("SPARSE_TRAIN_OPENBLAS_CORETYPE")
        for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            if var == "OPENBLAS_CORETYPE" and forced in OPENBLAS_AVX512 \
                    and os.environ.get(var) == forced:
                continue  # --openblas-coretype (common.py), logged
            if var in os.environ:
                raise RuntimeError(f"{var} is set: it forces OpenBLAS's kernels; "
                                   "run the peers without it (or pass --openblas-coretype)")
        _LIB = ctypes.CDLL(build())
        for name, (args, res) in _SIGNATURES.items():
            fn = getattr(_LIB, name)
            fn.argtypes, fn.restype = args, res
    return _LIB


def identify(threads):
    """Which kernels the peers run, as a dict for the environment log.
    Raises when OpenBLAS, oneDNN or libxsmm did not pick AVX-512 kernels
    (peers.md section 6.0: a run with fallback kernels is void)."""
    peers = lib()
    peers.peer_openblas_set_threads(threads)
    impl = ctypes.create_string_buffer(256)
    peers.peer_dnnl_matmul_impl(2048, 1024, 1024, impl, 256)
    isa = peers.peer_dnnl_isa()
    info = {
        "openblas_corename": peers.peer_openblas_corename().decode(),
        "openblas_config": peers.peer_openblas_config().decode(),
        "dnnl_isa": DNNL_ISA_NAMES.get(isa, hex(isa)),
        "dnnl_matmul_impl": impl.value.decode(),
        "libxsmm_arch": peers.peer_xsmm_arch().decode(),
        "c_peers_omp_threads": peers.peer_omp_threads(),
        # One thread's fp32 FMA throughput (12 independent 512-bit chains,
        # best of 3 x 0.1-0.2 s): the peak efficiencies are quoted against.
        "fma_peak_gflops_1t": round(peers.peer_fma_peak_gflops(50_000_000), 1),
    }
    problems = []
    if info["openblas_corename"] not in OPENBLAS_AVX512:
        problems.append(f"OpenBLAS core {info['openblas_corename']} is not an AVX-512 core")
    if isa & DNNL_AVX512_CORE != DNNL_AVX512_CORE:
        problems.append(f"oneDNN ISA {info['dnnl_isa']} lacks avx512_core")
    if info["libxsmm_arch"] not in XSMM_AVX512:
        problems.append(f"libxsmm target {info['libxsmm_arch']} is not AVX-512")
    if problems:
        raise RuntimeError("peer kernels are not AVX-512: " + "; ".join(problems))
    return info


def _ptr(array):
    return array.ctypes.data


def _check(status, what):
    if status:
        raise RuntimeError(f"{what} failed with status {status}")


def sgemm(library, a, b, out, trans_a=False):
    """out = op(a) @ b with `library` "openblas" or "dnnl"; row-major
    float32 arrays (views with unit column stride are fine)."""
    m, n = out.shape
    k = a.shape[0] if trans_a else a.shape[1]
    fn = {"openblas": lib().peer_sgemm_openblas, "dnnl": lib().peer_sgemm_dnnl}[library]
    _check(fn(int(trans_a), m, n, k, _ptr(a), a.strides[0] // 4, _ptr(b), b.strides[0] // 4,
              _ptr(out), out.strides[0] // 4), f"{library} sgemm")


def sgemm_nt(a, b, out):
    """out = a @ b.T on OpenBLAS (b is n x k)."""
    m, n = out.shape
    lib().peer_sgemm_openblas_nt(m, n, a.shape[1], _ptr(a), a.strides[0] // 4,
                                 _ptr(b), b.strides[0] // 4, _ptr(out), out.strides[0] // 4)


def xsmm_bsr(ptr, idx, blocks, block, dense, out, chunk=256):
    """out = the block-sparse product of peers.c's peer_xsmm_bsr (ptr/idx
    int64, blocks float32 [stored, b, b] in the kernel's layout)."""
    rows = ptr.size - 1
    _check(lib().peer_xsmm_bsr(rows, block, out.shape[1], _ptr(ptr), _ptr(idx), _ptr(blocks),
                               _ptr(dense), _ptr(out), min(chunk, out.shape[1])),
           "libxsmm dispatch")


def memset(out):
    """Zeroes a float32 array."""
    lib().peer_memset(_ptr(out), out.size)


def stream_read(x):
    """Reads every element of a float32 array once."""
    return lib().peer_stream_read(_ptr(x), x.size)


def restore_indices(values, indices, out):
    """out = 0, then out.flat[indices] = values (int32 indices)."""
    lib().peer_restore_indices(_ptr(values), _ptr(indices), values.size, _ptr(out), out.size)



def restore_traffic(bits, values, out):
    """Reads a bitmask restore's inputs and streams its output (unexpanded):
    the memory traffic of min_k_restore, as a bound; returns the values read."""
    assert out.size % 32 == 0 and out.ctypes.data % 64 == 0 and bits.itemsize == 4
    return lib().peer_restore_traffic(_ptr(bits), _ptr(values), out.size, _ptr(out))


def conv_output_size(size, k, stride, dilation, lo, hi):
    """One spatial output size of a convolution (sparse_train's formula)."""
    return (size + lo + hi - dilation * (k - 1) - 1) // stride + 1


class DnnlConv:
    """A oneDNN convolution primitive of peers.c (peer_dnnl_conv_*) on fixed
    inputs: created once (the inputs are reordered into the primitive's
    preferred layouts then, not timed); `run()` is the execution alone;
    `fetch(out)` (not timed) reorders the result into `out`; `impl` names
    the implementation oneDNN picked.

    `conv_pass` is "fwd" (a = x NHWC, b = w HWCF, result y NHWF),
    "bwd_data" (a = dy, b = w, result dx) or "bwd_weights" (a = x, b = dy,
    result dw HWCF), the operand order of sparse_train's ops; `result_shape`
    gives the sizes the operands do not determine. `algorithm` is "direct"
    or "auto". Strides and dilations are sparse_train's (dilation 1 = none),
    padding is [top, bottom, left, right]. Raises RuntimeError when oneDNN
    cannot create the primitive."""

    def __init__(self, conv_pass, algorithm, a, b, result_shape, strides=(1, 1),
                 dilations=(1, 1), padding=(0, 0, 0, 0)):
        result_shape = tuple(result_shape)
        x_shape = {"fwd": a.shape, "bwd_data": result_shape, "bwd_weights": a.shape}[conv_pass]
        w_shape = {"fwd": b.shape, "bwd_data": b.shape, "bwd_weights": result_shape}[conv_pass]
        n, h, w, c = x_shape
        kh, kw, _, f = w_shape
        y_shape = (n, conv_output_size(h, kh, strides[0], dilations[0], padding[0], padding[1]),
                   conv_output_size(w, kw, strides[1], dilations[1], padding[2], padding[3]), f)
        expected = {"fwd": (x_shape, w_shape, y_shape), "bwd_data": (y_shape, w_shape, x_shape),
                    "bwd_weights": (x_shape, y_shape, w_shape)}[conv_pass]
        if (a.shape, b.shape, result_shape) != expected:
            raise ValueError(f"{conv_pass}: shapes {(a.shape, b.shape, result_shape)} "
                             f"are not those of one convolution, {expected}")
        for array in (a, b):
            assert array.dtype == np.float32 and array.flags.c_contiguous
        self.result_shape = result_shape
        self._handle = None
        handle = _P()
        geometry = np.array([n, h, w, c, f, kh, kw], dtype=np.int64)
        window = np.array(list(strides) + list(dilations) + list(padding), dtype=np.int64)
        status = lib().peer_dnnl_conv_create(ctypes.byref(handle), CONV_PASSES[conv_pass],
                                             CONV_ALGORITHMS[algorithm], _ptr(geometry),
                                             _ptr(window), _ptr(a), _ptr(b))
        if status:
            raise RuntimeError(f"oneDNN {algorithm} convolution {conv_pass}: "
                               f"{DNNL_STATUS.get(status, status)}")
        self._handle = handle.value
        self.impl = lib().peer_dnnl_conv_impl(self._handle).decode()

    def run(self):
        _check(lib().peer_dnnl_conv_run(self._handle), "oneDNN convolution")

    def fetch(self, out):
        """Writes the last result into `out` (float32, result_shape) and
        returns it."""
        assert out.shape == self.result_shape and out.dtype == np.float32 and out.flags.c_contiguous
        _check(lib().peer_dnnl_conv_fetch(self._handle, _ptr(out)), "oneDNN reorder")
        return out

    def close(self):
        """Frees the primitive and its memory (also done when collected)."""
        if self._handle:
            lib().peer_dnnl_conv_destroy(self._handle)
            self._handle = None

    def __del__(self):
        self.close()
