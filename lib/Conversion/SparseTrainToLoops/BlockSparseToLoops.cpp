//===- BlockSparseToLoops.cpp - reference lowering of the BSR ops ---------===//
//
// block_prune: block scores in f32, exact selection, compaction into the
// three BSR buffers, sparse_tensor.assemble. bsr_matmul: loops over the
// stored blocks of the BSR operand read through sparse_tensor.positions,
// coordinates and values.
//
//===----------------------------------------------------------------------===//

#include "BsrBuffers.h"
#include "KernelBuilder.h"
#include "Selection.h"
#include "SparseTrain/Conversion/SparseTrainToLoops.h"
#include "SparseTrain/IR/SparseTrainOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sparse_train;

namespace {

/// `v` as a buffer entry of `type` (integer or index).
static Value fromIndex(KernelBuilder &k, Type type, Value v) {
  if (type.isIndex())
    return v;
  return k.indexCast(type, v);
}

/// block_prune. With `vectorBits` set (the CPU lowering) and an f32 input,
/// each block's score accumulates in a vector of lanes over its rows, then
/// reduces once: a different summation order than the reference's
/// row-major scalar sum (docs/Semantics.md), the same selection and
/// compaction; the scores and the compaction run in parallel over block
/// rows (each row's blocks from its own position), the selection on one
/// thread.
struct BlockPruneLowering : public OpConversionPattern<BlockPruneOp> {
  BlockPruneLowering(const TypeConverter &converter, MLIRContext *context,
                     unsigned vectorBits = 0, PatternBenefit benefit = 1)
      : OpConversionPattern(converter, context, benefit),
        vectorBits(vectorBits) {}

  LogicalResult
  matchAndRewrite(BlockPruneOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    KernelBuilder k(rewriter, op.getLoc());
    RankedTensorType inputType = op.getInput().getType();
    RankedTensorType resultType = op.getType();
    bool vectorScores = vectorBits != 0;
    if (vectorScores && !inputType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "vector scores need f32");
    auto encoding = sparse_tensor::getSparseTensorEncoding(resultType);
    int64_t r = op.getBlock()[0], c = op.getBlock()[1];
    int64_t blockRows = inputType.getDimSize(0) / r;
    int64_t blockCols = inputType.getDimSize(1) / c;
    int64_t numBlocks = blockRows * blockCols;
    Type f32 = k.b.getF32Type(), f64 = k.b.getF64Type(), i32 = k.b.getI32Type(),
         i8 = k.b.getI8Type();
    Value x = k.bufferOf(adaptor.getInput());

    // Scores (f32) and their ordering keys (i32), one per block, row-major.
    Value scores = k.alloc({numBlocks}, f32);
    Value keys = k.alloc({numBlocks}, i32);
    Value keep = k.alloc({numBlocks}, i8);
    BlockScore scoreKind = op.getScore();
    auto storeScore = [&](Value br, Value bc, Value acc) {
      if (scoreKind == BlockScore::L2)
        acc = math::SqrtOp::create(k.b, acc);
      Value b = k.add(k.mul(br, k.index(blockCols)), bc);
      k.store(acc, scores, b);
      k.store(emitMagnitudeKey(k, acc, i32), keys, b);
      k.store(k.integer(i8, 0), keep, b);
    };
    if (vectorScores) {
      emitVectorScores(k, scoreKind, x, r, c, blockRows, blockCols, storeScore);
    } else {
      k.forEach(k.index(0), k.index(blockRows), [&](Value br) {
        k.forEach(k.index(0), k.index(blockCols), [&](Value bc) {
          storeScore(br, bc,
                     emitBlockScore(k, scoreKind, x, k.mul(br, k.index(r)),
                                    k.mul(bc, k.index(c)), r, c));
        });
      });
    }

    // Selection.
    auto keepCount = [](double ratio, int64_t n) {
      return static_cast<int64_t>(
          std::floor(ratio * static_cast<double>(n) + 0.5));
    };
    switch (op.getSelect()) {
    case BlockSelect::GlobalTopK:
      emitTopKSelection(
          k, keys, keep, k.index(0), k.index(numBlocks),
          k.index(keepCount(op.getKeepRatio()->convertToDouble(), numBlocks)));
      break;
    case BlockSelect::RowTopK: {
      int64_t perRow =
          op.getKeepPerRow()
              ? static_cast<int64_t>(*op.getKeepPerRow())
              : keepCount(op.getKeepRatio()->convertToDouble(), blockCols);
      k.forEach(k.index(0), k.index(blockRows), [&](Value br) {
        emitTopKSelection(k, keys, keep, k.mul(br, k.index(blockCols)),
                          k.index(blockCols), k.index(perRow));
      });
      break;
    }
    case BlockSelect::Threshold: {
      Value threshold = k.floating(f64, op.getThreshold()->convertToDouble());
      k.forEach(k.index(0), k.index(numBlocks), [&](Value b) {
        Value score = k.castFloat(k.load(scores, b), f64);
        // Strictly above the threshold, or NaN (unordered compare).
        Value take = arith::CmpFOp::create(k.b, arith::CmpFPredicate::UGT,
                                           score, threshold);
        k.store(arith::ExtUIOp::create(k.b, i8, take), keep, b);
      });
      break;
    }
    }

    // positions[br + 1] = positions[br] + kept blocks of block row br.
    Type posType = getBsrIndexType(k.b.getContext(), encoding.getPosWidth());
    Type crdType = getBsrIndexType(k.b.getContext(), encoding.getCrdWidth());
    Value positions = k.alloc({blockRows + 1}, posType);
    k.store(fromIndex(k, posType, k.index(0)), positions, k.index(0));
    Value nnz = k.forAccumulate(
        k.index(0), k.index(blockRows), {k.index(0)},
        [&](Value br, ValueRange total) {
          Value rowCount = k.forAccumulate(
              k.index(0), k.index(blockCols), {k.index(0)},
              [&](Value bc, ValueRange count) {
                Value b = k.add(k.mul(br, k.index(blockCols)), bc);
                Value kept = arith::ExtUIOp::create(k.b, k.b.getI64Type(),
                                                    k.load(keep, b));
                return SmallVector<Value>{
                    k.add(count[0], k.indexCast(k.b.getIndexType(), kept))};
              })[0];
          Value next = k.add(total[0], rowCount);
          k.store(fromIndex(k, posType, next), positions,
                  k.add(br, k.index(1)));
          return SmallVector<Value>{next};
        })[0];

    // Coordinates and values of the kept blocks, columns ascending; with
    // the CPU kernel in parallel over block rows, each from its position.
    Value coordinates = k.alloc({ShapedType::kDynamic}, crdType, nnz);
    Value values = k.alloc({ShapedType::kDynamic}, inputType.getElementType(),
                           k.mul(nnz, k.index(r * c)));
    auto copyRow = [&](Value br) {
      k.forAccumulate(
          k.index(0), k.index(blockCols), {k.toIndex(k.load(positions, br))},
          [&](Value bc, ValueRange slot) {
            Value b = k.add(k.mul(br, k.index(blockCols)), bc);
            Value take = k.cmp(arith::CmpIPredicate::ne, k.load(keep, b),
                               k.integer(i8, 0));
            k.ifThen(take, [&] {
              k.store(fromIndex(k, crdType, bc), coordinates, slot[0]);
              Value base = k.mul(slot[0], k.index(r * c));
              k.forEach(k.index(0), k.index(r), [&](Value rr) {
                Value row = k.add(k.mul(br, k.index(r)), rr);
                Value rowBase = k.add(base, k.mul(rr, k.index(c)));
                k.forEach(k.index(0), k.index(c), [&](Value cc) {
                  Value col = k.add(k.mul(bc, k.index(c)), cc);
                  k.store(k.load(x, {row, col}), values, k.add(rowBase, cc));
                });
              });
            });
            return SmallVector<Value>{
                k.select(take, k.add(slot[0], k.index(1)), slot[0])};
          });
    };
    if (vectorScores)
      k.forEachParallel(k.index(0), k.index(blockRows), copyRow);
    else
      k.forEach(k.index(0), k.index(blockRows), copyRow);

    Value result = sparse_tensor::AssembleOp::create(
        k.b, resultType,
        ValueRange{k.tensorOf(positions), k.tensorOf(coordinates)},
        k.tensorOf(values));
    rewriter.replaceOp(op, result);
    return success();
  }

  /// The f32 scores of the r x c blocks of `x`, passed to `store(br, bc,
  /// score)`: each block accumulates in a vector of lanes over its rows
  /// (masked in the last vector of each of its rows when c is not a multiple of
  /// the lanes), reduced once. The rows of a block row are read whole, one
  /// after the other, with the blocks' accumulators in a small buffer: a
  /// block-by-block walk reads r short segments of rows at a time, which the
  /// prefetchers follow badly (measured on 2048 x 1024, 32 x 32 blocks, from
  /// memory: 0.47 ms block by block, 0.30 ms row by row). The summation
  /// order of each block is the same either way.
  void
  emitVectorScores(KernelBuilder &k, BlockScore kind, Value x, int64_t r,
                   int64_t c, int64_t blockRows, int64_t blockCols,
                   llvm::function_ref<void(Value, Value, Value)> store) const {
    int64_t lanes = std::min<int64_t>(vectorBits / 32, llvm::PowerOf2Ceil(c));
    auto vectorType = VectorType::get({lanes}, k.b.getF32Type());
    auto maskType = VectorType::get({lanes}, k.b.getI1Type());
    Value zeros = arith::ConstantOp::create(
        k.b, vectorType, DenseElementsAttr::get(vectorType, 0.0f));
    Value acc = k.alloc({blockRows * blockCols * lanes}, k.b.getF32Type());
    k.forEachParallel(k.index(0), k.index(blockRows), [&](Value br) {
      auto at = [&](Value bc) {
        return k.mul(k.add(k.mul(br, k.index(blockCols)), bc), k.index(lanes));
      };
      k.forEach(k.index(0), k.index(blockCols), [&](Value bc) {
        vector::StoreOp::create(k.b, zeros, acc, ValueRange{at(bc)});
      });
      k.forEach(k.index(0), k.index(r), [&](Value rr) {
        Value row = k.add(k.mul(br, k.index(r)), rr);
        k.forEach(k.index(0), k.index(blockCols), [&](Value bc) {
          Value sum =
              vector::LoadOp::create(k.b, vectorType, acc, ValueRange{at(bc)});
          for (int64_t c0 = 0; c0 < c; c0 += lanes) {
            Value col = k.add(k.mul(bc, k.index(c)), k.index(c0));
            Value v;
            if (c0 + lanes <= c) {
              v = vector::LoadOp::create(k.b, vectorType, x,
                                         ValueRange{row, col});
            } else {
              Value mask = vector::CreateMaskOp::create(
                  k.b, maskType, ValueRange{k.index(c - c0)});
              v = vector::MaskedLoadOp::create(k.b, vectorType, x,
                                               ValueRange{row, col}, mask,
                                               zeros, IntegerAttr());
            }
            sum = accumulateBlockScore(k, kind, sum, v);
          }
          vector::StoreOp::create(k.b, sum, acc, ValueRange{at(bc)});
        });
      });
      auto combine = kind == BlockScore::MaxAbs
                         ? vector::CombiningKind::MAXIMUMF
                         : vector::CombiningKind::ADD;
      k.forEach(k.index(0), k.index(blockCols), [&](Value bc) {
        Value sum =
            vector::LoadOp::create(k.b, vectorType, acc, ValueRange{at(bc)});
        store(br, bc,
              vector::ReductionOp::create(k.b, combine, sum,
                                          arith::FastMathFlags::reassoc));
      });
    });
  }

  unsigned vectorBits;
};

struct BsrMatmulLowering : public OpConversionPattern<BsrMatmulOp> {
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
    Type accType = getAccumulatorType(sparseType.getElementType());
    bool ta = op.getTransposeA(), tb = op.getTransposeB();
    BsrBuffers bsr = getBsrBuffers(k, sparse);
    Value positions = bsr.positions, coordinates = bsr.coordinates,
          values = bsr.values;
    int64_t r = bsr.blockRows, c = bsr.blockCols;
    Value dense = k.bufferOf(denseTensor);

    // The result, accumulated in the accumulator type.
    Value m = k.dim(dense, ta ? 1 : 0), n = k.dim(dense, tb ? 0 : 1);
    Value sizes[2] = {
        lhsSparse ? k.index(sparseType.getDimSize(ta ? 1 : 0)) : m,
        lhsSparse ? n : k.index(sparseType.getDimSize(tb ? 0 : 1))};
    Value out = k.allocZeros(resultType, accType, sizes);

    int64_t blockRows = sparseType.getDimSize(0) / r;
    k.forEach(k.index(0), k.index(blockRows), [&](Value br) {
      Value begin = k.toIndex(k.load(positions, br));
      Value end = k.toIndex(k.load(positions, k.add(br, k.index(1))));
      k.forEach(begin, end, [&](Value p) {
        Value bc = k.toIndex(k.load(coordinates, p));
        k.forEach(k.index(0), k.index(r * c), [&](Value e) {
          // Stored element (i, j) of the BSR operand.
          Value i = k.add(k.mul(br, k.index(r)), k.divU(e, k.index(c)));
          Value j = k.add(k.mul(bc, k.index(c)), k.remU(e, k.index(c)));
          Value a = k.castFloat(
              k.load(values, k.add(k.mul(p, k.index(r * c)), e)), accType);
          if (lhsSparse) {
            // op(A)[row, kk] = a; out[row, :] += a * op(B)[kk, :].
            Value row = ta ? j : i, kk = ta ? i : j;
            k.forEach(k.index(0), n, [&](Value col) {
              Value bv =
                  tb ? k.load(dense, {col, kk}) : k.load(dense, {kk, col});
              Value sum = k.addF(k.load(out, {row, col}),
                                 k.mulF(a, k.castFloat(bv, accType)));
              k.store(sum, out, {row, col});
            });
          } else {
            // op(B)[kk, col] = a; out[:, col] += op(A)[:, kk] * a.
            Value kk = tb ? j : i, col = tb ? i : j;
            k.forEach(k.index(0), m, [&](Value row) {
              Value av =
                  ta ? k.load(dense, {kk, row}) : k.load(dense, {row, kk});
              Value sum = k.addF(k.load(out, {row, col}),
                                 k.mulF(k.castFloat(av, accType), a));
              k.store(sum, out, {row, col});
            });
          }
        });
      });
    });

    rewriter.replaceOp(op, k.resultTensor(out, resultType));
    return success();
  }
};

} // namespace

void mlir::sparse_train::populateBlockSparseToLoopsPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<BlockPruneLowering, BsrMatmulLowering>(converter,
                                                      patterns.getContext());
}

void mlir::sparse_train::populateBlockPruneToCPUPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns,
    const CPULoweringOptions &options) {
  patterns.add<BlockPruneLowering>(converter, patterns.getContext(),
                                   options.vectorBits, /*benefit=*/2);
}
