/*===- CpuRuntime.c - runtime functions of compiled sparse_train code -----===*\
|*                                                                            *|
|* The few functions that code lowered by sparse-train-to-cpu may call and    *|
|* that upstream keeps in libmlir_c_runner_utils (which needs libMLIR.so).    *|
|* Linking this small library instead keeps ahead-of-time compiled kernels    *|
|* free of any LLVM/MLIR dependency.                                          *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include <stdint.h>
#include <string.h>

/// The descriptor behind an unranked memref.
typedef struct {
  int64_t rank;
  void *descriptor;
} UnrankedMemRef;

/// Reads the fields of a ranked descriptor of `rank`:
/// {allocated, aligned, offset, sizes[rank], strides[rank]}.
static void unpack(const UnrankedMemRef *m, char **aligned, int64_t *offset,
                   const int64_t **sizes, const int64_t **strides) {
  char *const *ptrs = (char *const *)m->descriptor;
  const int64_t *ints = (const int64_t *)(ptrs + 2);
  *aligned = ptrs[1];
  *offset = ints[0];
  *sizes = ints + 1;
  *strides = ints + 1 + m->rank;
}

/// Copies `src` into `dst` (same shape, any strides); elements are
/// `elemSize` bytes. The ABI of upstream's memrefCopy.
void memrefCopy(int64_t elemSize, UnrankedMemRef *src, UnrankedMemRef *dst) {
  char *s, *d;
  int64_t so, dof;
  const int64_t *sizes, *sstr, *dsizes, *dstr;
  unpack(src, &s, &so, &sizes, &sstr);
  unpack(dst, &d, &dof, &dsizes, &dstr);
  int64_t rank = src->rank;
  for (int64_t r = 0; r < rank; ++r)
    if (sizes[r] == 0)
      return;
  if (rank == 0) {
    memcpy(d + dof * elemSize, s + so * elemSize, elemSize);
    return;
  }
  int64_t index[64] = {0};
  if (rank > 64)
    return;
  for (;;) {
    int64_t sOff = so, dOff = dof;
    for (int64_t r = 0; r < rank; ++r) {
      sOff += index[r] * sstr[r];
      dOff += index[r] * dstr[r];
    }
    memcpy(d + dOff * elemSize, s + sOff * elemSize, elemSize);
    int64_t r = rank - 1;
    while (r >= 0 && ++index[r] == sizes[r])
      index[r--] = 0;
    if (r < 0)
      return;
  }
}
