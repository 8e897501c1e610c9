//===- BlockSparseToCPU.cpp - vectorized bsr_matmul kernels ---------------===//
//
// Register-blocked FMA kernels for bsr_matmul with a BSR left operand, in
// its four transpose forms: Y = op(X̂) · op(B).
//
// 1. op(B) is packed into panels of `chunk` columns (6 vectors), each panel
//    contiguous over the contraction dimension and zero-padded at the right
//    edge, so that the micro-kernel streams it sequentially (rows of B a power
//    of two apart would otherwise alias in L1 and defeat the prefetchers).
//    Without transpose_b, B is read row by row (in parallel over its rows),
//    each row's segment going to the same row of every panel: reading it panel
//    by panel (a 384-byte piece of every row, then the next) was measured
//    5-16 % slower on the whole product (Zen 4, 1 thread, b = 32-64, density
//    0.1-1).
//    Wide products run over blocks of output columns, each packed just before
//    step 3 applies it (so its panels are still in the cache) into the one
//    buffer all blocks share; others pack all of op(B) once. (A buffer for all
//    of op(B), each block packing into its own part, wrote every line of it
//    once per call: sharing one was measured 4-9 % faster at density 0.1-0.25,
//    Zen 4, 1 thread, N = 1024 and 4096, level at density 0.5-1.) Without
//    transpose_b and with few stored blocks per contraction block (the option
//    in-place-uses), B is not packed: the micro-kernel reads its rows in place
//    (a second copy of steps 1-3 under a runtime test).
// 2. With transpose_a, the stored blocks are regrouped by block column (a
//    counting sort of the coordinates, stable in storage order, and a
//    transposed copy of the blocks in that order), so that every output
//    block row has one owner and reads its blocks one after the other, row
//    by row like the forward form.
// 3. Output block rows run in parallel (scf.parallel, mapped to OpenMP by the
//    pipeline), in consecutive parts of about equal work (see
//    emitBalancedParts); for each panel and each tile of up to 4 output rows,
//    the rows x 6 vectors accumulators stay in registers while every stored
//    block of the row is applied (prefetching the tile's lines of the block
//    two entries ahead where it contracts fewer than 32 elements), then are
//    stored once (masked at the right edge). Summation order is fixed, so
//    results are deterministic and independent of the thread count.
//
//===----------------------------------------------------------------------===//

#include "BsrBuffers.h"
#include "KernelBuilder.h"
#include "SparseTrain/Conversion/SparseTrainToLoops.h"
#include "SparseTrain/IR/SparseTrainOps.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace {

/// Vectors of output columns per register tile.
constexpr int64_t kTileVectors = 6;

/// Rows of B ahead of the one being packed whose segment is prefetched
/// (without transpose_b). A block of output columns packs a few KiB of each
/// row, and the rows lie a page or more apart, so the hardware prefetchers
/// start cold at every row. Measured interleaved over oneDNN (Zen 4, 1
/// thread, density 0.1, b = 16-64): with B in the cache, 5-9 % less time
/// for the whole product at N = 1024 (1-3 % at density 0.25-0.5), level at
/// N = 4096; after a 64 MiB sweep, 12 % less at N = 4096, level at 1024.
/// 8 rows ahead beat 16.
constexpr int64_t kPackPrefetchRows = 8;

/// Entries of an output block row's list ahead of the one being applied
/// whose stored block the micro-kernel prefetches, one cache line of the
/// tile's rows per rank-1 update. Measured interleaved over oneDNN (Intel
/// Xeon VM, 1 thread, 2048 x 1024 x 1024, B packed): before the blocks were
/// regrouped (groupByBlockColumn), the weight gradient's tiles waited for
/// each block's first lines from memory (b = 16, density 1: 0.71 -> 0.90x);
/// 2 entries ahead and 1 within noise of each other.
constexpr int64_t kBlockPrefetchEntries = 2;
/// A tile reads whole rows of each block (as the lists store it), which the
/// hardware prefetchers follow for rows at least this many elements long
/// (b = 32 and 64: prefetching cost up to 5 % at density 0.25 in both
/// forms); shorter ones are prefetched (b = 16: 5-7 % faster at density
/// 0.1-1).
constexpr int64_t kPrefetchMinWidth = 32;

/// Rows of a register tile: the largest divisor of the output block height
/// that is at most `maxRows`.
static int64_t getRowTile(int64_t blockHeight, int64_t maxRows) {
  for (int64_t t = maxRows; t > 1; --t)
    if (blockHeight % t == 0)
      return t;
  return 1;
}

/// The stored blocks that contribute to one output block row, as a range of
/// entries [begin, end) of an entry list: entry q is the block at q * r * c
/// in `values` (row-major r x c, or c x r with transpose_a), at block index
/// `kBlocks[q]` along the contraction.
struct BlockLists {
  Value begins;  // one position per output block row, plus one
  Value kBlocks; // contraction block of each entry
  Value values;  // the blocks, in entry order
};

/// Copies a square tile of `lanes` x `lanes` elements (lanes a power of
/// two) transposed: `loadRow(t)` gives row t of the tile as a vector,
/// `storeRow(t, column)` takes its column t. The transpose runs in
/// registers: for s = lanes / 2, ..., 1 the off-diagonal s x s blocks of
/// every 2s x 2s block swap, each output row one two-input shuffle of a
/// pair of rows (log2(lanes) shuffles per row).
static void copyTransposed(KernelBuilder &k, int64_t lanes,
                           function_ref<Value(int64_t)> loadRow,
                           function_ref<void(int64_t, Value)> storeRow) {
  assert(llvm::isPowerOf2_64(lanes) && "lanes must be a power of two");
  SmallVector<Value> rows;
  for (int64_t t = 0; t < lanes; ++t)
    rows.push_back(loadRow(t));
  for (int64_t s = lanes / 2; s >= 1; s /= 2) {
    // Row a (bit s clear) takes row b's lanes j - s into its lanes j with
    // bit s set; row b = a + s takes row a's lanes j + s into its lanes j
    // with bit s clear. Shuffle indices >= lanes pick from the second
    // operand.
    SmallVector<int64_t> low, high;
    for (int64_t j = 0; j < lanes; ++j) {
      low.push_back(j & s ? lanes + j - s : j);
      high.push_back(j & s ? lanes + j : j + s);
    }
    for (int64_t a = 0; a < lanes; ++a) {
      if (a & s)
        continue;
      Value first = rows[a], second = rows[a + s];
      rows[a] = vector::ShuffleOp::create(k.b, first, second, low);
      rows[a + s] = vector::ShuffleOp::create(k.b, first, second, high);
    }
  }
  for (int64_t t = 0; t < lanes; ++t)
    storeRow(t, rows[t]);
}

/// The BSR operand regrouped by block column: a counting sort of the
/// coordinates that keeps storage order within a column, so the sums of the
/// transposed product run in block-row order, and a copy of the blocks in
/// that order (in parallel over the entries), each transposed. Read in
/// place, the blocks of a block column lie a block row apart: on the Intel
/// Xeon VM (48 KiB 12-way L1) the lines a register tile read from 16 such
/// blocks fell into the same L1 sets, and the weight gradient ran at 0.67x
/// oneDNN (b = 32, density 1, 2048 x 1024 x 1024). Copied as stored, a
/// tile read a column strip of each block, one line per rank-1 update;
/// transposed, it reads rows as the forward form does (interleaved over
/// oneDNN, 1 thread, same shape: 5-12 % faster at b = 32-64, density
/// 0.1-0.25, level at b = 16; candidates in a fixed order per round, which
/// was later found to favour the second by 4-9 %). Blocks whose sides are
/// multiples of a vector are transposed in registers, a square tile of one
/// vector per side at a time: an element loop took 6 % of the weight gradient
/// at b = 64, density 0.1; the tiles made the whole product 4-9 % faster at b =
/// 16-64, density 0.1-1 (interleaved A/B, candidates in rotating order).
static BlockLists groupByBlockColumn(KernelBuilder &k, const BsrBuffers &bsr,
                                     int64_t blockRows, int64_t blockCols,
                                     int64_t tileLanes) {
  Type indexType = k.b.getIndexType();
  Value numStored = k.toIndex(k.load(bsr.positions, k.index(blockRows)));
  Value begins = k.alloc({blockCols + 1}, indexType);
  Value blocks = k.alloc({ShapedType::kDynamic}, indexType, {numStored});
  Value kBlocks = k.alloc({ShapedType::kDynamic}, indexType, {numStored});
  Value next = k.alloc({blockCols}, indexType);
  k.forEach(k.index(0), k.index(blockCols + 1),
            [&](Value i) { k.store(k.index(0), begins, i); });
  // Count the blocks of each column, shifted by one.
  k.forEach(k.index(0), numStored, [&](Value p) {
    Value at = k.add(k.toIndex(k.load(bsr.coordinates, p)), k.index(1));
    k.store(k.add(k.load(begins, at), k.index(1)), begins, at);
  });
  // Prefix sums: where each column's entries start.
  k.forEach(k.index(0), k.index(blockCols), [&](Value bc) {
    Value after = k.add(bc, k.index(1));
    k.store(k.add(k.load(begins, after), k.load(begins, bc)), begins, after);
    k.store(k.load(begins, bc), next, bc);
  });
  k.forEach(k.index(0), k.index(blockRows), [&](Value br) {
    Value begin = k.toIndex(k.load(bsr.positions, br));
    Value end = k.toIndex(k.load(bsr.positions, k.add(br, k.index(1))));
    k.forEach(begin, end, [&](Value p) {
      Value bc = k.toIndex(k.load(bsr.coordinates, p));
      Value at = k.load(next, bc);
      k.store(p, blocks, at);
      k.store(br, kBlocks, at);
      k.store(k.add(at, k.index(1)), next, bc);
    });
  });
  int64_t r = bsr.blockRows, c = bsr.blockCols, blockSize = r * c;
  Value values = k.alloc({ShapedType::kDynamic}, k.b.getF32Type(),
                         {k.mul(numStored, k.index(blockSize))}, 64);
  k.forEachParallel(k.index(0), numStored, [&](Value q) {
    Value from = k.mul(k.load(blocks, q), k.index(blockSize));
    Value to = k.mul(q, k.index(blockSize));
    if (tileLanes == 0 || r % tileLanes != 0 || c % tileLanes != 0) {
      k.forEach(k.index(0), k.index(r), [&](Value i) {
        Value rowFrom = k.add(from, k.mul(i, k.index(c)));
        Value columnTo = k.add(to, i);
        k.forEach(k.index(0), k.index(c), [&](Value j) {
          k.store(k.load(bsr.values, k.add(rowFrom, j)), values,
                  k.add(columnTo, k.mul(j, k.index(r))));
        });
      });
      return;
    }
    auto vectorType = VectorType::get({tileLanes}, k.b.getF32Type());
    k.forEachStep(k.index(0), k.index(r), tileLanes, [&](Value i0) {
      k.forEachStep(k.index(0), k.index(c), tileLanes, [&](Value j0) {
        Value tileFrom = k.add(from, k.add(k.mul(i0, k.index(c)), j0));
        Value tileTo = k.add(to, k.add(k.mul(j0, k.index(r)), i0));
        copyTransposed(
            k, tileLanes,
            [&](int64_t t) -> Value {
              return vector::LoadOp::create(
                  k.b, vectorType, bsr.values,
                  ValueRange{k.add(tileFrom, k.index(t * c))});
            },
            [&](int64_t t, Value column) {
              vector::StoreOp::create(
                  k.b, column, values,
                  ValueRange{k.add(tileTo, k.index(t * r))});
            });
      });
    });
  });
  return {begins, kBlocks, values};
}

/// The slices of the contraction and blocks of output columns one product
/// runs over (see emitProduct).
struct SlicePlan {
  Value sliceBlocks;     ///< contraction blocks per slice
  Value numSlices;       ///< slices
  Value streaming;       ///< one slice and whole vectors per output row
  Value numColumnBlocks; ///< blocks of output columns
  Value chunksPerBlock;  ///< panels per block of output columns
};

/// One bsr_matmul with a BSR left operand, Y = op(X̂) · op(B), as the steps
/// of the file comment emit it: sizes, operand buffers and vector types.
class LhsSparseProduct {
public:
  LhsSparseProduct(KernelBuilder &k, BsrMatmulOp op, Value lhs, Value rhs,
                   unsigned vectorBits)
      : k(k), transposeA(op.getTransposeA()), transposeB(op.getTransposeB()),
        bsr(getBsrBuffers(k, lhs)), r(bsr.blockRows), c(bsr.blockCols) {
    auto sparseType = cast<RankedTensorType>(op.getLhs().getType());
    blockRows = sparseType.getDimSize(0) / r;
    blockCols = sparseType.getDimSize(1) / c;
    // Output blocks are r x (block of op(B)) rows high without transpose_a,
    // c with it; the contraction runs over `inner` elements per block.
    outHeight = transposeA ? c : r;
    inner = transposeA ? r : c;
    outBlocks = transposeA ? blockCols : blockRows;
    contraction = sparseType.getDimSize(transposeA ? 0 : 1);
    lanes = vectorBits / 32;
    vectorBytes = lanes * 4;
    powerOfTwoLanes = llvm::isPowerOf2_64(lanes);
    chunk = kTileVectors * lanes;
    // 32 vector registers hold 4 x 6 accumulators, the 6 loaded vectors of
    // the panel and a broadcast with AVX-512; narrower targets get half the
    // rows. Four rows rather than eight of 3 vectors: the tile's rows are a
    // whole output row apart (often a multiple of 4 KiB), and 8 rows x 3
    // lines fell into one L1 set; measured 3-13 % faster (Zen 4, 2048 x 1024
    // x 1024, b = 16-64, density 0.1-1, both product forms).
    rowTile = getRowTile(outHeight, vectorBits >= 512 ? 4 : 2);

    this->rhs = k.bufferOf(rhs);
    n = k.dim(this->rhs, transposeB ? 0 : 1);
    numChunks = k.ceilDivU(n, chunk);
    Type f32 = k.b.getF32Type();
    vectorType = VectorType::get({lanes}, f32);
    maskType = VectorType::get({lanes}, k.b.getI1Type());
    zeroVector = arith::ConstantOp::create(
        k.b, vectorType, DenseElementsAttr::get(vectorType, 0.0f));
    zero = k.floating(f32, 0.0);
  }

  /// Emits the product with the blocking of `options`; returns its result
  /// buffer (`resultType`'s shape).
  Value emitProduct(RankedTensorType resultType,
                    const CPULoweringOptions &options);

private:
  /// The lanes of the vector of output columns starting at `column`.
  Value columnMask(Value column) {
    return vector::CreateMaskOp::create(k.b, maskType,
                                        ValueRange{k.sub(n, column)});
  }
  /// Step 1 for the chunks [jcBegin, jcEnd): panels[jc - jcBegin][kk][j] =
  /// op(B)[kk][jc * chunk + j], zero past the last column.
  void packPanels(Value jcBegin, Value jcEnd);
  /// Entry q of the lists (one stored block) applied to the tile of rows t0..
  /// of its output block, for the panel in `slot` of the packed block:
  /// `inner` rank-1 updates of `acc`.
  SmallVector<Value> applyBlock(Value q, Value t0, Value slot, Value j0,
                                ArrayRef<Value> masks, ValueRange acc);
  /// How the contraction is sliced and the output columns blocked.
  SlicePlan planSlices(unsigned panelDepth, unsigned panelCacheKiB);
  /// Output block row `ob` for the chunks [jcBegin, jcEnd) and the entries
  /// [first, last) of its list: every tile of rows, loaded (after the first
  /// slice), updated by the entries, stored.
  void emitOutputBlockRow(Value ob, Value jcBegin, Value jcEnd, Value first,
                          Value last, Value firstSlice, Value streaming);
  /// Steps 1 and 3 over every block of output columns: pack its panels
  /// (unless B is read in place), then apply each slice of the contraction
  /// to every output block row; `cursor` holds each row's next entry and
  /// output block rows [partRows[p], partRows[p + 1]) form part p of the
  /// parallel loop.
  void emitColumnBlockLoop(const SlicePlan &plan, Value cursor, Value partRows);
  /// The parallel loop's parts: `outBlocks` ranges of output block rows of
  /// about equal work (two per stored block, one per row), so that threads
  /// given equal numbers of consecutive parts get equal work whatever the
  /// distribution of the blocks over rows. Returns partRows, of size
  /// outBlocks + 1.
  Value emitBalancedParts();

  KernelBuilder &k;
  bool transposeA, transposeB;
  BsrBuffers bsr;
  int64_t r, c, blockRows, blockCols;
  int64_t outHeight, inner, outBlocks, contraction;
  int64_t lanes, vectorBytes, chunk, rowTile;
  /// Whether the lanes are a power of two: only then are tiles transposed
  /// in registers (copyTransposed) and vectors aligned to their size (for
  /// streaming stores); other widths (e.g. 3 lanes) copy element by
  /// element and store plainly.
  bool powerOfTwoLanes;
  Value rhs, n, numChunks;
  VectorType vectorType, maskType;
  Value zeroVector, zero;
  /// The packed panels of the loops being emitted; null while they read B
  /// in place (see the option in-place-uses).
  Value panels;
  Value out;
  BlockLists lists;
  /// One past the last entry of the lists (lists.begins[outBlocks]).
  Value entriesEnd;
};

void LhsSparseProduct::packPanels(Value jcBegin, Value jcEnd) {
  if (!transposeB) {
    // Row by row of B: each row's columns [jcBegin, jcEnd) are read in
    // order and go to the same row of every panel. Only the chunk past the
    // last whole one (at most one) needs masked loads.
    Value wholeEnd = k.minU(jcEnd, k.divU(n, k.index(chunk)));
    Value partialBegin = k.maxU(jcBegin, wholeEnd);
    k.forEachParallel(k.index(0), k.index(contraction), [&](Value kk) {
      Value ahead = k.minU(k.add(kk, k.index(kPackPrefetchRows)),
                           k.index(contraction - 1));
      auto copyChunks = [&](Value begin, Value end, bool masked) {
        k.forEach(begin, end, [&](Value jc) {
          Value j0 = k.mul(jc, k.index(chunk));
          Value slot = k.sub(jc, jcBegin);
          for (int64_t v = 0; v < kTileVectors; ++v) {
            Value column = k.add(j0, k.index(v * lanes));
            if (!masked)
              memref::PrefetchOp::create(k.b, rhs, ValueRange{ahead, column},
                                         /*isWrite=*/false,
                                         /*localityHint=*/3,
                                         /*isDataCache=*/true);
            Value row;
            if (masked)
              row = vector::MaskedLoadOp::create(
                  k.b, vectorType, rhs, ValueRange{kk, column},
                  columnMask(column), zeroVector, IntegerAttr());
            else
              row = vector::LoadOp::create(k.b, vectorType, rhs,
                                           ValueRange{kk, column});
            vector::StoreOp::create(k.b, row, panels,
                                    ValueRange{slot, kk, k.index(v * lanes)});
          }
        });
      };
      copyChunks(jcBegin, wholeEnd, /*masked=*/false);
      copyChunks(partialBegin, jcEnd, /*masked=*/true);
    });
    return;
  }
  // op(B)[kk][j] = B[j][kk]: square tiles of `lanes` rows of B (columns
  // of the panel), a vector of each, transposed in registers into rows of
  // the panel; rows past the last column of op(B) are zeros. The
  // contraction past the last whole tile (all of it when the lanes are not
  // a power of two) goes element by element.
  int64_t wholeDepth = powerOfTwoLanes ? contraction - contraction % lanes : 0;
  k.forEachParallel(jcBegin, jcEnd, [&](Value jc) {
    Value j0 = k.mul(jc, k.index(chunk));
    Value slot = k.sub(jc, jcBegin);
    Value last = k.sub(n, k.index(1));
    for (int64_t v = 0; v < kTileVectors; ++v) {
      SmallVector<Value> inside, clamped;
      for (int64_t t = 0; t < lanes; ++t) {
        Value column = k.add(j0, k.index(v * lanes + t));
        inside.push_back(k.cmp(arith::CmpIPredicate::ult, column, n));
        clamped.push_back(k.select(inside.back(), column, last));
      }
      if (wholeDepth > 0)
        k.forEachStep(k.index(0), k.index(wholeDepth), lanes, [&](Value kk0) {
          copyTransposed(
              k, lanes,
              [&](int64_t t) {
                return k.select(
                    inside[t],
                    vector::LoadOp::create(k.b, vectorType, rhs,
                                           ValueRange{clamped[t], kk0}),
                    zeroVector);
              },
              [&](int64_t t, Value row) {
                vector::StoreOp::create(k.b, row, panels,
                                        ValueRange{slot, k.add(kk0, k.index(t)),
                                                   k.index(v * lanes)});
              });
        });
      k.forEach(k.index(wholeDepth), k.index(contraction), [&](Value kk) {
        for (int64_t t = 0; t < lanes; ++t)
          k.store(k.select(inside[t], k.load(rhs, {clamped[t], kk}), zero),
                  panels, {slot, kk, k.index(v * lanes + t)});
      });
    }
  });
}

SmallVector<Value> LhsSparseProduct::applyBlock(Value q, Value t0, Value slot,
                                                Value j0, ArrayRef<Value> masks,
                                                ValueRange acc) {
  Value kBlock = k.toIndex(k.load(lists.kBlocks, q));
  Value blockBase = k.mul(q, k.index(r * c));
  Value panelBase = k.mul(kBlock, k.index(inner));
  // The stored block of the entry kBlockPrefetchEntries ahead (the last
  // entry's own near the end).
  Value aheadBase;
  if (inner < kPrefetchMinWidth) {
    Value ahead = k.minU(k.add(q, k.index(kBlockPrefetchEntries)),
                         k.sub(entriesEnd, k.index(1)));
    aheadBase = k.mul(ahead, k.index(r * c));
  }
  return k.forAccumulate(
      k.index(0), k.index(inner), acc, [&](Value e, ValueRange tileAcc) {
        if (aheadBase) {
          // A line of the tile's rows of that block per update: row t0 +
          // e mod rowTile from column (e / rowTile) lines on.
          int64_t lineFloats = 64 / 4;
          Value row = k.add(t0, k.remU(e, k.index(rowTile)));
          Value column =
              k.minU(k.mul(k.divU(e, k.index(rowTile)), k.index(lineFloats)),
                     k.index(inner - 1));
          Value offset = k.add(k.mul(row, k.index(inner)), column);
          memref::PrefetchOp::create(
              k.b, lists.values, ValueRange{k.add(aheadBase, offset)},
              /*isWrite=*/false, /*localityHint=*/3, /*isDataCache=*/true);
        }
        SmallVector<Value, kTileVectors> row;
        for (int64_t v = 0; v < kTileVectors; ++v) {
          if (!panels)
            row.push_back(vector::MaskedLoadOp::create(
                k.b, vectorType, rhs,
                ValueRange{k.add(panelBase, e), k.add(j0, k.index(v * lanes))},
                masks[v], zeroVector, IntegerAttr()));
          else
            row.push_back(vector::LoadOp::create(
                k.b, vectorType, panels,
                ValueRange{slot, k.add(panelBase, e), k.index(v * lanes)}));
        }
        // Element (t0 + t, e) of the output block's operand: row t0 + t,
        // column e of the block as the lists store it (transposed with
        // transpose_a).
        Value at0 = k.add(blockBase, k.add(k.mul(t0, k.index(inner)), e));
        SmallVector<Value> next;
        for (int64_t t = 0; t < rowTile; ++t) {
          Value a = vector::BroadcastOp::create(
              k.b, vectorType,
              k.load(lists.values, k.add(at0, k.index(t * inner))));
          for (int64_t v = 0; v < kTileVectors; ++v)
            next.push_back(vector::FMAOp::create(
                k.b, a, row[v], tileAcc[t * kTileVectors + v]));
        }
        return next;
      });
}

SlicePlan LhsSparseProduct::planSlices(unsigned panelDepth,
                                       unsigned panelCacheKiB) {
  // The contraction runs in slices: each slice of the panels stays in the
  // caches while every output block row applies its blocks of the slice,
  // and each output tile is loaded and stored once per slice. A slice
  // spans enough contraction blocks that an output block row meets about
  // `group` stored blocks (`panelDepth` panel rows) in it on average: dense
  // operands get slices of `group` blocks, sparse ones fewer, wider
  // slices (down to one), so that output tiles are not reloaded for a
  // block or two.
  SlicePlan plan;
  int64_t group = std::max<int64_t>(1, panelDepth / inner);
  int64_t kBlocks = contraction / inner;
  Value perRow = k.maxU(
      k.index(1), k.ceilDivU(entriesEnd, std::max<int64_t>(outBlocks, 1)));
  plan.sliceBlocks = k.minU(
      k.index(std::max<int64_t>(kBlocks, 1)),
      k.maxU(k.index(group), k.ceilDivU(k.index(group * kBlocks), perRow)));
  plan.numSlices =
      k.maxU(k.index(1), k.ceilDivU(k.index(kBlocks), plan.sliceBlocks));
  // With one slice every output tile is written once and not read back:
  // whole, aligned tiles (rows a multiple of a vector long) then go out
  // with streaming stores, which skip the read for ownership of output
  // lines that a plain store pays (measured: 10-15 % of a sparse
  // product's time went to it).
  plan.streaming = k.andI(
      k.cmp(arith::CmpIPredicate::eq, plan.numSlices, k.index(1)),
      k.cmp(arith::CmpIPredicate::eq, k.remU(n, k.index(lanes)), k.index(0)));
  // Wide products run over blocks of output columns: the panels of one
  // block of columns are packed, then applied by every slice and output
  // block row while they are still in the cache; `panelCacheKiB` bounds a
  // slice's panels of one block. The stored blocks are read once per
  // column block. Measured (Zen 4, 1 thread, 2048 x 1024 x 4096, b = 32,
  // over oneDNN): 7.7 -> 8.4x at density 0.1, 3.3 -> 3.7x at 0.25, 1.5 ->
  // 1.8x at 0.5; b = 16 at 0.5: 1.2 -> 1.8x.
  plan.numColumnBlocks = k.index(1);
  if (panelCacheKiB != 0) {
    Value chunkBytes = k.mul(plan.sliceBlocks, k.index(inner * chunk * 4));
    Value maxChunks = k.maxU(
        k.index(1), k.divU(k.index(int64_t(panelCacheKiB) * 1024), chunkBytes));
    plan.numColumnBlocks = k.maxU(k.index(1), k.ceilDivU(numChunks, maxChunks));
  }
  // Blocks of equal width (within a chunk).
  plan.chunksPerBlock = k.ceilDivU(numChunks, plan.numColumnBlocks);
  return plan;
}

void LhsSparseProduct::emitOutputBlockRow(Value ob, Value jcBegin, Value jcEnd,
                                          Value first, Value last,
                                          Value firstSlice, Value streaming) {
  k.forEach(jcBegin, jcEnd, [&](Value jc) {
    Value j0 = k.mul(jc, k.index(chunk));
    Value slot = k.sub(jc, jcBegin);
    SmallVector<Value, kTileVectors> cols, masks;
    for (int64_t v = 0; v < kTileVectors; ++v) {
      cols.push_back(k.add(j0, k.index(v * lanes)));
      masks.push_back(columnMask(cols.back()));
    }
    Value streamTile = k.andI(streaming, k.cmp(arith::CmpIPredicate::ule,
                                               k.add(j0, k.index(chunk)), n));
    k.forEachStep(k.index(0), k.index(outHeight), rowTile, [&](Value t0) {
      Value row0 = k.add(k.mul(ob, k.index(outHeight)), t0);
      SmallVector<Type> tileTypes(rowTile * kTileVectors, vectorType);
      SmallVector<Value> init = k.ifThenElse(
          firstSlice, tileTypes,
          [&] {
            return SmallVector<Value>(rowTile * kTileVectors, zeroVector);
          },
          [&] {
            SmallVector<Value> partial;
            for (int64_t t = 0; t < rowTile; ++t)
              for (int64_t v = 0; v < kTileVectors; ++v)
                partial.push_back(vector::MaskedLoadOp::create(
                    k.b, vectorType, out,
                    ValueRange{k.add(row0, k.index(t)), cols[v]}, masks[v],
                    zeroVector, IntegerAttr()));
            return partial;
          });
      SmallVector<Value> acc =
          k.forAccumulate(first, last, init, [&](Value q, ValueRange blockAcc) {
            return applyBlock(q, t0, slot, j0, masks, blockAcc);
          });
      auto storeTile = [&](bool stream) {
        for (int64_t t = 0; t < rowTile; ++t)
          for (int64_t v = 0; v < kTileVectors; ++v) {
            Value tile = acc[t * kTileVectors + v];
            SmallVector<Value, 2> at{k.add(row0, k.index(t)), cols[v]};
            if (stream)
              vector::StoreOp::create(k.b, tile, out, at,
                                      /*nontemporal=*/true,
                                      llvm::Align(vectorBytes));
            else
              vector::MaskedStoreOp::create(k.b, out, at, masks[v], tile,
                                            IntegerAttr());
          }
      };
      if (powerOfTwoLanes)
        k.ifThenElse(
            streamTile, [&] { storeTile(true); }, [&] { storeTile(false); });
      else
        storeTile(false);
    });
  });
}

Value LhsSparseProduct::emitProduct(RankedTensorType resultType,
                                    const CPULoweringOptions &options) {
  Type f32 = k.b.getF32Type();
  // 2. The stored blocks of each output block row.
  if (transposeA)
    lists = groupByBlockColumn(k, bsr, blockRows, blockCols,
                               powerOfTwoLanes ? lanes : 0);
  else
    lists = {bsr.positions, bsr.coordinates, bsr.values};
  entriesEnd = k.toIndex(k.load(lists.begins, k.index(outBlocks)));

  // 3. The product, one output block row per iteration. Every element of
  // the result is stored by the kernel: no zero fill. Aligned to a vector,
  // for the streaming stores.
  out = k.allocShaped(resultType.getShape(), f32,
                      {k.index(outBlocks * outHeight), n},
                      llvm::PowerOf2Ceil(vectorBytes));
  SlicePlan plan = planSlices(options.panelDepth, options.panelCacheKiB);
  // cursor[ob] is the first entry of output block row ob not applied yet
  // (entries are sorted by contraction block).
  Value cursor = k.alloc({outBlocks}, k.b.getIndexType());
  Value partRows = emitBalancedParts();
  auto emitColumnBlocks = [&](bool inPlace) {
    panels = Value();
    if (!inPlace) {
      // The panels of step 1, packed per block of output columns (below)
      // just before its product, into one buffer of a block's panels: every
      // block reuses the memory (and the cached lines) of the previous one.
      auto panelType =
          MemRefType::get({ShapedType::kDynamic, contraction, chunk}, f32);
      panels = memref::AllocOp::create(k.b, panelType,
                                       ValueRange{plan.chunksPerBlock},
                                       k.b.getI64IntegerAttr(64));
    }
    emitColumnBlockLoop(plan, cursor, partRows);
  };
  if (transposeB || options.inPlaceUses == 0) {
    emitColumnBlocks(/*inPlace=*/false);
    return out;
  }
  // Without transpose_b, B is read in place instead of packed when its
  // contraction blocks are used by at most `inPlaceUses` stored blocks each
  // on average: packing a row of panels costs about as much as reading it
  // in place a few times, with the L1 set conflicts of rows a page apart.
  // Measured interleaved over oneDNN (Zen 4, 1 thread, 2048 x 1024 x 1024,
  // weight gradient): b = 32, density 0.1 (3.2 uses): 5-17 % faster in
  // place; b = 64, density 0.1 (1.6): 8 %; b = 64, density 0.25 (4): level;
  // b = 32, density 0.25 (8): 3-15 % slower; forward b = 32, density 0.1
  // (6.4): 1.5 % slower.
  Value fewUses =
      k.cmp(arith::CmpIPredicate::ule, entriesEnd,
            k.index(int64_t(options.inPlaceUses) * (contraction / inner)));
  k.ifThenElse(
      fewUses, [&] { emitColumnBlocks(/*inPlace=*/true); },
      [&] { emitColumnBlocks(/*inPlace=*/false); });
  return out;
}

Value LhsSparseProduct::emitBalancedParts() {
  // The work before output block row r, in halves of a stored block:
  // work(r) = 2 * (begins[r] - begins[0]) + r, strictly increasing from 0
  // to total = work(outBlocks). Part p starts at the first row whose work
  // before it reaches p * total / outBlocks (a bisection), so part 0 starts
  // at row 0, part outBlocks at outBlocks, and the bounds never decrease:
  // every row is in exactly one part.
  Value firstEntry = k.toIndex(k.load(lists.begins, k.index(0)));
  auto workBefore = [&](Value row) {
    Value entries = k.sub(k.toIndex(k.load(lists.begins, row)), firstEntry);
    return k.add(k.add(entries, entries), row);
  };
  Value total = workBefore(k.index(outBlocks));
  Value partRows = k.alloc({outBlocks + 1}, k.b.getIndexType());
  int64_t steps = llvm::Log2_64_Ceil(outBlocks + 1);
  k.forEach(k.index(0), k.index(outBlocks + 1), [&](Value part) {
    Value target = k.divU(k.mul(part, total), k.index(outBlocks));
    // The first row r in [lo, hi] with workBefore(r) >= target.
    SmallVector<Value> bounds = k.forAccumulate(
        k.index(0), k.index(steps), {k.index(0), k.index(outBlocks)},
        [&](Value, ValueRange range) -> SmallVector<Value> {
          Value lo = range[0], hi = range[1];
          Value mid = k.divU(k.add(lo, hi), k.index(2));
          Value open = k.cmp(arith::CmpIPredicate::ult, lo, hi);
          Value below =
              k.cmp(arith::CmpIPredicate::ult, workBefore(mid), target);
          return {k.select(k.andI(open, below), k.add(mid, k.index(1)), lo),
                  k.select(below, hi, mid)};
        });
    k.store(bounds[0], partRows, part);
  });
  return partRows;
}

void LhsSparseProduct::emitColumnBlockLoop(const SlicePlan &plan, Value cursor,
                                           Value partRows) {
  k.forEach(k.index(0), plan.numColumnBlocks, [&](Value columnBlock) {
    Value jcBegin = k.mul(columnBlock, plan.chunksPerBlock);
    Value jcEnd = k.minU(numChunks, k.add(jcBegin, plan.chunksPerBlock));
    if (panels)
      packPanels(jcBegin, jcEnd);
    k.forEach(k.index(0), k.index(outBlocks), [&](Value ob) {
      k.store(k.toIndex(k.load(lists.begins, ob)), cursor, ob);
    });
    k.forEach(k.index(0), plan.numSlices, [&](Value slice) {
      Value limit = k.mul(k.add(slice, k.index(1)), plan.sliceBlocks);
      Value firstSlice = k.cmp(arith::CmpIPredicate::eq, slice, k.index(0));
      k.forEachParallel(k.index(0), k.index(outBlocks), [&](Value part) {
        Value partEnd = k.load(partRows, k.add(part, k.index(1)));
        k.forEach(k.load(partRows, part), partEnd, [&](Value ob) {
          Value first = k.load(cursor, ob);
          Value end = k.toIndex(k.load(lists.begins, k.add(ob, k.index(1))));
          // The entries of this slice: at most `sliceBlocks` from the cursor.
          Value last = k.forAccumulate(
              k.index(0), plan.sliceBlocks, {first},
              [&](Value, ValueRange at) -> SmallVector<Value> {
                // The entry is read only while the row has one left.
                Value inRow = k.cmp(arith::CmpIPredicate::ult, at[0], end);
                Value take = k.ifThenElse(
                    inRow, {k.b.getI1Type()},
                    [&] {
                      Value kBlock = k.toIndex(k.load(lists.kBlocks, at[0]));
                      return SmallVector<Value>{
                          k.cmp(arith::CmpIPredicate::ult, kBlock, limit)};
                    },
                    [&] { return SmallVector<Value>{k.boolean(false)}; })[0];
                return {k.select(take, k.add(at[0], k.index(1)), at[0])};
              })[0];
          k.store(last, cursor, ob);
          // The first slice writes every tile (zeros where no block
          // contributes); later slices only touch rows they change.
          Value work =
              k.orI(firstSlice, k.cmp(arith::CmpIPredicate::ult, first, last));
          k.ifThen(work, [&] {
            emitOutputBlockRow(ob, jcBegin, jcEnd, first, last, firstSlice,
                               plan.streaming);
          });
        });
      });
    });
  });
}

struct BsrMatmulLhsSparseVectorLowering
    : public OpConversionPattern<BsrMatmulOp> {
  BsrMatmulLhsSparseVectorLowering(const TypeConverter &converter,
                                   MLIRContext *context,
                                   const CPULoweringOptions &options)
      : OpConversionPattern(converter, context, /*benefit=*/2),
        options(options) {}

  LogicalResult
  matchAndRewrite(BsrMatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    auto sparseType = cast<RankedTensorType>(op.getLhs().getType());
    if (!op.isLhsSparse() || !sparseType.getElementType().isF32() ||
        !resultType.getElementType().isF32() ||
        !cast<RankedTensorType>(op.getRhs().getType()).getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "no vector kernel for this form");
    KernelBuilder k(rewriter, op.getLoc());
    LhsSparseProduct product(k, op, adaptor.getLhs(), adaptor.getRhs(),
                             options.vectorBits);
    Value out = product.emitProduct(resultType, options);
    rewriter.replaceOp(op, k.tensorOf(out));
    return success();
  }

  CPULoweringOptions options;
};

} // namespace

void mlir::sparse_train::populateBlockSparseToCPUPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns,
    const CPULoweringOptions &options) {
  patterns.add<BsrMatmulLhsSparseVectorLowering>(
      converter, patterns.getContext(), options);
}
