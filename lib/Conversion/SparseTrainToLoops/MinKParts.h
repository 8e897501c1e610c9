//===- MinKParts.h - helpers shared by the min-k lowerings --------*- C++
//-*-===//
//
// The parts of a !sparse_train.retained value after the 1:N type
// conversion, flat views of the input, and K from a keep ratio; shared by
// the reference and the CPU lowerings of the DropIT ops.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_LIB_CONVERSION_MINKPARTS_H
#define SPARSETRAIN_LIB_CONVERSION_MINKPARTS_H

#include "KernelBuilder.h"
#include "SparseTrain/IR/SparseTrainOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir {
namespace sparse_train {

/// The buffers and sizes of a retained value after the 1:N conversion.
struct RetainedParts {
  Value values;             ///< memref<K x elt>
  Value positions;          ///< memref<P x i32|i64>
  SmallVector<Value> shape; ///< every dimension of the dense tensor, as index
  Value numElements;        ///< product of `shape`
};

/// Unpacks `parts` (values, positions, one index per dynamic dimension).
inline RetainedParts unpackRetained(KernelBuilder &k, RetainedType type,
                                    ValueRange parts) {
  RetainedParts result;
  result.values = k.bufferOf(parts[0]);
  result.positions = k.bufferOf(parts[1]);
  unsigned next = 2;
  result.numElements = k.index(1);
  for (int64_t dim : type.getShape()) {
    Value size = ShapedType::isDynamic(dim) ? parts[next++] : k.index(dim);
    result.shape.push_back(size);
    result.numElements = k.mul(result.numElements, size);
  }
  return result;
}

/// The tensor `t` viewed as rank 1.
inline Value flatten(KernelBuilder &k, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  if (type.getRank() == 1)
    return t;
  ReassociationIndices all;
  for (int64_t d = 0; d < type.getRank(); ++d)
    all.push_back(d);
  return tensor::CollapseShapeOp::create(k.b, t,
                                         ArrayRef<ReassociationIndices>{all});
}

/// The tensor `t` viewed as rank 2: leading dimensions into rows.
inline Value flattenToMatrix(KernelBuilder &k, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  if (type.getRank() == 2)
    return t;
  ReassociationIndices leading;
  for (int64_t d = 0; d + 1 < type.getRank(); ++d)
    leading.push_back(d);
  ReassociationIndices last = {type.getRank() - 1};
  return tensor::CollapseShapeOp::create(
      k.b, t, ArrayRef<ReassociationIndices>{leading, last});
}

/// `floor(ratio * n + 0.5)` computed in f64 at run time.
inline Value emitKeepFromRatio(KernelBuilder &k, double ratio, Value n) {
  Type f64 = k.b.getF64Type();
  Value nF =
      arith::UIToFPOp::create(k.b, f64, k.indexCast(k.b.getI64Type(), n));
  Value scaled =
      k.addF(k.mulF(k.floating(f64, ratio), nF), k.floating(f64, 0.5));
  Value floored = math::FloorOp::create(k.b, scaled);
  return k.indexCast(k.b.getIndexType(),
                     arith::FPToUIOp::create(k.b, k.b.getI64Type(), floored));
}

/// The sets of a min_k_retain and the buffers of its result: sizes of the
/// input, the sets selection runs over, K per set, and the values and
/// positions buffers (a zeroed bitmask, or room for the indices).
struct RetainSetup {
  SmallVector<Value> dims; ///< every dimension of the input
  Value numElements, setLength, numSets, keepPerSet;
  Value values, positions;
  bool bitmask;

  /// The result parts: values, positions, one index per dynamic dimension.
  SmallVector<Value> resultParts(KernelBuilder &k,
                                 RankedTensorType inputType) const {
    SmallVector<Value> parts = {k.tensorOf(values), k.tensorOf(positions)};
    for (int64_t d = 0; d < inputType.getRank(); ++d)
      if (inputType.isDynamicDim(d))
        parts.push_back(dims[d]);
    return parts;
  }
};

/// Sizes and output buffers of `op`, whose retained type converts to
/// `partTypes` (values, positions, dynamic sizes). The bitmask is zeroed
/// with loops unless `zeroBitmask` is false (the caller zeroes it).
inline RetainSetup setUpRetain(KernelBuilder &k, MinKRetainOp op, Value input,
                               ArrayRef<Type> partTypes,
                               bool zeroBitmask = true) {
  RetainSetup setup;
  RankedTensorType inputType = op.getInput().getType();
  setup.numElements = k.index(1);
  for (int64_t d = 0; d < inputType.getRank(); ++d) {
    setup.dims.push_back(tensor::DimOp::create(k.b, input, d));
    setup.numElements = k.mul(setup.numElements, setup.dims.back());
  }
  bool perRow = op.getGranularity() == Granularity::Row;
  setup.setLength = perRow ? setup.dims.back() : setup.numElements;
  setup.numSets = k.index(1);
  if (perRow)
    for (Value d : ArrayRef<Value>(setup.dims).drop_back())
      setup.numSets = k.mul(setup.numSets, d);
  // K per set: known at compile time unless it depends on a dynamic size.
  int64_t staticKeep = op.getKeepPerSet();
  setup.keepPerSet =
      !ShapedType::isDynamic(staticKeep)
          ? k.index(staticKeep)
          : emitKeepFromRatio(k, op.getKeepRatio()->convertToDouble(),
                              setup.setLength);
  Value kept = k.mul(setup.numSets, setup.keepPerSet);
  auto valuesType = cast<RankedTensorType>(partTypes[0]);
  auto positionsType = cast<RankedTensorType>(partTypes[1]);
  Type positionType = positionsType.getElementType();
  setup.values =
      k.alloc(valuesType.getShape(), valuesType.getElementType(),
              valuesType.hasStaticShape() ? ValueRange{} : ValueRange{kept});
  setup.bitmask = op.getType().getEncoding() == RetainEncoding::Bitmask;
  Value numPositions =
      setup.bitmask ? k.divU(k.add(setup.numElements, k.index(31)), k.index(32))
                    : kept;
  setup.positions = k.alloc(
      positionsType.getShape(), positionType,
      positionsType.hasStaticShape() ? ValueRange{} : ValueRange{numPositions});
  if (setup.bitmask && zeroBitmask)
    k.fill(setup.positions, k.integer(positionType, 0));
  return setup;
}

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_CONVERSION_MINKPARTS_H
