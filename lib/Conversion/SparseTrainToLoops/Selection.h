//===- Selection.h - exact top-K selection for the reference lowering -*- C++
//-*-===//
//
// The ordering keys and the top-K selection shared by min_k_retain and
// block_prune. A key is an unsigned integer that orders floats by magnitude:
// the bit pattern of |x| widened to f64 (an i64 key) or, for types that f32
// holds exactly, in f32 (an i32 key), so subnormals keep their true size and
// -0.0 equals 0.0, with every NaN mapped to one key above +Inf. Both widths
// give the same order. Selection is a bitwise radix search for the K-th
// largest key followed by one pass that keeps everything above it and the
// lowest-indexed ties.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_LIB_CONVERSION_SELECTION_H
#define SPARSETRAIN_LIB_CONVERSION_SELECTION_H

#include "KernelBuilder.h"

#include "mlir/Dialect/Math/IR/Math.h"

namespace mlir {
namespace sparse_train {

/// Key of +Inf in f64 plus one: the i64 key of every NaN.
inline constexpr int64_t kNaNKey = 0x7FF0000000000001LL;
/// Key of +Inf in f32 plus one: the i32 key of every NaN.
inline constexpr int32_t kNaNKey32 = 0x7F800001;

/// The ordering key of the float `x` as an integer of `keyType`: i64 for
/// any float type, i32 for types f32 holds exactly (f16, bf16, f32).
inline Value emitMagnitudeKey(KernelBuilder &k, Value x, Type keyType) {
  bool narrow = keyType.isInteger(32);
  Type wideType = narrow ? k.b.getF32Type() : k.b.getF64Type();
  Value wide = k.castFloat(x, wideType);
  Value bits =
      arith::BitcastOp::create(k.b, keyType, math::AbsFOp::create(k.b, wide));
  Value isNaN =
      arith::CmpFOp::create(k.b, arith::CmpFPredicate::UNO, wide, wide);
  return k.select(isNaN, k.integer(keyType, narrow ? kNaNKey32 : kNaNKey),
                  bits);
}

/// Sets `keep[offset + i]` to 1 for the `count` largest of the keys
/// `keys[offset + i]`, `0 <= i < length` (unsigned order; among equal keys
/// the lowest i wins); the keys are i32 or i64 magnitude keys, whose top bit
/// is clear. `keep` must hold zeros there; `count <= length`.
inline void emitTopKSelection(KernelBuilder &k, Value keys, Value keep,
                              Value offset, Value length, Value count) {
  Type keyType = cast<MemRefType>(keys.getType()).getElementType();
  int64_t keyBits = keyType.getIntOrFloatBitWidth() - 1;
  Type i64 = k.b.getI64Type(), i8 = k.b.getI8Type();
  Value countI64 = k.indexCast(i64, count);
  Value end = k.add(offset, length);
  auto countAtLeast = [&](Value threshold) {
    return k.forAccumulate(
        offset, end, {k.integer(i64, 0)}, [&](Value i, ValueRange acc) {
          Value ge =
              k.cmp(arith::CmpIPredicate::uge, k.load(keys, i), threshold);
          Value inc = arith::ExtUIOp::create(k.b, i64, ge);
          return SmallVector<Value>{k.add(acc[0], inc)};
        })[0];
  };
  // T = max { t : #{key >= t} >= count }, built bit by bit from the top.
  Value threshold = k.forAccumulate(
      k.index(0), k.index(keyBits), {k.integer(keyType, 0)},
      [&](Value step, ValueRange acc) {
        Value bit =
            k.sub(k.integer(keyType, keyBits - 1), k.indexCast(keyType, step));
        Value candidate = k.orI(
            acc[0], arith::ShLIOp::create(k.b, k.integer(keyType, 1), bit));
        Value enough =
            k.cmp(arith::CmpIPredicate::uge, countAtLeast(candidate), countI64);
        return SmallVector<Value>{k.select(enough, candidate, acc[0])};
      })[0];
  // Everything above T is kept; ties at T fill the rest in index order.
  Value above = k.forAccumulate(
      offset, end, {k.integer(i64, 0)}, [&](Value i, ValueRange acc) {
        Value gt = k.cmp(arith::CmpIPredicate::ugt, k.load(keys, i), threshold);
        return SmallVector<Value>{
            k.add(acc[0], arith::ExtUIOp::create(k.b, i64, gt))};
      })[0];
  Value ties = k.sub(countI64, above);
  k.forAccumulate(
      offset, end, {k.integer(i64, 0)}, [&](Value i, ValueRange acc) {
        Value key = k.load(keys, i);
        Value gt = k.cmp(arith::CmpIPredicate::ugt, key, threshold);
        Value tie = k.andI(k.cmp(arith::CmpIPredicate::eq, key, threshold),
                           k.cmp(arith::CmpIPredicate::ult, acc[0], ties));
        Value take = k.orI(gt, tie);
        k.ifThen(take, [&] { k.store(k.integer(i8, 1), keep, i); });
        Value taken = k.add(acc[0], arith::ExtUIOp::create(k.b, i64, tie));
        return SmallVector<Value>{taken};
      });
}

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_CONVERSION_SELECTION_H
