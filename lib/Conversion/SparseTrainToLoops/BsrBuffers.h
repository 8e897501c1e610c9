//===- BsrBuffers.h - the buffers of a BSR tensor -----------------*- C++
//-*-===//
//
// Access to the three buffers of the upstream BSR encoding, and the block
// scores of block_prune, shared by the reference, vector and GPU lowerings
// of the block-sparse ops.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_LIB_CONVERSION_BSRBUFFERS_H
#define SPARSETRAIN_LIB_CONVERSION_BSRBUFFERS_H

#include "KernelBuilder.h"
#include "SparseTrain/IR/SparseTrainOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"

namespace mlir {
namespace sparse_train {

/// The integer type of BSR position or coordinate buffers of `width` bits
/// (0 meaning index).
inline Type getBsrIndexType(MLIRContext *context, unsigned width) {
  if (width == 0)
    return IndexType::get(context);
  return IntegerType::get(context, width);
}

/// The f32 block_prune score accumulation of one element `v` into `acc`
/// (scalars or vectors): the sum of magnitudes, of squares, or the largest
/// magnitude.
inline Value accumulateBlockScore(KernelBuilder &k, BlockScore kind, Value acc,
                                  Value v) {
  switch (kind) {
  case BlockScore::L1:
    return k.addF(acc, math::AbsFOp::create(k.b, v));
  case BlockScore::L2:
    return k.addF(acc, k.mulF(v, v));
  case BlockScore::MaxAbs:
    return arith::MaximumFOp::create(k.b, acc, math::AbsFOp::create(k.b, v));
  }
  llvm_unreachable("unknown block score");
}

/// The f32 score of the r x c block of the 2-D buffer `x` whose first
/// element is (row0, col0), its elements taken in row-major order (the
/// reference order, one element at a time).
inline Value emitBlockScore(KernelBuilder &k, BlockScore kind, Value x,
                            Value row0, Value col0, int64_t r, int64_t c) {
  Type f32 = k.b.getF32Type();
  return k.forAccumulate(k.index(0), k.index(r * c), {k.floating(f32, 0.0)},
                         [&](Value e, ValueRange sum) {
                           Value row = k.add(row0, k.divU(e, k.index(c)));
                           Value col = k.add(col0, k.remU(e, k.index(c)));
                           Value v = k.castFloat(k.load(x, {row, col}), f32);
                           return SmallVector<Value>{
                               accumulateBlockScore(k, kind, sum[0], v)};
                         })[0];
}

/// The level-1 buffers of a BSR tensor (one position per block row plus one,
/// one coordinate per stored block, R x C values per stored block) and its
/// block size.
struct BsrBuffers {
  Value positions, coordinates, values;
  int64_t blockRows, blockCols;
};

/// Reads the buffers of the BSR tensor `tensor` through sparse_tensor ops.
inline BsrBuffers getBsrBuffers(KernelBuilder &k, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto encoding = sparse_tensor::getSparseTensorEncoding(type);
  SmallVector<unsigned> block =
      sparse_tensor::getBlockSize(encoding.getDimToLvl());
  MLIRContext *context = k.b.getContext();
  auto buffer = [](Type element) {
    return MemRefType::get({ShapedType::kDynamic}, element);
  };
  BsrBuffers buffers;
  buffers.positions = sparse_tensor::ToPositionsOp::create(
      k.b, buffer(getBsrIndexType(context, encoding.getPosWidth())), tensor,
      k.b.getIndexAttr(1));
  buffers.coordinates = sparse_tensor::ToCoordinatesOp::create(
      k.b, buffer(getBsrIndexType(context, encoding.getCrdWidth())), tensor,
      k.b.getIndexAttr(1));
  buffers.values = sparse_tensor::ToValuesOp::create(
      k.b, buffer(type.getElementType()), tensor);
  buffers.blockRows = block[0];
  buffers.blockCols = block[1];
  return buffers;
}

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_CONVERSION_BSRBUFFERS_H
