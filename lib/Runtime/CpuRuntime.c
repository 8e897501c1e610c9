/*===- CpuRuntime.c - runtime functions of compiled sparse_train code -----===*\
|*                                                                            *|
|* The few functions that code lowered by sparse-train-to-cpu may call and    *|
|* that upstream keeps in libmlir_c_runner_utils (which needs libMLIR.so).    *|
|* Linking this small library instead keeps ahead-of-time compiled kernels    *|
|* free of any LLVM/MLIR dependency.                                          *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include <limits.h>
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
  // Rows that are contiguous on both sides are copied whole.
  int contiguousRows = sstr[rank - 1] == 1 && dstr[rank - 1] == 1;
  int64_t rowBytes = contiguousRows ? sizes[rank - 1] * elemSize : elemSize;
  int64_t last = contiguousRows ? rank - 2 : rank - 1;
  for (;;) {
    int64_t sOff = so, dOff = dof;
    for (int64_t r = 0; r <= last; ++r) {
      sOff += index[r] * sstr[r];
      dOff += index[r] * dstr[r];
    }
    memcpy(d + dOff * elemSize, s + sOff * elemSize, rowBytes);
    int64_t r = last;
    while (r >= 0 && ++index[r] == sizes[r])
      index[r--] = 0;
    if (r < 0)
      return;
  }
}

/// A rank-2 f32 memref descriptor.
typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} MemRef2DF32;

/// How BLAS sees a `rows` x `cols` matrix with `strides`: row-major with
/// leading dimension `*ld`, transposed (`*flip`) when it is column-major.
/// Returns 0 when neither holds (a general strided view).
static int blasView(int64_t rows, int64_t cols, const int64_t *strides,
                    int64_t *ld, int *flip) {
  // Unit dimensions may carry any stride: any leading dimension that covers
  // the other dimension is valid.
  if (strides[1] == 1 || cols == 1) {
    *flip = 0;
    *ld = rows == 1 ? (cols > 1 ? cols : 1) : strides[0];
    return *ld >= (cols > 1 ? cols : 1);
  }
  if (strides[0] == 1 || rows == 1) {
    *flip = 1;
    *ld = cols == 1 ? (rows > 1 ? rows : 1) : strides[1];
    return *ld >= (rows > 1 ? rows : 1);
  }
  return 0;
}

#ifdef SPARSE_TRAIN_HAVE_CBLAS
#include <cblas.h>
#endif

/// C = op(A) · op(B), plus C when `accumulate` is set, for f32 matrices, op
/// transposing when `transA` / `transB` is set: the dense products of code
/// lowered with `sparse-train-to-cpu{blas=true}`. Without `accumulate`, C is
/// only written (BLAS beta = 0). OpenBLAS's sgemm where the build found it
/// and the views are row- or column-major, plain loops otherwise.
void _mlir_ciface_sparse_train_sgemm(MemRef2DF32 *a, MemRef2DF32 *b,
                                     MemRef2DF32 *c, int64_t transA,
                                     int64_t transB, int64_t accumulate) {
  int64_t m = c->sizes[0], n = c->sizes[1];
  int64_t k = transA ? a->sizes[0] : a->sizes[1];
  if (m == 0 || n == 0 || (k == 0 && accumulate))
    return;
  const float *pa = a->aligned + a->offset, *pb = b->aligned + b->offset;
  float *pc = c->aligned + c->offset;
#ifdef SPARSE_TRAIN_HAVE_CBLAS
  int64_t lda, ldb, ldc;
  int flipA, flipB, flipC;
  // cblas takes int sizes: larger products take the loops.
  if (k > 0 && m <= INT_MAX && n <= INT_MAX && k <= INT_MAX &&
      blasView(a->sizes[0], a->sizes[1], a->strides, &lda, &flipA) &&
      blasView(b->sizes[0], b->sizes[1], b->strides, &ldb, &flipB) &&
      blasView(m, n, c->strides, &ldc, &flipC) && !flipC && lda <= INT_MAX &&
      ldb <= INT_MAX && ldc <= INT_MAX) {
    cblas_sgemm(CblasRowMajor,
                (transA != 0) != flipA ? CblasTrans : CblasNoTrans,
                (transB != 0) != flipB ? CblasTrans : CblasNoTrans, (int)m,
                (int)n, (int)k, 1.0f, pa, (int)lda, pb, (int)ldb,
                accumulate ? 1.0f : 0.0f, pc, (int)ldc);
    return;
  }
#endif
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float *out = &pc[i * c->strides[0] + j * c->strides[1]];
      float sum = accumulate ? *out : 0.0f;
      for (int64_t p = 0; p < k; ++p) {
        float x = transA ? pa[p * a->strides[0] + i * a->strides[1]]
                         : pa[i * a->strides[0] + p * a->strides[1]];
        float y = transB ? pb[j * b->strides[0] + p * b->strides[1]]
                         : pb[p * b->strides[0] + j * b->strides[1]];
        sum += x * y;
      }
      *out = sum;
    }
}
