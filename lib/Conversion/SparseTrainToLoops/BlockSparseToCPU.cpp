//===- BlockSparseToCPU.cpp - vectorized bsr_matmul kernels ---------------===//
//
// A register-blocked FMA micro-kernel for bsr_matmul with a BSR left
// operand (the forward product Y = X̂ · W): for each block row and each chunk
// of VL output columns, up to 8 rows of vector accumulators stay in
// registers while every stored block of the row is applied, then are stored
// once. Other forms fall through to the reference patterns.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "SparseTrain/Conversion/SparseTrainToLoops.h"
#include "SparseTrain/IR/SparseTrainOps.h"

#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
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
    auto encoding = sparse_tensor::getSparseTensorEncoding(sparseType);
    SmallVector<unsigned> block =
        sparse_tensor::getBlockSize(encoding.getDimToLvl());
    int64_t r = block[0], c = block[1];
    int64_t rowTile = getRowTile(r);
    int64_t lanes = vectorBits / 32;

    KernelBuilder k(rewriter, op.getLoc());
    Type f32 = k.b.getF32Type();
    MLIRContext *context = k.b.getContext();
    auto bufferType = [&](unsigned width) -> Type {
      return width == 0 ? Type(IndexType::get(context))
                        : Type(IntegerType::get(context, width));
    };
    Value positions = sparse_tensor::ToPositionsOp::create(
        k.b, MemRefType::get({ShapedType::kDynamic},
                             bufferType(encoding.getPosWidth())),
        adaptor.getLhs(), k.b.getIndexAttr(1));
    Value coordinates = sparse_tensor::ToCoordinatesOp::create(
        k.b, MemRefType::get({ShapedType::kDynamic},
                             bufferType(encoding.getCrdWidth())),
        adaptor.getLhs(), k.b.getIndexAttr(1));
    Value values = sparse_tensor::ToValuesOp::create(
        k.b, MemRefType::get({ShapedType::kDynamic}, f32), adaptor.getLhs());
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
    int64_t blockRows = sparseType.getDimSize(0) / r;
    k.forEach(k.index(0), k.index(blockRows), [&](Value br) {
      Value begin = k.toIndex(k.load(positions, br));
      Value end = k.toIndex(k.load(positions, k.add(br, k.index(1))));
      auto columns = scf::ForOp::create(k.b, k.index(0), n, k.index(lanes));
      OpBuilder::InsertionGuard guard(k.b);
      k.b.setInsertionPoint(columns.getBody()->getTerminator());
      Value j = columns.getInductionVar();
      Value mask = vector::CreateMaskOp::create(k.b, maskType,
                                                ValueRange{k.sub(n, j)});
      k.forEach(k.index(0), k.index(r / rowTile), [&](Value tile) {
        Value row0 = k.mul(tile, k.index(rowTile));
        SmallVector<Value> init(rowTile, zeroVector);
        SmallVector<Value> acc = k.forAccumulate(
            begin, end, init, [&](Value p, ValueRange blockAcc) {
              Value bc = k.toIndex(k.load(coordinates, p));
              return k.forAccumulate(
                  k.index(0), k.index(c), blockAcc,
                  [&](Value cc, ValueRange colAcc) {
                    Value wRow = k.add(k.mul(bc, k.index(c)), cc);
                    Value wv = vector::MaskedLoadOp::create(
                        k.b, vectorType, w, ValueRange{wRow, j}, mask,
                        zeroVector, IntegerAttr());
                    SmallVector<Value> next;
                    for (int64_t t = 0; t < rowTile; ++t) {
                      // Block element (row0 + t, cc) of stored block p.
                      Value at = k.add(
                          k.mul(k.add(k.mul(p, k.index(r)),
                                      k.add(row0, k.index(t))),
                                k.index(c)),
                          cc);
                      Value a = vector::BroadcastOp::create(
                          k.b, vectorType, k.load(values, at));
                      next.push_back(
                          vector::FMAOp::create(k.b, a, wv, colAcc[t]));
                    }
                    return next;
                  });
            });
        for (int64_t t = 0; t < rowTile; ++t) {
          Value row = k.add(k.mul(br, k.index(r)), k.add(row0, k.index(t)));
          vector::MaskedStoreOp::create(k.b, out, ValueRange{row, j}, mask,
                                        acc[t], IntegerAttr());
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
  patterns.add<BsrMatmulForwardVectorLowering>(
      converter, patterns.getContext(), options.vectorBits);
}
