//===- BlockSparseToGPU.cpp - GPU lowering of the BSR ops
//------------------===//
//
// block_prune in four kernels: the f32 score of every block (one parallel
// iteration per block, the reference's row-major summation order) with its
// ordering key; the selection (global or per block row: the block top-K
// kernel of BlockTopK.h over the score keys; threshold: in the score
// kernel); the positions (one block: kept blocks per block-row chunk
// scanned in shared memory); the coordinates and values (one parallel
// iteration per block: a kept block finds its slot from the positions and
// the kept blocks before it in its row). The host reads the number of
// stored blocks from the positions to size the other two buffers, and the
// result is assembled with sparse_tensor.assemble as in the reference.
//
// bsr_matmul with a BSR left operand (the forward product S * op(B) and the
// weight gradient S^T * op(B)) as one block per output panel with the stored
// blocks and the tiles of the dense operand staged in shared memory; with a
// BSR right operand as one parallel iteration per output element: each
// iteration
// owns its element and sums, in a fixed order, the products of the stored
// elements of one line of the BSR operand S (a row of S, walked through its
// block row, or a column of S, found by scanning every block row for the
// blocks of its block column) with the matching entries of the dense
// operand. No atomics, so the result is deterministic; pruned blocks are
// never read, so they add nothing even against Inf/NaN.
//
//===----------------------------------------------------------------------===//

#include "../SparseTrainToLoops/BsrBuffers.h"
#include "BlockTopK.h"
#include "GPUKernelBuilder.h"
#include "SparseTrain/Conversion/SparseTrainToGPU.h"
#include "SparseTrain/IR/SparseTrainOps.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sparse_train;

namespace {

/// Calls `body(kk, value, acc)` for every stored element of line `line` of
/// the BSR operand in ascending order of its other coordinate `kk`: a row of
/// S when `isRow`, else a column; `body` returns the next accumulator.
static Value emitLineSum(KernelBuilder &k, const BsrBuffers &bsr,
                         int64_t blockRowCount, Value line, bool isRow,
                         Value init,
                         function_ref<Value(Value, Value, Value)> body) {
  int64_t r = bsr.blockRows, c = bsr.blockCols;
  Value rc = k.index(r * c);
  if (isRow) {
    Value br = k.divU(line, k.index(r)), ri = k.remU(line, k.index(r));
    Value begin = k.toIndex(k.load(bsr.positions, br));
    Value end = k.toIndex(k.load(bsr.positions, k.add(br, k.index(1))));
    return k.forAccumulate(begin, end, {init}, [&](Value p, ValueRange acc) {
      Value bc = k.toIndex(k.load(bsr.coordinates, p));
      Value rowStart = k.add(k.mul(p, rc), k.mul(ri, k.index(c)));
      return k.forAccumulate(
          k.index(0), k.index(c), {acc[0]}, [&](Value cj, ValueRange inner) {
            Value kk = k.add(k.mul(bc, k.index(c)), cj);
            Value v = k.load(bsr.values, k.add(rowStart, cj));
            return SmallVector<Value>{body(kk, v, inner[0])};
          });
    })[0];
  }
  Value bcol = k.divU(line, k.index(c)), cj = k.remU(line, k.index(c));
  return k.forAccumulate(
      k.index(0), k.index(blockRowCount), {init},
      [&](Value br, ValueRange acc) {
        Value begin = k.toIndex(k.load(bsr.positions, br));
        Value end = k.toIndex(k.load(bsr.positions, k.add(br, k.index(1))));
        return k.forAccumulate(
            begin, end, {acc[0]}, [&](Value p, ValueRange inner) {
              Value bc = k.toIndex(k.load(bsr.coordinates, p));
              Value match = k.cmp(arith::CmpIPredicate::eq, bc, bcol);
              return k.ifThenElse(
                  match, {init.getType()},
                  [&] {
                    return k.forAccumulate(
                        k.index(0), k.index(r), {inner[0]},
                        [&](Value ri, ValueRange sum) {
                          Value kk = k.add(k.mul(br, k.index(r)), ri);
                          Value at = k.add(k.mul(p, rc),
                                           k.add(k.mul(ri, k.index(c)), cj));
                          return SmallVector<Value>{
                              body(kk, k.load(bsr.values, at), sum[0])};
                        });
                  },
                  [&] { return SmallVector<Value>{inner[0]}; });
            });
      })[0];
}

/// `v` as a buffer entry of `type` (integer or index).
static Value fromIndex(KernelBuilder &k, Type type, Value v) {
  return type.isIndex() ? v : k.indexCast(type, v);
}

struct BlockPruneToGPU : public OpConversionPattern<BlockPruneOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BlockPruneOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    KernelBuilder k(rewriter, op.getLoc());
    RankedTensorType inputType = op.getInput().getType();
    RankedTensorType resultType = op.getType();
    auto encoding = sparse_tensor::getSparseTensorEncoding(resultType);
    int64_t r = op.getBlock()[0], c = op.getBlock()[1];
    int64_t blockRows = inputType.getDimSize(0) / r;
    int64_t blockCols = inputType.getDimSize(1) / c;
    int64_t numBlocks = blockRows * blockCols;
    Type f64 = k.b.getF64Type(), i8 = k.b.getI8Type();
    Type i32 = k.b.getI32Type(), indexType = k.b.getIndexType();
    Value x = k.bufferOf(adaptor.getInput());
    BlockScore scoreKind = op.getScore();
    BlockSelect select = op.getSelect();

    // Scores, keys and (for a threshold) the selection, one per block.
    Value keys = k.alloc({numBlocks}, i32);
    Value keep = k.alloc({numBlocks}, i8);
    forEachParallelND(k, {k.index(numBlocks)}, [&](ValueRange ivs) {
      Value b = ivs[0];
      Value row0 = k.mul(k.divU(b, k.index(blockCols)), k.index(r));
      Value col0 = k.mul(k.remU(b, k.index(blockCols)), k.index(c));
      Value score = emitBlockScore(k, scoreKind, x, row0, col0, r, c);
      // l2: the order of the sums of squares is the order of their square
      // roots, so the keys skip the root (the f32 root of the NVVM lowering
      // is sqrt.approx; two sums whose rounded roots tie may rank either
      // way, which the contract allows). The threshold compares the root,
      // taken in f64 (correctly rounded on every target).
      k.store(emitMagnitudeKey(k, score, i32), keys, b);
      Value take = k.boolean(false);
      if (select == BlockSelect::Threshold) {
        Value wide = k.castFloat(score, f64);
        if (scoreKind == BlockScore::L2)
          wide = math::SqrtOp::create(k.b, wide);
        // Strictly above the threshold, or NaN (unordered compare).
        take = arith::CmpFOp::create(
            k.b, arith::CmpFPredicate::UGT, wide,
            k.floating(f64, op.getThreshold()->convertToDouble()));
      }
      k.store(arith::ExtUIOp::create(k.b, i8, take), keep, b);
    });

    // Top-k of the block keys: over all blocks, or per block row.
    auto keepCount = [](double ratio, int64_t n) {
      return static_cast<int64_t>(
          std::floor(ratio * static_cast<double>(n) + 0.5));
    };
    if (select != BlockSelect::Threshold) {
      bool global = select == BlockSelect::GlobalTopK;
      int64_t setLength = global ? numBlocks : blockCols;
      int64_t count =
          global ? keepCount(op.getKeepRatio()->convertToDouble(), numBlocks)
          : op.getKeepPerRow()
              ? static_cast<int64_t>(*op.getKeepPerRow())
              : keepCount(op.getKeepRatio()->convertToDouble(), blockCols);
      emitBlockTopKLaunch(
          k, k.index(global ? 1 : blockRows), k.index(setLength),
          k.index(count), i32,
          [&](Value set, Value i) {
            return k.load(keys, k.add(k.mul(set, k.index(setLength)), i));
          },
          [&](Value set, Value i, Value) {
            k.store(k.integer(i8, 1), keep,
                    k.add(k.mul(set, k.index(setLength)), i));
          });
    }

    // positions[br + 1] = kept blocks in block rows 0..br: one block, each
    // thread a chunk of block rows, chunk totals scanned in shared memory.
    Type posType = getBsrIndexType(k.b.getContext(), encoding.getPosWidth());
    Type crdType = getBsrIndexType(k.b.getContext(), encoding.getCrdWidth());
    Value positions = k.alloc({blockRows + 1}, posType);
    auto keptInRow = [&](Value br, Value end) {
      return k.forAccumulate(
          k.index(0), end, {k.index(0)}, [&](Value bc, ValueRange count) {
            Value kept = k.load(keep, k.add(k.mul(br, k.index(blockCols)), bc));
            return SmallVector<Value>{
                k.add(count[0], arith::IndexCastUIOp::create(
                                    k.b, indexType,
                                    arith::ExtUIOp::create(k.b, i32, kept)))};
          })[0];
    };
    emitLaunch(
        k, k.index(1), kBlockThreads,
        {getWorkgroupBufferType({kBlockThreads}, indexType)},
        [&](LaunchIds ids) {
          Value tid = ids.thread, offsets = ids.shared[0];
          auto [lo, hi] = getThreadChunk(k, tid, k.index(blockRows));
          Value total = k.forAccumulate(
              lo, hi, {k.index(0)}, [&](Value br, ValueRange acc) {
                return SmallVector<Value>{
                    k.add(acc[0], keptInRow(br, k.index(blockCols)))};
              })[0];
          k.store(total, offsets, tid);
          emitBlockExclusiveScan(k, tid, offsets);
          onFirstThread(k, tid, [&] {
            k.store(fromIndex(k, posType, k.index(0)), positions, k.index(0));
          });
          k.forAccumulate(
              lo, hi, {k.load(offsets, tid)}, [&](Value br, ValueRange acc) {
                Value next = k.add(acc[0], keptInRow(br, k.index(blockCols)));
                k.store(fromIndex(k, posType, next), positions,
                        k.add(br, k.index(1)));
                return SmallVector<Value>{next};
              });
        });

    // The host sizes the coordinates and values from the positions (the
    // launch above is synchronous and the buffer is managed memory).
    Value nnz = k.toIndex(k.load(positions, k.index(blockRows)));
    Value coordinates = k.alloc({ShapedType::kDynamic}, crdType, nnz);
    Value values = k.alloc({ShapedType::kDynamic}, inputType.getElementType(),
                           k.mul(nnz, k.index(r * c)));
    forEachParallelND(k, {k.index(numBlocks)}, [&](ValueRange ivs) {
      Value b = ivs[0];
      Value br = k.divU(b, k.index(blockCols)),
            bc = k.remU(b, k.index(blockCols));
      Value take =
          k.cmp(arith::CmpIPredicate::ne, k.load(keep, b), k.integer(i8, 0));
      k.ifThen(take, [&] {
        Value slot = k.add(k.toIndex(k.load(positions, br)), keptInRow(br, bc));
        k.store(fromIndex(k, crdType, bc), coordinates, slot);
        Value base = k.mul(slot, k.index(r * c));
        k.forEach(k.index(0), k.index(r * c), [&](Value e) {
          Value row = k.add(k.mul(br, k.index(r)), k.divU(e, k.index(c)));
          Value col = k.add(k.mul(bc, k.index(c)), k.remU(e, k.index(c)));
          k.store(k.load(x, {row, col}), values, k.add(base, e));
        });
      });
    });

    Value result = sparse_tensor::AssembleOp::create(
        k.b, resultType,
        ValueRange{k.tensorOf(positions), k.tensorOf(coordinates)},
        k.tensorOf(values));
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// How a product with the BSR operand S meets the output: the blocks of
/// op(S) form lines along the output (block rows of op(S) when S is on the
/// left, block columns when it is on the right), `lineSize` wide; the
/// contraction runs over `depth` entries of each block.
struct BsrLines {
  bool sparseLeft;
  /// Whether op(S) is S transposed.
  bool ts;
  /// Whether a line is a block row of S (walked in order), else a block
  /// column of S (each block row's block found in its sorted coordinates).
  bool lineIsBlockRow;
  int64_t lineSize, depth, lines;

  BsrLines(const BsrBuffers &bsr, int64_t blockRowCount, int64_t blockColCount,
           bool sparseLeft, bool ta, bool tb)
      : sparseLeft(sparseLeft), ts(sparseLeft ? ta : tb),
        lineIsBlockRow(sparseLeft != ts) {
    int64_t opRows = ts ? bsr.blockCols : bsr.blockRows;
    int64_t opCols = ts ? bsr.blockRows : bsr.blockCols;
    lineSize = sparseLeft ? opRows : opCols;
    depth = sparseLeft ? opCols : opRows;
    lines = lineIsBlockRow ? blockRowCount : blockColCount;
  }

  /// op(S)[i, j] of the block whose r x c values start at `base` of
  /// `values`, local coordinates.
  Value sparseAt(KernelBuilder &k, const BsrBuffers &bsr, Value values,
                 Value base, Value i, Value j) const {
    Value c = k.index(bsr.blockCols);
    Value e = ts ? k.add(k.mul(j, c), i) : k.add(k.mul(i, c), j);
    return k.load(values, k.add(base, e));
  }
};

/// Folds `body(p, kBase, acc)` over the stored blocks of `line` of op(S) in
/// order: `p` the block's position in the values, `kBase` its first index
/// along the contraction. A block row is walked; for a block column, each
/// block row's block in it is found by scanning its sorted coordinates
/// (every thread of a block or lane of a warp takes the same branch).
static SmallVector<Value> foldLineBlocks(
    KernelBuilder &k, const BsrBuffers &bsr, const BsrLines &lines,
    int64_t blockRowCount, Value line, ValueRange init,
    function_ref<SmallVector<Value>(Value, Value, ValueRange)> body) {
  if (lines.lineIsBlockRow) {
    Value begin = k.toIndex(k.load(bsr.positions, line));
    Value end = k.toIndex(k.load(bsr.positions, k.add(line, k.index(1))));
    return k.forAccumulate(begin, end, init, [&](Value p, ValueRange acc) {
      Value kBase =
          k.mul(k.toIndex(k.load(bsr.coordinates, p)), k.index(bsr.blockCols));
      return body(p, kBase, acc);
    });
  }
  SmallVector<Type> types = llvm::to_vector(ValueRange(init).getTypes());
  return k.forAccumulate(
      k.index(0), k.index(blockRowCount), init, [&](Value br, ValueRange acc) {
        Value begin = k.toIndex(k.load(bsr.positions, br));
        Value end = k.toIndex(k.load(bsr.positions, k.add(br, k.index(1))));
        Value slot =
            k.forAccumulate(begin, end, {end}, [&](Value p, ValueRange found) {
              Value hit = k.cmp(arith::CmpIPredicate::eq,
                                k.toIndex(k.load(bsr.coordinates, p)), line);
              return SmallVector<Value>{k.select(hit, p, found[0])};
            })[0];
        return k.ifThenElse(
            k.cmp(arith::CmpIPredicate::ult, slot, end), types,
            [&] { return body(slot, k.mul(br, k.index(bsr.blockRows)), acc); },
            [&] { return SmallVector<Value>(acc); });
      });
}

/// `op(D)[i, j]` of the dense operand (transposed when `td`), zero where
/// `outer` (the index along the dense operand's own output dimension) is
/// not below `extent`.
static Value loadDenseOrZero(KernelBuilder &k, Value dense, bool td, Value i,
                             Value j, Value outer, Value extent, Type type) {
  Value inside = k.cmp(arith::CmpIPredicate::ult, outer, extent);
  return k.ifThenElse(
      inside, {type},
      [&] {
        Value v = td ? k.load(dense, {j, i}) : k.load(dense, {i, j});
        return SmallVector<Value>{k.castFloat(v, type)};
      },
      [&] { return SmallVector<Value>{k.floating(type, 0.0)}; })[0];
}

/// Elements of workgroup memory the panel kernel may use (32 KiB of f32).
static constexpr int64_t kPanelSharedElements = 8192;

/// A product with the BSR operand S as one thread block per output panel:
/// a line of op(S)'s blocks (BsrLines) times `256 / lineSize` rows or
/// columns of the dense operand D, one output element per thread. For each
/// stored block of the line, in order, the block's values and the tile of
/// op(D) it meets (depth x panel) are staged in shared memory, and each
/// thread adds the `depth` products of its output element: the loop nest's
/// summation order (blocks, then depth within a block), no atomics.
/// Returns false (and emits nothing) when the line is wider than a thread
/// block or the block and tile do not fit in kPanelSharedElements.
static bool emitPanelMatmul(KernelBuilder &k, const BsrBuffers &bsr,
                            const BsrLines &lines, int64_t blockRowCount,
                            Value dense, bool td, Value out, Value denseExtent,
                            Type accType) {
  int64_t r = bsr.blockRows, c = bsr.blockCols;
  int64_t lineSize = lines.lineSize, depth = lines.depth;
  if (lineSize > kBlockThreads)
    return false;
  int64_t width = kBlockThreads / lineSize;
  if (r * c + depth * width > kPanelSharedElements)
    return false;
  bool left = lines.sparseLeft;
  Type resultElement = cast<MemRefType>(out.getType()).getElementType();
  Value panels = k.divU(k.add(denseExtent, k.index(width - 1)), k.index(width));
  Value grid = k.mul(k.index(lines.lines), panels);
  SmallVector<Type> shared = {getWorkgroupBufferType({r * c}, accType),
                              getWorkgroupBufferType({depth * width}, accType)};
  emitLaunch(k, grid, kBlockThreads, shared, [&](LaunchIds ids) {
    Value tid = ids.thread, blockValues = ids.shared[0], tile = ids.shared[1];
    Value line = k.divU(ids.block, panels);
    Value denseStart = k.mul(k.remU(ids.block, panels), k.index(width));
    // Consecutive threads own consecutive output columns: the dense
    // operand's (S on the left) or the line's (S on the right).
    Value inLine =
        left ? k.divU(tid, k.index(width)) : k.remU(tid, k.index(lineSize));
    Value inPanel =
        left ? k.remU(tid, k.index(width)) : k.divU(tid, k.index(lineSize));
    Value lineIndex = k.add(k.mul(line, k.index(lineSize)), inLine);
    Value denseIndex = k.add(denseStart, inPanel);
    Value valid =
        k.andI(k.cmp(arith::CmpIPredicate::ult, inLine, k.index(lineSize)),
               k.cmp(arith::CmpIPredicate::ult, denseIndex, denseExtent));
    Value zero = k.floating(accType, 0.0);
    Value sum = foldLineBlocks(
        k, bsr, lines, blockRowCount, line, {zero},
        [&](Value p, Value kBase, ValueRange acc) {
          // Stage the block and the depth x panel tile of op(D) it meets
          // (tile[kk * width + j]).
          k.forEachStep(tid, k.index(r * c), kBlockThreads, [&](Value e) {
            Value v = k.load(bsr.values, k.add(k.mul(p, k.index(r * c)), e));
            k.store(k.castFloat(v, accType), blockValues, e);
          });
          k.forEachStep(
              tid, k.index(depth * width), kBlockThreads, [&](Value e) {
                Value kk = k.add(kBase, k.divU(e, k.index(width)));
                Value j = k.add(denseStart, k.remU(e, k.index(width)));
                k.store(left ? loadDenseOrZero(k, dense, td, kk, j, j,
                                               denseExtent, accType)
                             : loadDenseOrZero(k, dense, td, j, kk, j,
                                               denseExtent, accType),
                        tile, e);
              });
          emitBarrier(k);
          Value next = k.ifThenElse(
              valid, {accType},
              [&] {
                return k.forAccumulate(
                    k.index(0), k.index(depth), {acc[0]},
                    [&](Value kk, ValueRange inner) {
                      Value s = left ? lines.sparseAt(k, bsr, blockValues,
                                                      k.index(0), inLine, kk)
                                     : lines.sparseAt(k, bsr, blockValues,
                                                      k.index(0), kk, inLine);
                      Value d = k.load(
                          tile, k.add(k.mul(kk, k.index(width)), inPanel));
                      return SmallVector<Value>{
                          k.addF(inner[0], left ? k.mulF(s, d) : k.mulF(d, s))};
                    });
              },
              [&] { return SmallVector<Value>{acc[0]}; })[0];
          emitBarrier(k);
          return SmallVector<Value>{next};
        })[0];
    k.ifThen(valid, [&] {
      SmallVector<Value> at = {lineIndex, denseIndex};
      if (!left)
        std::swap(at[0], at[1]);
      k.store(k.castFloat(sum, resultElement), out, at);
    });
  });
  return true;
}

/// The tensor-core tile: `mma.sync.m16n8k16` (f16 or bf16 multiplicands, f32
/// accumulators), in warp tiles of 16 rows (emitTensorCoreMatmul).
static constexpr int64_t kMmaM = 16, kMmaN = 8, kMmaK = 16;

/// Whether the tensor-core kernel computes a product with the BSR operand S
/// of `element` values: f16 or bf16, block sides multiples of 16 (the
/// MMA's rows, columns of two MMAs, and depth).
static bool canUseTensorCores(Type element, const BsrBuffers &bsr) {
  return (element.isF16() || element.isBF16()) && bsr.blockRows % kMmaM == 0 &&
         bsr.blockCols % kMmaK == 0;
}

/// Two consecutive multiplicands as one MMA register: vector<2xf16> for f16,
/// the bf16 pair bitcast to i32 for bf16 (the operand types of
/// nvvm.mma.sync).
static Value packPair(KernelBuilder &k, Value lo, Value hi) {
  Type element = lo.getType();
  Value pair = vector::FromElementsOp::create(
      k.b, VectorType::get({2}, element), ValueRange{lo, hi});
  if (element.isF16())
    return pair;
  return LLVM::BitcastOp::create(k.b, k.b.getI32Type(), pair);
}

/// `Y = op(S) * op(D)` (S on the left) or `Y = op(D) * op(S)` (S on the
/// right) on tensor cores, for a BSR operand S with f16 or bf16 values
/// (canUseTensorCores), D dense, f32 accumulation. The blocks of op(S) come
/// in lines along the output: block rows of op(S) when S is on the left,
/// block columns of op(S) when it is on the right. One warp per output
/// tile: 16 rows x 32 columns (S on the left: 16 rows of one line, 32
/// columns of D) or 16 rows x 16 columns (S on the right: 16 rows of D, 16
/// columns of one line). The warp visits the line's stored blocks in order
/// (walking a block row of S, or finding each block row's block in a block
/// column by scanning its sorted coordinates) and, per 16-deep slice of a
/// block, loads its fragments straight from the block values and from D
/// (the fragment layouts of `mma.sync.m16n8k16.row.col`: lane = 4 * group
/// + t holds rows group and group + 8, depth 2t, 2t+1, 2t+8, 2t+9 of A;
/// depth 2t, 2t+1, 2t+8, 2t+9 of column group of B; rows group, group + 8
/// and columns 2t, 2t+1 of C), then issues one MMA per 8 columns. Each
/// output element is owned by one lane and accumulated in a fixed order:
/// no atomics, deterministic. Rows and columns past D's read zeros and are
/// not stored.
static void emitTensorCoreMatmul(KernelBuilder &k, const BsrBuffers &bsr,
                                 const BsrLines &lines, int64_t blockRowCount,
                                 Value dense, bool td, Value out,
                                 Value denseExtent) {
  int64_t r = bsr.blockRows, c = bsr.blockCols;
  bool sparseLeft = lines.sparseLeft;
  int64_t lineSize = lines.lineSize, depth = lines.depth;
  int64_t tilesN = sparseLeft ? 4 : 2;
  int64_t tileCols = kMmaN * tilesN;
  Type element = cast<MemRefType>(bsr.values.getType()).getElementType();
  Type resultElement = cast<MemRefType>(out.getType()).getElementType();
  Type f32 = k.b.getF32Type();
  Type accStruct = LLVM::LLVMStructType::getLiteral(k.b.getContext(),
                                                    SmallVector<Type>(4, f32));
  int64_t tilesInLine = lineSize / (sparseLeft ? kMmaM : tileCols);
  int64_t denseTileSize = sparseLeft ? tileCols : kMmaM;
  Value denseTiles = k.divU(k.add(denseExtent, k.index(denseTileSize - 1)),
                            k.index(denseTileSize));
  Value tasks = k.mul(k.index(lines.lines * tilesInLine), denseTiles);
  std::optional<std::array<NVVM::MMATypes, 2>> ptxTypes;
  if (element.isBF16())
    ptxTypes = {NVVM::MMATypes::bf16, NVVM::MMATypes::bf16};
  emitWarpLaunch(k, tasks, [&](Value lane, Value task) {
    Value denseTile = k.remU(task, denseTiles);
    Value rest = k.divU(task, denseTiles);
    Value inLine = k.remU(rest, k.index(tilesInLine));
    Value line = k.divU(rest, k.index(tilesInLine));
    Value group = k.divU(lane, k.index(4)), t = k.remU(lane, k.index(4));
    // The tile's first row and column in the output, and its offset within
    // the line of blocks.
    Value lineOffset = k.mul(inLine, k.index(sparseLeft ? kMmaM : tileCols));
    Value lineStart = k.add(k.mul(line, k.index(lineSize)), lineOffset);
    Value denseStart = k.mul(denseTile, k.index(denseTileSize));
    Value row0 = sparseLeft ? lineStart : denseStart;
    Value col0 = sparseLeft ? denseStart : lineStart;
    // op(S)[i, j] of block `p`, local coordinates.
    auto sparseAt = [&](Value p, Value i, Value j) {
      return lines.sparseAt(k, bsr, bsr.values, k.mul(p, k.index(r * c)), i, j);
    };
    // op(D)[i, j], zero where `i` (S on the right: a row) or `j` (S on the
    // left: a column) is past D's extent. The load is clamped rather than
    // branched around: the warp stays converged for the MMAs.
    auto denseAt = [&](Value i, Value j) {
      Value outer = sparseLeft ? j : i;
      Value inside = k.cmp(arith::CmpIPredicate::ult, outer, denseExtent);
      Value safe = k.select(inside, outer, k.index(0));
      Value ii = sparseLeft ? i : safe, jj = sparseLeft ? safe : j;
      Value v = td ? k.load(dense, {jj, ii}) : k.load(dense, {ii, jj});
      return k.select(inside, v, k.floating(element, 0.0));
    };
    SmallVector<Value> init(4 * tilesN, k.floating(f32, 0.0));
    // The MMAs of stored block `p`, whose depth starts at `kBase` of the
    // contraction.
    auto blockProducts = [&](Value p, Value kBase,
                             ValueRange acc) -> SmallVector<Value> {
      return k.forAccumulate(
          k.index(0), k.index(depth / kMmaK), acc,
          [&](Value slice, ValueRange acc) {
            Value k0 = k.mul(slice, k.index(kMmaK));
            // A[i, kk] and B[kk, j] of this slice (i, j within the tile).
            auto a = [&](Value i, Value kk) {
              Value depthIndex = k.add(k0, kk);
              return sparseLeft
                         ? sparseAt(p, k.add(lineOffset, i), depthIndex)
                         : denseAt(k.add(row0, i), k.add(kBase, depthIndex));
            };
            auto b = [&](Value kk, Value j) {
              Value depthIndex = k.add(k0, kk);
              return sparseLeft
                         ? denseAt(k.add(kBase, depthIndex), k.add(col0, j))
                         : sparseAt(p, depthIndex, k.add(lineOffset, j));
            };
            Value twoT = k.mul(t, k.index(2));
            SmallVector<Value> aRegs;
            for (int64_t reg = 0; reg < 4; ++reg) {
              Value i = k.add(group, k.index(8 * (reg & 1)));
              Value kk = k.add(twoT, k.index(8 * (reg >> 1)));
              aRegs.push_back(
                  packPair(k, a(i, kk), a(i, k.add(kk, k.index(1)))));
            }
            SmallVector<Value> next;
            for (int64_t tile = 0; tile < tilesN; ++tile) {
              Value j = k.add(k.index(tile * kMmaN), group);
              SmallVector<Value> bRegs;
              for (int64_t reg = 0; reg < 2; ++reg) {
                Value kk = k.add(twoT, k.index(8 * reg));
                bRegs.push_back(
                    packPair(k, b(kk, j), b(k.add(kk, k.index(1)), j)));
              }
              auto mma = NVVM::MmaOp::create(
                  k.b, accStruct, aRegs, bRegs, acc.slice(4 * tile, 4),
                  ArrayRef<int64_t>{kMmaM, kMmaN, kMmaK}, std::nullopt,
                  std::nullopt, ptxTypes,
                  std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                                 NVVM::MMALayout::col});
              for (int64_t e = 0; e < 4; ++e)
                next.push_back(
                    LLVM::ExtractValueOp::create(k.b, mma, e).getResult());
            }
            return next;
          });
    };
    SmallVector<Value> sums =
        foldLineBlocks(k, bsr, lines, blockRowCount, line, init, blockProducts);
    for (int64_t tile = 0; tile < tilesN; ++tile)
      for (int64_t e = 0; e < 4; ++e) {
        Value row = k.add(row0, k.add(group, k.index(8 * (e >> 1))));
        Value col =
            k.add(col0, k.add(k.index(tile * kMmaN),
                              k.add(k.mul(t, k.index(2)), k.index(e & 1))));
        Value inside = k.cmp(arith::CmpIPredicate::ult, sparseLeft ? col : row,
                             denseExtent);
        k.ifThen(inside, [&] {
          k.store(k.castFloat(sums[4 * tile + e], resultElement), out,
                  {row, col});
        });
      }
  });
}

struct BsrMatmulToGPU : public OpConversionPattern<BsrMatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BsrMatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    KernelBuilder k(rewriter, op.getLoc());
    bool lhsSparse = op.isLhsSparse();
    Value sparse = lhsSparse ? adaptor.getLhs() : adaptor.getRhs();
    Value denseTensor = lhsSparse ? adaptor.getRhs() : adaptor.getLhs();
    auto sparseType = cast<RankedTensorType>(sparse.getType());
    RankedTensorType resultType = op.getType();
    Type resultElement = resultType.getElementType();
    Type accType = getAccumulatorType(sparseType.getElementType());
    bool ta = op.getTransposeA(), tb = op.getTransposeB();
    BsrBuffers bsr = getBsrBuffers(k, sparse);
    Value dense = k.bufferOf(denseTensor);
    int64_t blockRowCount = sparseType.getDimSize(0) / bsr.blockRows;

    Value m = k.dim(dense, ta ? 1 : 0), n = k.dim(dense, tb ? 0 : 1);
    Value sizes[2] = {
        lhsSparse ? k.index(sparseType.getDimSize(ta ? 1 : 0)) : m,
        lhsSparse ? n : k.index(sparseType.getDimSize(tb ? 0 : 1))};
    Value out = k.allocShaped(resultType.getShape(), resultElement, sizes);
    int64_t blockColCount = sparseType.getDimSize(1) / bsr.blockCols;
    BsrLines lines(bsr, blockRowCount, blockColCount, lhsSparse, ta, tb);
    // The dense operand's output extent (columns with S on the left, rows
    // with S on the right) and whether it is transposed.
    Value denseExtent = lhsSparse ? sizes[1] : sizes[0];
    bool td = lhsSparse ? tb : ta;
    if (canUseTensorCores(sparseType.getElementType(), bsr)) {
      emitTensorCoreMatmul(k, bsr, lines, blockRowCount, dense, td, out,
                           denseExtent);
      rewriter.replaceOp(op, k.tensorOf(out));
      return success();
    }
    if (emitPanelMatmul(k, bsr, lines, blockRowCount, dense, td, out,
                        denseExtent, accType)) {
      rewriter.replaceOp(op, k.tensorOf(out));
      return success();
    }
    forEachParallelND(k, {sizes[0], sizes[1]}, [&](ValueRange ivs) {
      Value row = ivs[0], col = ivs[1];
      Value init = k.floating(accType, 0.0);
      Value sum;
      if (lhsSparse) {
        // out[row, col] = sum_kk op(S)[row, kk] * op(B)[kk, col]: line `row`
        // of op(S), a row of S unless transposed.
        sum =
            emitLineSum(k, bsr, blockRowCount, row, /*isRow=*/!ta, init,
                        [&](Value kk, Value a, Value acc) {
                          Value bv = tb ? k.load(dense, {col, kk})
                                        : k.load(dense, {kk, col});
                          return k.addF(acc, k.mulF(k.castFloat(a, accType),
                                                    k.castFloat(bv, accType)));
                        });
      } else {
        // out[row, col] = sum_kk op(A)[row, kk] * op(S)[kk, col]: line `col`
        // of op(S), a column of S unless transposed.
        sum = emitLineSum(k, bsr, blockRowCount, col, /*isRow=*/tb, init,
                          [&](Value kk, Value s, Value acc) {
                            Value av = ta ? k.load(dense, {kk, row})
                                          : k.load(dense, {row, kk});
                            return k.addF(acc, k.mulF(k.castFloat(av, accType),
                                                      k.castFloat(s, accType)));
                          });
      }
      k.store(k.castFloat(sum, resultElement), out, {row, col});
    });
    rewriter.replaceOp(op, k.tensorOf(out));
    return success();
  }
};

} // namespace

void mlir::sparse_train::populateBlockSparseToGPUPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<BlockPruneToGPU, BsrMatmulToGPU>(converter,
                                                patterns.getContext());
}
