//===- PhiloxEmitter.h - slice_start's draw as arith ops ----------*- C++
//-*-===//
//
// Philox4x32-10 and the slice start it draws, emitted as arith ops. Shared
// by the reference lowering (host code) and the GPU lowering (a one-thread
// kernel), so that both compute the same bits as
// SparseTrain/Utils/Philox.h.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_LIB_CONVERSION_PHILOXEMITTER_H
#define SPARSETRAIN_LIB_CONVERSION_PHILOXEMITTER_H

#include "KernelBuilder.h"
#include "SparseTrain/Utils/Philox.h"

namespace mlir {
namespace sparse_train {

/// Emits the first output word of Philox4x32-10 for key (lo(seed), hi(seed))
/// and counter (lo(counter), hi(counter), 0, 0), as an i32 value. Mirrors
/// SparseTrain/Utils/Philox.h step by step.
inline Value emitPhiloxFirstWord(KernelBuilder &k, Value seed, Value counter) {
  Type i32 = k.b.getI32Type(), i64 = k.b.getI64Type();
  auto lo = [&](Value v) { return arith::TruncIOp::create(k.b, i32, v); };
  auto hi = [&](Value v) {
    return lo(arith::ShRUIOp::create(k.b, v, k.integer(i64, 32)));
  };
  Value ctr[4] = {lo(counter), hi(counter), k.integer(i32, 0),
                  k.integer(i32, 0)};
  Value key[2] = {lo(seed), hi(seed)};
  Value m0 = k.integer(i32, kPhiloxM0), m1 = k.integer(i32, kPhiloxM1);
  Value w0 = k.integer(i32, kPhiloxW0), w1 = k.integer(i32, kPhiloxW1);
  for (int round = 0; round < 10; ++round) {
    if (round != 0) {
      key[0] = k.add(key[0], w0);
      key[1] = k.add(key[1], w1);
    }
    auto p0 = arith::MulUIExtendedOp::create(k.b, m0, ctr[0]);
    auto p1 = arith::MulUIExtendedOp::create(k.b, m1, ctr[2]);
    auto xorI = [&](Value a, Value b) {
      return arith::XOrIOp::create(k.b, a, b).getResult();
    };
    Value next[4] = {xorI(xorI(p1.getHigh(), ctr[1]), key[0]), p1.getLow(),
                     xorI(xorI(p0.getHigh(), ctr[3]), key[1]), p0.getLow()};
    std::copy(std::begin(next), std::end(next), std::begin(ctr));
  }
  return ctr[0];
}

/// Emits `align * floor(r * numStarts / 2^32)` (r the first Philox word of
/// `seed` and `counter`, both i64), computed exactly in i128, as an index.
inline Value emitSliceStart(KernelBuilder &k, Value seed, Value counter,
                            int64_t numStarts, int64_t align) {
  Type i128 = k.b.getIntegerType(128);
  Value r = emitPhiloxFirstWord(k, seed, counter);
  Value product =
      k.mul(arith::ExtUIOp::create(k.b, i128, r), k.integer(i128, numStarts));
  Value slot = arith::ShRUIOp::create(k.b, product, k.integer(i128, 32));
  Value start = k.mul(arith::TruncIOp::create(k.b, k.b.getI64Type(), slot),
                      k.integer(k.b.getI64Type(), align));
  return k.indexCast(k.b.getIndexType(), start);
}

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_CONVERSION_PHILOXEMITTER_H
