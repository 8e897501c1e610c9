/*===- peers.c - the C side of the benchmark peers
--------------------------===*\
|*                                                                            *|
|* Built by benchmarks/peers.py (cc -O3 -march=native -fopenmp -shared) and   *|
|* called through ctypes. Every entry point writes into a caller-allocated    *|
|* (pre-faulted) output and returns 0 on success.                             *|
|*                                                                            *|
|*   - dense GEMM: OpenBLAS cblas_sgemm and oneDNN dnnl_sgemm, row-major,     *|
|*     C = op(A) * B with op(A) = A or A^T;                                   *|
|*   - block-sparse x dense on libxsmm 1.17's batch-reduce GEMM (one kernel   *|
|*     call per output block row and N-chunk, peers.md section 3.3);          *|
|*   - memory-bound references: memset, a STREAM-like read, and the dense     *|
|*     restore (memset + scatter) of DropIT's backward.                       *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <libxsmm.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

/* ---- kernel identification (logged by the harness) ------------------------
 */

/** OpenBLAS's kernel family, e.g. "Cooperlake" (AVX-512) or "Haswell". */
const char *peer_openblas_corename(void) { return openblas_get_corename(); }

/** OpenBLAS's build configuration string. */
const char *peer_openblas_config(void) { return openblas_get_config(); }

/** Sets OpenBLAS's thread count (it also reads OPENBLAS_NUM_THREADS). */
void peer_openblas_set_threads(int threads) {
  openblas_set_num_threads(threads);
}

/** oneDNN's effective ISA (a dnnl_cpu_isa_t value, e.g. 0xe7 for
 *  avx512_core_bf16). */
int peer_dnnl_isa(void) { return (int)dnnl_get_effective_cpu_isa(); }

/** Writes into `buf` the implementation oneDNN picks for an f32 matmul
 *  primitive of m x n x k (what DNNL_VERBOSE would name, e.g.
 *  "brg:avx512_core"). dnnl_sgemm itself emits no verbose line in 2.6, so
 *  this and peer_dnnl_isa are the kernel check for oneDNN. */
int peer_dnnl_matmul_impl(int64_t m, int64_t n, int64_t k, char *buf,
                          int64_t size) {
  dnnl_engine_t engine;
  if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success)
    return -1;
  dnnl_memory_desc_t a, b, c;
  dnnl_dims_t da = {m, k}, db = {k, n}, dc = {m, n};
  dnnl_memory_desc_init_by_tag(&a, 2, da, dnnl_f32, dnnl_ab);
  dnnl_memory_desc_init_by_tag(&b, 2, db, dnnl_f32, dnnl_ab);
  dnnl_memory_desc_init_by_tag(&c, 2, dc, dnnl_f32, dnnl_ab);
  dnnl_matmul_desc_t desc;
  dnnl_primitive_desc_t pd;
  int status = -1;
  if (dnnl_matmul_desc_init(&desc, &a, &b, NULL, &c) == dnnl_success &&
      dnnl_primitive_desc_create(&pd, &desc, NULL, engine, NULL) ==
          dnnl_success) {
    const char *impl = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) ==
            dnnl_success &&
        impl) {
      strncpy(buf, impl, (size_t)size - 1);
      buf[size - 1] = '\0';
      status = 0;
    }
    dnnl_primitive_desc_destroy(pd);
  }
  dnnl_engine_destroy(engine);
  return status;
}

/** Initializes libxsmm and returns its JIT target, e.g. "cpx" or "skx". */
const char *peer_xsmm_arch(void) {
  libxsmm_init();
  return libxsmm_get_target_arch();
}

/** The OpenMP thread count the C peers below run with. */
int peer_omp_threads(void) { return omp_get_max_threads(); }

/* ---- dense GEMM -----------------------------------------------------------
 */

/** C[m x n] = op(A) * B, row-major; op(A) = A (m x k, lda) or, with
 *  `trans_a`, A^T where A is k x m. B is k x n (ldb), C has ldc. */
int peer_sgemm_openblas(int trans_a, int64_t m, int64_t n, int64_t k,
                        const float *a, int64_t lda, const float *b,
                        int64_t ldb, float *c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, CblasNoTrans,
              (blasint)m, (blasint)n, (blasint)k, 1.0f, a, (blasint)lda, b,
              (blasint)ldb, 0.0f, c, (blasint)ldc);
  return 0;
}

/** Same contract as peer_sgemm_openblas, on oneDNN's dnnl_sgemm. */
int peer_sgemm_dnnl(int trans_a, int64_t m, int64_t n, int64_t k,
                    const float *a, int64_t lda, const float *b, int64_t ldb,
                    float *c, int64_t ldc) {
  return dnnl_sgemm(trans_a ? 'T' : 'N', 'N', m, n, k, 1.0f, a, lda, b, ldb,
                    0.0f, c, ldc) == dnnl_success
             ? 0
             : -1;
}

/** Same contract, with B^T instead of B (B is n x k): the dX and dA
 *  products of a linear layer. */
int peer_sgemm_openblas_nt(int64_t m, int64_t n, int64_t k, const float *a,
                           int64_t lda, const float *b, int64_t ldb, float *c,
                           int64_t ldc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)m, (blasint)n,
              (blasint)k, 1.0f, a, (blasint)lda, b, (blasint)ldb, 0.0f, c,
              (blasint)ldc);
  return 0;
}

/* ---- block-sparse x dense on libxsmm batch-reduce GEMM --------------------
 */

/*
 * One routine covers both BSR products. Seen column-major (as the transpose
 * of the row-major arrays), the b x N panel of `out` at output block row i
 * is an N x b matrix C_i (ld N), the b x N panel of `dense` at block row r is
 * an N x b matrix (ld N), and each stored block is a column-major b x b
 * matrix B_j. For every i, the routine computes
 *
 *     C_i = sum over j in [ptr[i], ptr[i+1]) of  dense_panel(idx[j]) * B_j
 *
 * with one batch-reduce call per (i, N-chunk): m = chunk, n = k = b.
 *
 * Forward Y = X * W (X M x K in BSR): i is a block row of X, ptr/idx are the
 * BSR positions/coordinates, dense = W (K x N), and the blocks are the BSR
 * values as stored (a row-major block read column-major is its transpose,
 * which is what Y^T = W^T X^T needs).
 *
 * Weight gradient dW = X^T * dY: i is a block column of X, ptr/idx are the
 * block-CSC structure of X (for each block column, the block rows holding a
 * stored block), dense = dY (M x N), and the blocks are the stored blocks
 * transposed, in CSC order. The harness builds that structure with numpy,
 * outside the timed region.
 *
 * libxsmm's JIT kernels overwrite their address arrays, so they are refilled
 * before every call. Rows without a stored block are zeroed explicitly.
 */

typedef struct {
  libxsmm_smmfunction_reducebatch_addr kernel; /* chunk x b x b */
  libxsmm_smmfunction_reducebatch_addr tail;   /* (N % chunk) x b x b */
} XsmmKernels;

static int xsmm_dispatch(XsmmKernels *k, int64_t b, int64_t n, int64_t chunk) {
  const libxsmm_blasint lda = (libxsmm_blasint)n, ldb = (libxsmm_blasint)b,
                        ldc = (libxsmm_blasint)n;
  const float alpha = 1.0f, beta = 0.0f;
  const int flags = LIBXSMM_GEMM_FLAG_NONE;
  k->kernel = libxsmm_smmdispatch_reducebatch_addr(
      (libxsmm_blasint)chunk, (libxsmm_blasint)b, (libxsmm_blasint)b, &lda,
      &ldb, &ldc, &alpha, &beta, &flags, NULL);
  k->tail = NULL;
  if (n % chunk)
    k->tail = libxsmm_smmdispatch_reducebatch_addr(
        (libxsmm_blasint)(n % chunk), (libxsmm_blasint)b, (libxsmm_blasint)b,
        &lda, &ldb, &ldc, &alpha, &beta, &flags, NULL);
  return k->kernel && (n % chunk == 0 || k->tail) ? 0 : -1;
}

/** Zeroes the b x width panel of `out` at (row0, col0) (leading dim n). */
static void zero_panel(float *out, int64_t n, int64_t row0, int64_t col0,
                       int64_t b, int64_t width) {
  for (int64_t r = 0; r < b; ++r)
    memset(out + (row0 + r) * n + col0, 0, (size_t)width * sizeof(float));
}

/** See the comment above. ptr has `rows + 1` entries; returns -1 when
 *  libxsmm cannot JIT the kernel. */
int peer_xsmm_bsr(int64_t rows, int64_t b, int64_t n, const int64_t *ptr,
                  const int64_t *idx, const float *blocks, const float *dense,
                  float *out, int64_t chunk) {
  XsmmKernels k;
  if (xsmm_dispatch(&k, b, n, chunk))
    return -1;
  const int64_t chunks = (n + chunk - 1) / chunk;
  int64_t max_row = 0;
  for (int64_t i = 0; i < rows; ++i)
    if (ptr[i + 1] - ptr[i] > max_row)
      max_row = ptr[i + 1] - ptr[i];
  int status = 0;
#pragma omp parallel
  {
    const float **a_ptrs = malloc((size_t)(max_row + 1) * sizeof(float *));
    const float **b_ptrs = malloc((size_t)(max_row + 1) * sizeof(float *));
    if (!a_ptrs || !b_ptrs) {
#pragma omp atomic write
      status = -1;
    }
    /* Work items: (output block row, N-chunk), chunk fastest so one thread
     * keeps a block row's blocks in cache. */
#pragma omp for schedule(dynamic, 4)
    for (int64_t item = 0; item < rows * chunks; ++item) {
      if (!a_ptrs || !b_ptrs)
        continue;
      const int64_t i = item / chunks, col0 = (item % chunks) * chunk;
      const int64_t width = col0 + chunk <= n ? chunk : n - col0;
      const unsigned long long count =
          (unsigned long long)(ptr[i + 1] - ptr[i]);
      if (count == 0) {
        zero_panel(out, n, i * b, col0, b, width);
        continue;
      }
      for (int64_t j = ptr[i]; j < ptr[i + 1]; ++j) {
        a_ptrs[j - ptr[i]] = dense + idx[j] * b * n + col0;
        b_ptrs[j - ptr[i]] = blocks + j * b * b;
      }
      (width == chunk ? k.kernel : k.tail)(a_ptrs, b_ptrs,
                                           out + i * b * n + col0, &count);
    }
    free(a_ptrs);
    free(b_ptrs);
  }
  return status;
}

/* ---- memory-bound references --------------------------------------------- */

/** Zeroes n floats (the lower bound of any densify). */
int peer_memset(float *p, int64_t n) {
#pragma omp parallel
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t lo = n * t / nt, hi = n * (t + 1) / nt;
    memset(p + lo, 0, (size_t)(hi - lo) * sizeof(float));
  }
  return 0;
}

/** Reads n floats once (STREAM-like read); returns an XOR of their bits so
 *  the loads cannot be removed. */
uint64_t peer_stream_read(const float *p, int64_t n) {
  const uint32_t *w = (const uint32_t *)p;
  uint32_t acc = 0;
#pragma omp parallel for reduction(^ : acc) schedule(static)
  for (int64_t i = 0; i < n; ++i)
    acc ^= w[i];
  return acc;
}

/** Dense restore of a retained tensor: out = 0, then out[idx[j]] = vals[j]
 *  (the densify of DropIT's backward, in C). */
int peer_restore_indices(const float *vals, const int32_t *idx, int64_t k,
                         float *out, int64_t n) {
  peer_memset(out, n);
#pragma omp parallel for schedule(static)
  for (int64_t j = 0; j < k; ++j)
    out[idx[j]] = vals[j];
  return 0;
}
