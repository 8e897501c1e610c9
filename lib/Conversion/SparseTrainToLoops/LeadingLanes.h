//===- LeadingLanes.h - the leading popcount lanes of a mask ---*- C++ -*-===//
//
// Shared by the AVX-512 register forms of compress-store (min_k_retain) and
// expand-load (sparse-train-x86-register-expand).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_LIB_CONVERSION_LEADINGLANES_H
#define SPARSETRAIN_LIB_CONVERSION_LEADINGLANES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir {
namespace sparse_train {

/// The mask of the leading popcount(`mask`) lanes of a 16-lane i1 mask.
inline Value getLeadingLanes(OpBuilder &b, Location loc, Value mask) {
  Value bits = vector::ExtractOp::create(
      b, loc,
      vector::BitCastOp::create(
          b, loc, VectorType::get({1}, b.getIntegerType(16)), mask),
      ArrayRef<int64_t>{0});
  Value count = arith::IndexCastOp::create(
      b, loc, b.getIndexType(),
      arith::ExtUIOp::create(b, loc, b.getI64Type(),
                             math::CtPopOp::create(b, loc, bits)));
  return vector::CreateMaskOp::create(
      b, loc, VectorType::get({16}, b.getI1Type()), ValueRange{count});
}

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_CONVERSION_LEADINGLANES_H
