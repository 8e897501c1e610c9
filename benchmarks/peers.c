/*===- peers.c - the C side of the benchmark peers
--------------------------===*\
|*                                                                            *|
|* Built by benchmarks/peers.py (cc -O3 -march=native -fopenmp -shared) and   *|
|* called through ctypes. Every entry point writes into a caller-allocated    *|
|* (pre-faulted) output and returns 0 on success, except the convolution      *|
|* handle's run, which writes into memory the handle pre-faulted.             *|
|*                                                                            *|
|*   - dense GEMM: OpenBLAS cblas_sgemm and oneDNN dnnl_sgemm, row-major,     *|
|*     C = op(A) * B with op(A) = A or A^T;                                   *|
|*   - block-sparse x dense on libxsmm 1.17's batch-reduce GEMM (one kernel   *|
|*     call per output block row and N-chunk, peers.md section 3.3);          *|
|*   - oneDNN convolution primitives (forward, backward data, backward        *|
|*     weights; direct or auto) behind an opaque handle, created once on      *|
|*     fixed inputs so that only their execution is timed;                    *|
|*   - the single-thread FMA peak that efficiencies are quoted against;       *|
|*   - memory-bound references: memset, a STREAM-like read, the dense        *|
|*     restore (memset + scatter) of DropIT's backward, and the memory        *|
|*     traffic of a bitmask restore without its expand.                       *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#ifdef __AVX512F__
#include <immintrin.h>
#endif
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

/* ---- oneDNN convolution ---------------------------------------------------
 */

/*
 * One convolution pass on fixed inputs. The caller's tensors use the layouts
 * of sparse_train's ops: activations NHWC, the filter HWCF ([KH, KW, C, F],
 * oneDNN's hwio), outputs NHWF. oneDNN's logical dimensions are NCHW for
 * activations and OIHW (F, C, KH, KW) for the filter.
 *
 * peer_dnnl_conv_create builds the primitive with every memory descriptor
 * in format `any`, so that oneDNN picks its preferred (blocked) layouts, and
 * reorders the two user inputs into them once; the result and a user-mode
 * scratchpad are allocated and written once (pre-faulted). peer_dnnl_conv_run
 * is then the primitive's execution alone, and peer_dnnl_conv_fetch (not
 * timed) reorders the result back into the caller's NHWC / HWCF array.
 *
 * Passes (operands in the order of sparse_train's ops):
 *   0 forward_training   y  = conv(x, w)        a = x,  b = w
 *   1 backward data      dx = conv_bwd_d(dy, w) a = dy, b = w
 *   2 backward weights   dw = conv_bwd_w(x, dy) a = x,  b = dy
 * Algorithms: 0 dnnl_convolution_direct, 1 dnnl_convolution_auto (oneDNN
 * chooses, e.g. Winograd). The backward passes are created with a forward
 * primitive descriptor of the same algorithm as their hint.
 *
 * geometry = {N, H, W, C, F, KH, KW} (input and filter sizes), window =
 * {sh, sw, dh, dw, top, bottom, left, right} with sparse_train's dilations
 * (1 = none; oneDNN's is d - 1).
 */

enum { CONV_FWD, CONV_BWD_DATA, CONV_BWD_WEIGHTS };

typedef struct {
  dnnl_engine_t engine;
  dnnl_stream_t stream;
  dnnl_primitive_t primitive;
  dnnl_memory_t inputs[2]; /* a and b, in the primitive's layouts */
  dnnl_memory_t result;    /* in the primitive's layout */
  dnnl_memory_t scratchpad;
  int args[3]; /* DNNL_ARG_* of inputs[0], inputs[1], result */
  dnnl_memory_desc_t user_result; /* NHWC or HWCF */
  char impl[128];
} PeerConv;

#define DNNL_TRY(call)                                                         \
  do {                                                                         \
    status = (call);                                                           \
    if (status != dnnl_success)                                                \
      goto done;                                                               \
  } while (0)

/** Copies `from` into `to` (any two layouts of the same tensor). */
static dnnl_status_t conv_reorder(PeerConv *c, dnnl_memory_t from,
                                  dnnl_memory_t to) {
  const dnnl_memory_desc_t *from_md, *to_md;
  dnnl_primitive_desc_t pd = NULL;
  dnnl_primitive_t reorder = NULL;
  dnnl_status_t status;
  DNNL_TRY(dnnl_memory_get_memory_desc(from, &from_md));
  DNNL_TRY(dnnl_memory_get_memory_desc(to, &to_md));
  DNNL_TRY(dnnl_reorder_primitive_desc_create(&pd, from_md, c->engine, to_md,
                                              c->engine, NULL));
  DNNL_TRY(dnnl_primitive_create(&reorder, pd));
  dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
  DNNL_TRY(dnnl_primitive_execute(reorder, c->stream, 2, args));
  DNNL_TRY(dnnl_stream_wait(c->stream));
done:
  if (reorder)
    dnnl_primitive_destroy(reorder);
  if (pd)
    dnnl_primitive_desc_destroy(pd);
  return status;
}

/** A memory of `md` allocated by oneDNN, every byte written (pre-faulted). */
static dnnl_status_t conv_alloc(PeerConv *c, const dnnl_memory_desc_t *md,
                                dnnl_memory_t *mem) {
  void *data;
  dnnl_status_t status =
      dnnl_memory_create(mem, md, c->engine, DNNL_MEMORY_ALLOCATE);
  if (status == dnnl_success)
    status = dnnl_memory_get_data_handle(*mem, &data);
  if (status == dnnl_success && data)
    memset(data, 0, dnnl_memory_desc_get_size(md));
  return status;
}

/** The primitive's copy of a user input (read-only view of `data`). */
static dnnl_status_t conv_input(PeerConv *c, const dnnl_memory_desc_t *user,
                                const float *data, const dnnl_memory_desc_t *md,
                                dnnl_memory_t *mem) {
  dnnl_memory_t view = NULL;
  dnnl_status_t status;
  DNNL_TRY(conv_alloc(c, md, mem));
  DNNL_TRY(dnnl_memory_create(&view, user, c->engine, (void *)data));
  DNNL_TRY(conv_reorder(c, view, *mem));
done:
  if (view)
    dnnl_memory_destroy(view);
  return status;
}

void peer_dnnl_conv_destroy(PeerConv *c);

/** Creates the handle in *out (NULL on failure); returns a dnnl_status_t
 *  (0 on success, 3 = unimplemented) or -1 for a bad argument. */
int peer_dnnl_conv_create(PeerConv **out, int pass, int algorithm,
                          const int64_t *geometry, const int64_t *window,
                          const float *a, const float *b) {
  *out = NULL;
  if (pass < CONV_FWD || pass > CONV_BWD_WEIGHTS || algorithm < 0 ||
      algorithm > 1)
    return -1;
  const int64_t n = geometry[0], h = geometry[1], w = geometry[2],
                ch = geometry[3], f = geometry[4], kh = geometry[5],
                kw = geometry[6];
  const int64_t oh =
      (h + window[4] + window[5] - window[2] * (kh - 1) - 1) / window[0] + 1;
  const int64_t ow =
      (w + window[6] + window[7] - window[3] * (kw - 1) - 1) / window[1] + 1;
  PeerConv *c = calloc(1, sizeof(PeerConv));
  if (!c)
    return dnnl_out_of_memory;
  const dnnl_alg_kind_t alg =
      algorithm ? dnnl_convolution_auto : dnnl_convolution_direct;
  dnnl_dims_t src_dims = {n, ch, h, w}, wei_dims = {f, ch, kh, kw},
              dst_dims = {n, f, oh, ow};
  dnnl_dims_t strides = {window[0], window[1]},
              dilates = {window[2] - 1, window[3] - 1},
              pad_l = {window[4], window[6]}, pad_r = {window[5], window[7]};
  dnnl_memory_desc_t src_any, wei_any, dst_any, src_user, wei_user, dst_user;
  dnnl_convolution_desc_t fwd_desc, desc;
  dnnl_primitive_desc_t hint = NULL, pd = NULL;
  dnnl_primitive_attr_t attr = NULL;
  dnnl_status_t status;
  DNNL_TRY(dnnl_engine_create(&c->engine, dnnl_cpu, 0));
  DNNL_TRY(
      dnnl_stream_create(&c->stream, c->engine, dnnl_stream_default_flags));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&src_any, 4, src_dims, dnnl_f32,
                                        dnnl_format_tag_any));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&wei_any, 4, wei_dims, dnnl_f32,
                                        dnnl_format_tag_any));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&dst_any, 4, dst_dims, dnnl_f32,
                                        dnnl_format_tag_any));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&src_user, 4, src_dims, dnnl_f32,
                                        dnnl_nhwc));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&wei_user, 4, wei_dims, dnnl_f32,
                                        dnnl_hwio));
  DNNL_TRY(dnnl_memory_desc_init_by_tag(&dst_user, 4, dst_dims, dnnl_f32,
                                        dnnl_nhwc));
  DNNL_TRY(dnnl_primitive_attr_create(&attr));
  DNNL_TRY(
      dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user));
  DNNL_TRY(dnnl_dilated_convolution_forward_desc_init(
      &fwd_desc, dnnl_forward_training, alg, &src_any, &wei_any, NULL, &dst_any,
      strides, dilates, pad_l, pad_r));
  /* Per pass: the descriptor, then (user layout, queried layout, argument)
   * of a, b and the result. */
  const dnnl_memory_desc_t *user[3];
  dnnl_query_t query[3];
  if (pass == CONV_FWD) {
    DNNL_TRY(dnnl_primitive_desc_create(&pd, &fwd_desc, attr, c->engine, NULL));
    user[0] = &src_user, user[1] = &wei_user, user[2] = &dst_user;
    query[0] = dnnl_query_src_md, query[1] = dnnl_query_weights_md,
    query[2] = dnnl_query_dst_md;
    c->args[0] = DNNL_ARG_SRC, c->args[1] = DNNL_ARG_WEIGHTS,
    c->args[2] = DNNL_ARG_DST;
  } else {
    DNNL_TRY(
        dnnl_primitive_desc_create(&hint, &fwd_desc, NULL, c->engine, NULL));
    if (pass == CONV_BWD_DATA) {
      DNNL_TRY(dnnl_dilated_convolution_backward_data_desc_init(
          &desc, alg, &src_any, &wei_any, &dst_any, strides, dilates, pad_l,
          pad_r));
      user[0] = &dst_user, user[1] = &wei_user, user[2] = &src_user;
      query[0] = dnnl_query_diff_dst_md, query[1] = dnnl_query_weights_md,
      query[2] = dnnl_query_diff_src_md;
      c->args[0] = DNNL_ARG_DIFF_DST, c->args[1] = DNNL_ARG_WEIGHTS,
      c->args[2] = DNNL_ARG_DIFF_SRC;
    } else {
      DNNL_TRY(dnnl_dilated_convolution_backward_weights_desc_init(
          &desc, alg, &src_any, &wei_any, NULL, &dst_any, strides, dilates,
          pad_l, pad_r));
      user[0] = &src_user, user[1] = &dst_user, user[2] = &wei_user;
      query[0] = dnnl_query_src_md, query[1] = dnnl_query_diff_dst_md,
      query[2] = dnnl_query_diff_weights_md;
      c->args[0] = DNNL_ARG_SRC, c->args[1] = DNNL_ARG_DIFF_DST,
      c->args[2] = DNNL_ARG_DIFF_WEIGHTS;
    }
    DNNL_TRY(dnnl_primitive_desc_create(&pd, &desc, attr, c->engine, hint));
  }
  DNNL_TRY(conv_input(c, user[0], a,
                      dnnl_primitive_desc_query_md(pd, query[0], 0),
                      &c->inputs[0]));
  DNNL_TRY(conv_input(c, user[1], b,
                      dnnl_primitive_desc_query_md(pd, query[1], 0),
                      &c->inputs[1]));
  DNNL_TRY(
      conv_alloc(c, dnnl_primitive_desc_query_md(pd, query[2], 0), &c->result));
  DNNL_TRY(conv_alloc(
      c, dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0),
      &c->scratchpad));
  c->user_result = *user[2];
  const char *impl = NULL;
  DNNL_TRY(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl));
  strncpy(c->impl, impl ? impl : "?", sizeof c->impl - 1);
  DNNL_TRY(dnnl_primitive_create(&c->primitive, pd));
done:
  if (pd)
    dnnl_primitive_desc_destroy(pd);
  if (hint)
    dnnl_primitive_desc_destroy(hint);
  if (attr)
    dnnl_primitive_attr_destroy(attr);
  if (status == dnnl_success)
    *out = c;
  else
    peer_dnnl_conv_destroy(c);
  return (int)status;
}

/** Executes the primitive once and waits for it (the timed work). */
int peer_dnnl_conv_run(PeerConv *c) {
  dnnl_exec_arg_t args[4] = {{c->args[0], c->inputs[0]},
                             {c->args[1], c->inputs[1]},
                             {c->args[2], c->result},
                             {DNNL_ARG_SCRATCHPAD, c->scratchpad}};
  dnnl_status_t status =
      dnnl_primitive_execute(c->primitive, c->stream, 4, args);
  if (status == dnnl_success)
    status = dnnl_stream_wait(c->stream);
  return (int)status;
}

/** Reorders the last result into `out` (NHWC for y and dx, HWCF for dw). */
int peer_dnnl_conv_fetch(PeerConv *c, float *out) {
  dnnl_memory_t view = NULL;
  dnnl_status_t status;
  DNNL_TRY(dnnl_memory_create(&view, &c->user_result, c->engine, out));
  DNNL_TRY(conv_reorder(c, c->result, view));
done:
  if (view)
    dnnl_memory_destroy(view);
  return (int)status;
}

/** The implementation oneDNN picked, e.g. "jit:avx512_core",
 *  "jit_wino_4x3:avx512_core" or "jit_1x1:avx512_core". */
const char *peer_dnnl_conv_impl(const PeerConv *c) { return c->impl; }

/** Frees the primitive and its memories (NULL is allowed). */
void peer_dnnl_conv_destroy(PeerConv *c) {
  if (!c)
    return;
  if (c->primitive)
    dnnl_primitive_destroy(c->primitive);
  dnnl_memory_t mems[4] = {c->inputs[0], c->inputs[1], c->result,
                           c->scratchpad};
  for (int i = 0; i < 4; ++i)
    if (mems[i])
      dnnl_memory_destroy(mems[i]);
  if (c->stream)
    dnnl_stream_destroy(c->stream);
  if (c->engine)
    dnnl_engine_destroy(c->engine);
  free(c);
}

#undef DNNL_TRY

/* ---- the machine's arithmetic peak ------------------------------------------
 */

/** Single-thread fp32 FMA throughput in GFLOP/s: `iterations` rounds of 12
 *  independent chains of 512-bit FMAs (enough to cover the FMA latency on
 *  two FMA pipes), the best of three timings. The bound every kernel's
 *  efficiency is quoted against (docs/Performance.md); 0 without AVX-512. */
double peer_fma_peak_gflops(int64_t iterations) {
#ifdef __AVX512F__
  double best = 0.0;
  for (int rep = 0; rep < 3; ++rep) {
    __m512 acc[12];
    const __m512 scale = _mm512_set1_ps(1.0f), bias = _mm512_set1_ps(0.0f);
    for (int i = 0; i < 12; ++i)
      acc[i] = _mm512_set1_ps((float)i);
    const double start = omp_get_wtime();
    for (int64_t it = 0; it < iterations; ++it) {
      for (int i = 0; i < 12; ++i)
        acc[i] = _mm512_fmadd_ps(acc[i], scale, bias);
      /* Keeps the chains in registers and the loop from being folded. */
      __asm__ volatile(""
                       : "+v"(acc[0]), "+v"(acc[1]), "+v"(acc[2]),
                         "+v"(acc[3]), "+v"(acc[4]), "+v"(acc[5]),
                         "+v"(acc[6]), "+v"(acc[7]), "+v"(acc[8]),
                         "+v"(acc[9]), "+v"(acc[10]), "+v"(acc[11]));
    }
    const double seconds = omp_get_wtime() - start;
    const double gflops = (double)iterations * 12 * 32 / seconds / 1e9;
    if (gflops > best)
      best = gflops;
  }
  return best;
#else
  (void)iterations;
  return 0.0;
#endif
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

/** The memory traffic of a bitmask restore, without the restore: reads the
 *  n / 8 bytes of `bits` (bit i of word i / 32 is element i) and the kept
 *  values in order, as many per 16 elements as their bits say, and writes
 *  the n floats of `out` (aligned to 64 bytes, n a multiple of 32) with
 *  streaming stores of the values as read, unexpanded. A lower bound for
 *  min_k_restore's bitmask form on this machine, not a restore. Returns the
 *  number of values read. */
int64_t peer_restore_traffic(const uint32_t *bits, const float *vals,
                             int64_t n, float *out) {
  const int64_t words = n / 32;
  int64_t total = 0;
  int64_t counts[omp_get_max_threads()];
#pragma omp parallel reduction(+ : total)
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t lo = words * t / nt, hi = words * (t + 1) / nt;
    // Each thread counts the set bits of its words; its first value is the
    // sum of the counts of the threads before it.
    int64_t own = 0;
    for (int64_t w = lo; w < hi; ++w)
      own += __builtin_popcount(bits[w]);
    counts[t] = own;
#pragma omp barrier
    int64_t at = 0;
    for (int64_t u = 0; u < t; ++u)
      at += counts[u];
    const int64_t first = at;
    for (int64_t w = lo; w < hi; ++w) {
      for (int half = 0; half < 2; ++half) {
        const unsigned lanes = (bits[w] >> (16 * half)) & 0xFFFF;
        const int count = __builtin_popcount(lanes);
        float *dst = out + 32 * w + 16 * half;
#ifdef __AVX512F__
        _mm512_stream_ps(dst, _mm512_maskz_loadu_ps(
                                  (__mmask16)((1u << count) - 1), vals + at));
#else
        for (int i = 0; i < 16; ++i)
          dst[i] = i < count ? vals[at + i] : 0.0f;
#endif
        at += count;
      }
    }
    total = at - first;
  }
#ifdef __AVX512F__
  _mm_sfence();
#endif
  return total;
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
