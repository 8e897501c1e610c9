//===- BlockSparseToGPU.cpp - GPU lowering of bsr_matmul ------------------===//
//
// bsr_matmul as one parallel iteration per output element: each iteration
// owns its element and sums, in a fixed order, the products of the stored
// elements of one line of the BSR operand S (a row of S, walked through its
// block row, or a column of S, found by scanning every block row for the
// blocks of its block column) with the matching entries of the dense
// operand. No atomics, so the result is deterministic; pruned blocks are
// never read, so they add nothing even against Inf/NaN.
//
//===----------------------------------------------------------------------===//

#include "../SparseTrainToLoops/BsrBuffers.h"
#include "GPUKernelBuilder.h"
#include "SparseTrain/Conversion/SparseTrainToGPU.h"
#include "SparseTrain/IR/SparseTrainOps.h"

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
        return k.forAccumulate(begin, end, {acc[0]}, [&](Value p,
                                                         ValueRange inner) {
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
    forEachParallelND(k, {sizes[0], sizes[1]}, [&](ValueRange ivs) {
      Value row = ivs[0], col = ivs[1];
      Value init = k.floating(accType, 0.0);
      Value sum;
      if (lhsSparse) {
        // out[row, col] = sum_kk op(S)[row, kk] * op(B)[kk, col]: line `row`
        // of op(S), a row of S unless transposed.
        sum = emitLineSum(k, bsr, blockRowCount, row, /*isRow=*/!ta, init,
                          [&](Value kk, Value a, Value acc) {
                            Value bv = tb ? k.load(dense, {col, kk})
                                          : k.load(dense, {kk, col});
                            return k.addF(acc,
                                          k.mulF(k.castFloat(a, accType),
                                                 k.castFloat(bv, accType)));
                          });
      } else {
        // out[row, col] = sum_kk op(A)[row, kk] * op(S)[kk, col]: line `col`
        // of op(S), a column of S unless transposed.
        sum = emitLineSum(k, bsr, blockRowCount, col, /*isRow=*/tb, init,
                          [&](Value kk, Value s, Value acc) {
                            Value av = ta ? k.load(dense, {kk, row})
                                          : k.load(dense, {row, kk});
                            return k.addF(acc,
                                          k.mulF(k.castFloat(av, accType),
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
  patterns.add<BsrMatmulToGPU>(converter, patterns.getContext());
}
