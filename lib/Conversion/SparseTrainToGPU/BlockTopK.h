//===- BlockTopK.h - exact top-K of a set by one thread block -----*- C++
//-*-===//
//
// The selection kernel shared by min_k_retain and block_prune: one block of
// kBlockThreads threads per set finds the K largest keys of its set exactly
// (radix select, 8-bit digits from the top, 256-bucket histograms in shared
// memory) and then visits the kept elements in index order with their rank
// (per-thread counts of the keys above the threshold and of the ties, scanned
// in thread order in shared memory). Ties are kept by lowest index. The
// result does not depend on scheduling.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_LIB_CONVERSION_BLOCKTOPK_H
#define SPARSETRAIN_LIB_CONVERSION_BLOCKTOPK_H

#include "../SparseTrainToLoops/Selection.h"
#include "GPUKernelBuilder.h"

namespace mlir {
namespace sparse_train {

/// Emits a launch of `numSets` blocks; block `set` selects the `keep`
/// largest (at most `setLength`) of the keys `keyAt(set, i)`, `i <
/// setLength`, of unsigned integer type `keyType` (i32 or i64), and calls
/// `onKept(set, i, rank)` for each kept `i` (rank: kept elements of the set
/// before it).
template <typename KeyAt, typename OnKept>
void emitBlockTopKLaunch(KernelBuilder &k, Value numSets, Value setLength,
                         Value keep, Type keyType, KeyAt keyAt, OnKept onKept) {
  unsigned keyBits = keyType.getIntOrFloatBitWidth();
  Type i32 = k.b.getI32Type(), i1 = k.b.getI1Type();
  Type indexType = k.b.getIndexType();
  SmallVector<Type> shared = {
      getWorkgroupBufferType({256}, i32),                 // histogram
      getWorkgroupBufferType({kBlockThreads}, indexType), // above
      getWorkgroupBufferType({kBlockThreads}, indexType), // ties
      getWorkgroupBufferType({1}, keyType),               // key prefix
      getWorkgroupBufferType({1}, indexType)};            // still to keep
  emitLaunch(k, numSets, kBlockThreads, shared, [&](LaunchIds ids) {
    Value tid = ids.thread, set = ids.block;
    Value hist = ids.shared[0], above = ids.shared[1], ties = ids.shared[2];
    Value prefix = ids.shared[3], remaining = ids.shared[4];
    Value zero = k.index(0);
    auto key = [&](Value i) { return keyAt(set, i); };
    onFirstThread(k, tid, [&] {
      k.store(k.integer(keyType, 0), prefix, zero);
      k.store(arith::MinUIOp::create(k.b, keep, setLength), remaining, zero);
    });
    // Radix select, most significant digit first: after the pass of digit
    // d, `prefix` holds the digits of the K-th largest key down to d and
    // `remaining` how many keys with that prefix are still to keep.
    for (unsigned pass = 0; pass < keyBits / 8; ++pass) {
      unsigned shift = keyBits - 8 * (pass + 1);
      k.store(k.integer(i32, 0), hist, tid);
      emitBarrier(k);
      Value known = k.load(prefix, zero);
      k.forEachStep(tid, setLength, kBlockThreads, [&](Value i) {
        Value kv = key(i);
        auto count = [&] {
          Value digit =
              k.andI(arith::ShRUIOp::create(k.b, kv, k.integer(keyType, shift)),
                     k.integer(keyType, 255));
          memref::AtomicRMWOp::create(
              k.b, arith::AtomicRMWKind::addi, k.integer(i32, 1), hist,
              ValueRange{arith::IndexCastUIOp::create(k.b, indexType, digit)});
        };
        if (pass == 0) {
          count();
          return;
        }
        Value high = k.integer(keyType, shift + 8);
        Value match = k.cmp(arith::CmpIPredicate::eq,
                            arith::ShRUIOp::create(k.b, kv, high),
                            arith::ShRUIOp::create(k.b, known, high));
        k.ifThen(match, count);
      });
      emitBarrier(k);
      onFirstThread(k, tid, [&] {
        Value need = k.load(remaining, zero);
        // Walk the buckets from the top until they hold `need` keys.
        SmallVector<Value> walk = k.forAccumulate(
            zero, k.index(256), {k.integer(i1, 0), zero, zero, zero},
            [&](Value j, ValueRange acc) {
              Value found = acc[0], cum = acc[1];
              Value digit = k.sub(k.index(255), j);
              Value count = arith::IndexCastUIOp::create(k.b, indexType,
                                                         k.load(hist, digit));
              Value reaches =
                  k.cmp(arith::CmpIPredicate::uge, k.add(cum, count), need);
              Value take = k.andI(reaches, k.cmp(arith::CmpIPredicate::eq,
                                                 found, k.integer(i1, 0)));
              Value done = k.orI(found, take);
              return SmallVector<Value>{
                  done, k.select(done, cum, k.add(cum, count)),
                  k.select(take, digit, acc[2]),
                  k.select(take, k.sub(need, cum), acc[3])};
            });
        Value digit = arith::ShLIOp::create(
            k.b, arith::IndexCastUIOp::create(k.b, keyType, walk[2]),
            k.integer(keyType, shift));
        k.store(k.orI(k.load(prefix, zero), digit), prefix, zero);
        k.store(walk[3], remaining, zero);
      });
      emitBarrier(k);
    }
    Value threshold = k.load(prefix, zero);
    Value tiesKept = k.load(remaining, zero);

    // Compaction: counts per thread chunk, scanned in thread order.
    auto [lo, hi] = getThreadChunk(k, tid, setLength);
    auto asIndex = [&](Value flag) {
      return arith::IndexCastUIOp::create(k.b, indexType, flag);
    };
    SmallVector<Value> counts =
        k.forAccumulate(lo, hi, {zero, zero}, [&](Value i, ValueRange acc) {
          Value kv = key(i);
          Value gt = k.cmp(arith::CmpIPredicate::ugt, kv, threshold);
          Value eq = k.cmp(arith::CmpIPredicate::eq, kv, threshold);
          return SmallVector<Value>{k.add(acc[0], asIndex(gt)),
                                    k.add(acc[1], asIndex(eq))};
        });
    k.store(counts[0], above, tid);
    k.store(counts[1], ties, tid);
    emitBarrier(k);
    // above[t] := elements kept before chunk t; ties[t] := ties before it.
    onFirstThread(k, tid, [&] {
      k.forAccumulate(
          zero, k.index(kBlockThreads), {zero, zero},
          [&](Value t, ValueRange acc) {
            Value tiesBefore = acc[0], keptBefore = acc[1];
            Value a = k.load(above, t), e = k.load(ties, t);
            Value left =
                k.select(k.cmp(arith::CmpIPredicate::ugt, tiesKept, tiesBefore),
                         k.sub(tiesKept, tiesBefore), zero);
            Value taken = arith::MinUIOp::create(k.b, left, e);
            k.store(tiesBefore, ties, t);
            k.store(keptBefore, above, t);
            return SmallVector<Value>{k.add(tiesBefore, e),
                                      k.add(keptBefore, k.add(a, taken))};
          });
    });
    emitBarrier(k);
    k.forAccumulate(lo, hi, {k.load(ties, tid), k.load(above, tid)},
                    [&](Value i, ValueRange acc) {
                      Value tieIndex = acc[0], rank = acc[1];
                      Value kv = key(i);
                      Value gt =
                          k.cmp(arith::CmpIPredicate::ugt, kv, threshold);
                      Value eq = k.cmp(arith::CmpIPredicate::eq, kv, threshold);
                      Value take =
                          k.orI(gt, k.andI(eq, k.cmp(arith::CmpIPredicate::ult,
                                                     tieIndex, tiesKept)));
                      k.ifThen(take, [&] { onKept(set, i, rank); });
                      return SmallVector<Value>{k.add(tieIndex, asIndex(eq)),
                                                k.add(rank, asIndex(take))};
                    });
  });
}

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_CONVERSION_BLOCKTOPK_H
