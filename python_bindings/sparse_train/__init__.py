"""sparse_train from Python: compile programs that use sparse_train ops and
run them on numpy arrays.

    import numpy as np, sparse_train
    prog = sparse_train.compile(sparse_train.ir.slice_drop((4, 8), dim=1, width=4))
    y = prog(np.ones((4, 8), np.float32), 2)      # start = 2

`compile` parses IR text (sparse_train plus every upstream dialect), runs a
pass pipeline (default `sparse-train-to-cpu`), JIT-compiles the result and
returns a `Program`. Every public function with a body is callable.

Ownership: results are numpy arrays that own copies of the data; the
buffers the compiled code returned are freed before `invoke` returns (except
a buffer that is an argument or a constant). Nothing the caller passes is
freed or kept.

Debugging: `compile(..., debug=True)` (or the environment variable
`SPARSE_TRAIN_DEBUG=<dir>`) keeps the IR before the pipeline, after it, and
after each pass (`Program.ir_before`, `Program.ir_after(pass)`); with the
variable, the IR before and after is also written to `<dir>`.
"""

import ctypes
import os
from collections import namedtuple

import numpy as np

from . import _memref, ir  # noqa: F401
from ._sparse_train import CompileError
from ._sparse_train import Program as _Compiled

__all__ = ["compile", "Program", "Retained", "CompileError", "ir"]

#: The pipeline `compile` runs by default.
DEFAULT_PIPELINE = "sparse-train-to-cpu"

_LLVM_LIB = "/usr/lib/llvm-22/lib"
# The project's runtime (the dense products' sgemm; in the build tree two
# levels above the package, or where SPARSE_TRAIN_RUNTIME points), the
# upstream C runner utilities, and LLVM's OpenMP runtime for the parallel
# kernels (unless num-threads=1).
_RUNTIME_LIBS = [os.environ.get("SPARSE_TRAIN_RUNTIME",
                                os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                             "..", "..", "lib", "libsparse_train_runtime.so")),
                 os.path.join(_LLVM_LIB, "libmlir_c_runner_utils.so"),
                 os.path.join(_LLVM_LIB, "libomp.so")]
_libc = ctypes.CDLL(None)
_libc.free.argtypes = [ctypes.c_void_p]
# Bufferized constants are returned with this "allocated" pointer.
_NOT_ALLOCATED = 0xDEADBEEF

#: A !sparse_train.retained value: its values, its positions (indices or
#: bitmask words) and the dense shape.
Retained = namedtuple("Retained", ["values", "positions", "shape"])

_cache = {}


def _pipeline_text(pipeline, options):
    if pipeline is None:
        pipeline = DEFAULT_PIPELINE
        if options:
            opts = " ".join(f"{k.replace('_', '-')}={str(v).lower() if isinstance(v, bool) else v}"
                            for k, v in sorted(options.items()))
            pipeline += "{" + opts + "}"
    elif options:
        raise ValueError("options apply to the default pipeline only; put them "
                         "in the pipeline text instead")
    pipeline = pipeline.strip()
    if not pipeline.startswith("builtin.module("):
        pipeline = f"builtin.module({pipeline})"
    return pipeline


def compile(ir_text, pipeline=None, target="cpu", debug=None, **options):
    """Compiles `ir_text` and returns a `Program`.

    `pipeline` uses the syntax of `sparse-train-opt --pass-pipeline` (with or
    without the enclosing `builtin.module(...)`); `options` are options of
    the default pipeline (`runtime_checks=True`). Programs are cached by
    (IR, pipeline, options). Raises `CompileError` with the MLIR diagnostics
    when the IR does not parse or verify, the pipeline is malformed or fails.
    """
    if target != "cpu":
        raise ValueError(f"unknown target {target!r}: only 'cpu' exists")
    text = _pipeline_text(pipeline, options)
    debug_dir = os.environ.get("SPARSE_TRAIN_DEBUG")
    keep_ir = bool(debug) or bool(debug_dir)
    key = (ir_text, text, keep_ir)
    if key not in _cache:
        compiled = _Compiled(ir_text, text, _RUNTIME_LIBS, keep_ir)
        _cache[key] = Program(compiled, text)
        if debug_dir:
            os.makedirs(debug_dir, exist_ok=True)
            stem = os.path.join(debug_dir, f"program_{len(_cache)}")
            with open(stem + "_before.mlir", "w") as f:
                f.write(compiled.ir_before)
            with open(stem + "_after.mlir", "w") as f:
                f.write(compiled.ir_after_pipeline)
    return _cache[key]


class Program:
    """A compiled module. Call its only function with `program(*args)`, or
    any of them with `program.invoke(name, *args)`."""

    def __init__(self, compiled, pipeline):
        self._compiled = compiled
        self.pipeline = pipeline
        self.signatures = dict(compiled.signatures)
        self._functions = {}

    @property
    def ir_before(self):
        """The input IR (kept with debug=True)."""
        return self._compiled.ir_before

    def ir_after(self, pass_name=None):
        """The IR after the pipeline, or after the last run of `pass_name`
        (kept with debug=True)."""
        if pass_name is None:
            return self._compiled.ir_after_pipeline
        found = [ir for name, ir in self._compiled.ir_after_pass if name == pass_name]
        if not found:
            raise KeyError(f"no pass {pass_name!r} ran (or debug was off)")
        return found[-1]

    def __call__(self, *args):
        if len(self.signatures) != 1:
            raise TypeError(f"the program has {len(self.signatures)} functions "
                            f"({', '.join(sorted(self.signatures))}): use invoke(name, ...)")
        return self.invoke(next(iter(self.signatures)), *args)

    def invoke(self, name, *args):
        """Calls function `name` on `args` (numpy arrays for tensors, Python
        numbers for scalars, `Retained` for retained values). Returns one
        result, a tuple of several, or None."""
        if name not in self.signatures:
            raise KeyError(f"no function {name!r}; the program has "
                           f"{', '.join(sorted(self.signatures))}")
        sig = self.signatures[name]
        if len(args) != len(sig["args"]):
            raise TypeError(f"{name}() takes {len(sig['args'])} arguments, got {len(args)}")
        keep, c_args, inputs = [], [], set()
        for i, (value, spec) in enumerate(zip(args, sig["args"])):
            c_args.extend(_convert_argument(name, i, value, spec, keep, inputs))
        fn, result_struct, scalar_result = self._function(name, sig)
        if scalar_result is not None:
            return fn(*c_args)
        if result_struct is None:
            fn(*c_args)
            return None
        out = result_struct()
        fn(ctypes.byref(out), *c_args)
        results = _collect_results(out, sig["results"], inputs)
        return results[0] if len(results) == 1 else tuple(results)

    def _function(self, name, sig):
        if name in self._functions:
            return self._functions[name]
        address = self._compiled.address(name)
        results = sig["results"]
        scalar = None
        fields = []
        for i, spec in enumerate(results):
            kind = spec["kind"]
            if kind == "tensor":
                fields.append((f"r{i}", _memref.memref_type(len(spec["shape"]))))
            elif kind == "retained":
                fields.append((f"r{i}v", _memref.memref_type(1)))
                fields.append((f"r{i}p", _memref.memref_type(1)))
                for d, size in enumerate(spec["shape"]):
                    if size < 0:
                        fields.append((f"r{i}d{d}", ctypes.c_int64))
            elif kind == "scalar" and len(results) == 1:
                scalar = _memref.CTYPE_OF.get(spec["element"])
            else:
                raise TypeError(f"{name}: a {kind} result ({spec['element']}) "
                                "cannot cross the Python boundary")
        # One struct for every memref result (one descriptor alone has the
        # same layout as a struct holding it).
        struct = (type("Results", (ctypes.Structure,), {"_fields_": fields})
                  if fields else None)
        fn = ctypes.CFUNCTYPE(scalar)(address)
        self._functions[name] = (fn, struct, scalar)
        return self._functions[name]


def _check_array(fname, i, array, spec):
    if not isinstance(array, np.ndarray):
        raise TypeError(f"{fname}() argument {i}: expected a numpy array for "
                        f"tensor<{_spell(spec)}>, got {type(array).__name__}")
    dtype = np.dtype(_memref.NUMPY_OF[spec["element"]])
    if array.dtype != dtype:
        raise TypeError(f"{fname}() argument {i}: expected dtype {dtype} for "
                        f"element type {spec['element']}, got {array.dtype}")
    shape = spec["shape"]
    if array.ndim != len(shape):
        raise ValueError(f"{fname}() argument {i}: expected rank {len(shape)} "
                         f"(tensor<{_spell(spec)}>), got shape {array.shape}")
    for d, (want, got) in enumerate(zip(shape, array.shape)):
        if want >= 0 and want != got:
            raise ValueError(f"{fname}() argument {i}: dimension {d} must be "
                             f"{want} (tensor<{_spell(spec)}>), got shape {array.shape}")


def _spell(spec):
    return "".join(("?" if d < 0 else str(d)) + "x" for d in spec["shape"]) + spec["element"]


def _descriptor(array, keep, inputs):
    # Function arguments are memrefs with the identity layout: pass a
    # row-major copy of any other view.
    array = np.ascontiguousarray(array)
    desc = _memref.to_descriptor(array)
    keep.extend([array, desc])
    inputs.add(array.ctypes.data)
    return ctypes.cast(ctypes.pointer(desc), ctypes.c_void_p)


def _convert_argument(fname, i, value, spec, keep, inputs):
    kind = spec["kind"]
    if kind == "tensor":
        _check_array(fname, i, value, spec)
        return [_descriptor(value, keep, inputs)]
    if kind == "scalar":
        ctype = _memref.CTYPE_OF.get(spec["element"])
        if ctype is None:
            raise TypeError(f"{fname}() argument {i}: scalars of {spec['element']} are not supported")
        if not isinstance(value, (int, float, np.number, bool)):
            raise TypeError(f"{fname}() argument {i}: expected a number for "
                            f"{spec['element']}, got {type(value).__name__}")
        return [ctype(value)]
    if kind == "retained":
        if not isinstance(value, Retained):
            raise TypeError(f"{fname}() argument {i}: expected a sparse_train.Retained")
        values_spec = {"shape": [spec["kept"]], "element": spec["element"]}
        positions_spec = {"shape": [spec["num_positions"]], "element": spec["positions"]}
        _check_array(fname, i, value.values, values_spec)
        _check_array(fname, i, value.positions, positions_spec)
        out = [_descriptor(value.values, keep, inputs),
               _descriptor(value.positions, keep, inputs)]
        for d, size in enumerate(spec["shape"]):
            if size < 0:
                out.append(ctypes.c_int64(value.shape[d]))
        return out
    raise TypeError(f"{fname}() argument {i}: a {kind} argument "
                    f"({spec['element']}) cannot cross the Python boundary")


def _collect_results(out, specs, inputs):
    """numpy copies of the results; frees the buffers the code allocated."""
    get = lambda field: getattr(out, field)
    descriptors = []
    results = []
    for i, spec in enumerate(specs):
        if spec["kind"] == "tensor":
            d = get(f"r{i}")
            descriptors.append(d)
            results.append(_memref.from_descriptor(d, _memref.NUMPY_OF[spec["element"]]))
        else:
            v, p = get(f"r{i}v"), get(f"r{i}p")
            descriptors.extend([v, p])
            shape = tuple(getattr(out, f"r{i}d{d}") if size < 0 else size
                          for d, size in enumerate(spec["shape"]))
            results.append(Retained(
                _memref.from_descriptor(v, _memref.NUMPY_OF[spec["element"]]),
                _memref.from_descriptor(p, _memref.NUMPY_OF[spec["positions"]]),
                shape))
    freed = set()
    for d in descriptors:
        ptr = d.allocated
        if ptr and ptr not in freed and ptr not in inputs and ptr != _NOT_ALLOCATED:
            _libc.free(ptr)
            freed.add(ptr)
    return results
