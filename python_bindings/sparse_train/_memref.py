"""numpy arrays <-> MLIR memref descriptors (pure Python, no compiled code).

A ranked memref crosses the C interface (`llvm.emit_c_interface`) as
`{allocated, aligned, offset, sizes[rank], strides[rank]}`; functions take
pointers to descriptors and return results through a pointer passed first
(a struct of descriptors when there are several).
"""

import ctypes

import numpy as np

#: numpy dtype of each MLIR element type. bf16 has no numpy type: it travels
#: as the uint16 bit patterns of its values.
NUMPY_OF = {
    "f16": np.float16, "bf16": np.uint16, "f32": np.float32,
    "f64": np.float64, "i1": np.bool_, "i8": np.int8, "i16": np.int16,
    "i32": np.int32, "i64": np.int64, "index": np.int64,
}

#: ctypes type of each scalar MLIR type passed by value.
CTYPE_OF = {
    "f32": ctypes.c_float, "f64": ctypes.c_double, "i1": ctypes.c_bool,
    "i8": ctypes.c_int8, "i16": ctypes.c_int16, "i32": ctypes.c_int32,
    "i64": ctypes.c_int64, "index": ctypes.c_int64,
}

_TYPES = {}


def memref_type(rank):
    """The ctypes struct of a ranked memref descriptor (cached per rank)."""
    if rank not in _TYPES:
        class MemRef(ctypes.Structure):
            _fields_ = [("allocated", ctypes.c_void_p),
                        ("aligned", ctypes.c_void_p),
                        ("offset", ctypes.c_int64),
                        ("sizes", ctypes.c_int64 * rank),
                        ("strides", ctypes.c_int64 * rank)]
        _TYPES[rank] = MemRef
    return _TYPES[rank]


def results_type(ranks):
    """The ctypes type results are returned in: one descriptor, or a struct
    of them."""
    types = [memref_type(r) for r in ranks]
    if len(types) == 1:
        return types[0]

    class Results(ctypes.Structure):
        _fields_ = [(f"r{i}", t) for i, t in enumerate(types)]
    return Results


def result_descriptors(results, count):
    """The descriptors inside a value of `results_type`."""
    if count == 1:
        return [results]
    return [getattr(results, f"r{i}") for i in range(count)]


def to_descriptor(array):
    """A descriptor viewing `array`; the caller keeps `array` alive."""
    desc = memref_type(array.ndim)()
    desc.allocated = array.ctypes.data
    desc.aligned = array.ctypes.data
    desc.offset = 0
    for d in range(array.ndim):
        desc.sizes[d] = array.shape[d]
        desc.strides[d] = array.strides[d] // array.itemsize
    return desc


def from_descriptor(desc, dtype):
    """A numpy copy of the memref `desc` with elements `dtype`."""
    rank = len(desc.sizes)
    shape = tuple(desc.sizes[d] for d in range(rank))
    strides = tuple(desc.strides[d] for d in range(rank))
    itemsize = np.dtype(dtype).itemsize
    if any(s == 0 for s in shape) or not desc.aligned:
        return np.zeros(shape, dtype=dtype)
    span = 1 + sum((n - 1) * s for n, s in zip(shape, strides))
    count = desc.offset + span
    base = ctypes.cast(desc.aligned,
                       ctypes.POINTER(ctypes.c_byte * (count * itemsize))).contents
    flat = np.frombuffer(base, dtype=dtype, count=count)
    view = np.lib.stride_tricks.as_strided(
        flat[desc.offset:], shape=shape,
        strides=tuple(s * itemsize for s in strides))
    return np.array(view, copy=True)
