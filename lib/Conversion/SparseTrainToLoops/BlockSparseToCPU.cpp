//===- BlockSparseToCPU.cpp - vectorized bsr_matmul kernels ---------------===//
//
// A register-blocked FMA micro-kernel for bsr_matmul with a BSR left
// operand (the forward product Y = X̂ · W): for each block row and each chunk
// of 2 x VL output columns, a tile of up to 8 rows x 2 vectors of
// accumulators stays in registers while every stored block of the row is
// applied, then is stored once (masked at the right edge). Other forms fall
// through to the reference patterns.
//
//===----------------------------------------------------------------------===//

#include "BsrBuffers.h"
#include "KernelBuilder.h"
#include "SparseTrain/Conversion/SparseTrainToLoops.h"
#include "SparseTrain/IR/SparseTrainOps.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace {

/// Rows of accumulators kept in registers: the largest divisor of the block
/// height that is at most 8 (8 accumulators, one loaded row of W and the
/// broadcasts fit in the 16 or 32 vector registers of x86).
static int64_t getRowTile(int64_t blockRows) {
  for (int64_t t = 8; t > 1; --t)
    if (blockRows % t == 0)
      return t;
  return 1;
}

struct BsrMatmulForwardVectorLowering
    : public OpConversionPattern<BsrMatmulOp> {
  BsrMatmulForwardVectorLowering(const TypeConverter &converter,
                                 MLIRContext *context, unsigned vectorBits)
      : OpConversionPattern(converter, context, /*benefit=*/2),
        vectorBits(vectorBits) {}

  LogicalResult
  matchAndRewrite(BsrMatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    auto sparseType = cast<RankedTensorType>(op.getLhs().getType());
    if (!op.isLhsSparse() || op.getTransposeA() || op.getTransposeB() ||
        !sparseType.getElementType().isF32() ||
        !resultType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "no vector kernel for this form");
    KernelBuilder k(rewriter, op.getLoc());
    Type f32 = k.b.getF32Type();
    BsrBuffers bsr = getBsrBuffers(k, adaptor.getLhs());
    Value positions = bsr.positions, coordinates = bsr.coordinates,
          values = bsr.values;
    int64_t r = bsr.blockRows, c = bsr.blockCols;
    int64_t rowTile = getRowTile(r);
    int64_t lanes = vectorBits / 32;
    Value w = k.bufferOf(adaptor.getRhs());
    Value n = k.dim(w, 1);
    Value sizes[2] = {k.index(sparseType.getDimSize(0)), n};
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < 2; ++d)
      if (resultType.isDynamicDim(d))
        dynamicSizes.push_back(sizes[d]);
    // Every element of the result is stored by the kernel: no zero fill.
    Value out = k.alloc(resultType.getShape(), f32, dynamicSizes);

    auto vectorType = VectorType::get({lanes}, f32);
    auto maskType = VectorType::get({lanes}, k.b.getI1Type());
    Value zeroVector = arith::ConstantOp::create(
        k.b, vectorType, DenseElementsAttr::get(vectorType, 0.0f));
    // Each tile covers rowTile rows and kVectors vectors of columns, so one
    // broadcast of a block element feeds kVectors FMAs and one loaded row of
    // W feeds rowTile FMAs.
    constexpr int64_t kVectors = 2;
    int64_t chunk = kVectors * lanes;
    int64_t blockRows = sparseType.getDimSize(0) / r;
    k.forEach(k.index(0), k.index(blockRows), [&](Value br) {
      Value begin = k.toIndex(k.load(positions, br));
      Value end = k.toIndex(k.load(positions, k.add(br, k.index(1))));
      auto columns = scf::ForOp::create(k.b, k.index(0), n, k.index(chunk));
      OpBuilder::InsertionGuard guard(k.b);
      k.b.setInsertionPoint(columns.getBody()->getTerminator());
      Value j0 = columns.getInductionVar();
      SmallVector<Value, kVectors> cols, masks;
      for (int64_t v = 0; v < kVectors; ++v) {
        cols.push_back(k.add(j0, k.index(v * lanes)));
        masks.push_back(vector::CreateMaskOp::create(
            k.b, maskType, ValueRange{k.sub(n, cols.back())}));
      }
      k.forEach(k.index(0), k.index(r / rowTile), [&](Value tile) {
        Value row0 = k.mul(tile, k.index(rowTile));
        SmallVector<Value> init(rowTile * kVectors, zeroVector);
        SmallVector<Value> acc = k.forAccumulate(
            begin, end, init, [&](Value p, ValueRange blockAcc) {
              Value bc = k.toIndex(k.load(coordinates, p));
              // Element (row0, 0) of stored block p; rows are c apart.
              Value blockBase =
                  k.mul(k.add(k.mul(p, k.index(r)), row0), k.index(c));
              Value wBase = k.mul(bc, k.index(c));
              return k.forAccumulate(
                  k.index(0), k.index(c), blockAcc,
                  [&](Value cc, ValueRange colAcc) {
                    Value wRow = k.add(wBase, cc);
                    SmallVector<Value, kVectors> wv;
                    for (int64_t v = 0; v < kVectors; ++v)
                      wv.push_back(vector::MaskedLoadOp::create(
                          k.b, vectorType, w, ValueRange{wRow, cols[v]},
                          masks[v], zeroVector, IntegerAttr()));
                    Value at0 = k.add(blockBase, cc);
                    SmallVector<Value> next;
                    for (int64_t t = 0; t < rowTile; ++t) {
                      Value a = vector::BroadcastOp::create(
                          k.b, vectorType,
                          k.load(values, k.add(at0, k.index(t * c))));
                      for (int64_t v = 0; v < kVectors; ++v)
                        next.push_back(vector::FMAOp::create(
                            k.b, a, wv[v], colAcc[t * kVectors + v]));
                    }
                    return next;
                  });
            });
        for (int64_t t = 0; t < rowTile; ++t) {
          Value row = k.add(k.mul(br, k.index(r)), k.add(row0, k.index(t)));
          for (int64_t v = 0; v < kVectors; ++v)
            vector::MaskedStoreOp::create(k.b, out, ValueRange{row, cols[v]},
                                          masks[v], acc[t * kVectors + v],
                                          IntegerAttr());
        }
      });
    });
    rewriter.replaceOp(op, k.tensorOf(out));
    return success();
  }

  unsigned vectorBits;
};

} // namespace

void mlir::sparse_train::populateBlockSparseToCPUPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns,
    const CPULoweringOptions &options) {
  patterns.add<BsrMatmulForwardVectorLowering>(converter, patterns.getContext(),
                                               options.vectorBits);
}
