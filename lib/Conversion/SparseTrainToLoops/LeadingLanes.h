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
  // (1 << count) - 1 in 32 bits (count may be 16), as the lane bits: a
  // shift and a mask-register move instead of a broadcast and a compare.
  Type i32 = b.getI32Type();
  Value count =
      arith::ExtUIOp::create(b, loc, i32, math::CtPopOp::create(b, loc, bits));
  Value one = arith::ConstantIntOp::create(b, loc, i32, 1);
  Value leading = arith::TruncIOp::create(
      b, loc, b.getIntegerType(16),
      arith::SubIOp::create(b, loc, arith::ShLIOp::create(b, loc, one, count),
                            one));
  return vector::BitCastOp::create(
      b, loc, VectorType::get({16}, b.getI1Type()),
      vector::BroadcastOp::create(
          b, loc, VectorType::get({1}, b.getIntegerType(16)), leading));
}

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_CONVERSION_LEADINGLANES_H
