//===- MinKToGPU.cpp - GPU lowering of the DropIT ops ---------------------===//
//
// min_k_retain: one block of kBlockThreads threads per selection set (the
// whole tensor, or one row). An exact radix select finds the K-th largest
// magnitude key one 8-bit digit at a time, counting the candidates of each
// digit in a 256-bucket histogram in shared memory; then every thread counts
// the keys above the threshold and the ties in its contiguous chunk, thread
// 0 scans those counts in thread order (shared memory), and every thread
// writes its kept values, in index order, at the scanned offsets. Ties are
// kept by lowest index, so the result is that of the reference lowering,
// bit for bit, and independent of scheduling. Bitmask bits are set with an
// atomic OR (commutative: the words do not depend on the order).
//
// min_k_restore: indices as a parallel zero fill and scatter; bitmask as one
// block whose threads scan the popcounts of their words in shared memory and
// then expand their words. min_k_weight_grad (linear form): the retained
// input restored, then one parallel iteration per gradient element that sums
// over the kept entries of its column only (a dropped entry facing Inf/NaN
// in dy adds nothing).
//
//===----------------------------------------------------------------------===//

#include "../SparseTrainToLoops/MinKParts.h"
#include "../SparseTrainToLoops/Selection.h"
#include "GPUKernelBuilder.h"
#include "SparseTrain/Conversion/SparseTrainToGPU.h"
#include "SparseTrain/IR/SparseTrainOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace {

/// The ordering key of `x` as an unsigned integer of `keyType`: for f64 the
/// reference's 64-bit key; otherwise the bit pattern of |x| in f32 (exact
/// for f16, bf16 and f32, so the order is the reference's) with every NaN
/// mapped to 0x7F800001, just above +Inf.
static Value emitGPUKey(KernelBuilder &k, Value x, Type keyType) {
  if (keyType.isInteger(64))
    return emitMagnitudeKey(k, x);
  Type f32 = k.b.getF32Type(), i32 = k.b.getI32Type();
  Value wide = k.castFloat(x, f32);
  Value bits =
      arith::BitcastOp::create(k.b, i32, math::AbsFOp::create(k.b, wide));
  Value isNaN =
      arith::CmpFOp::create(k.b, arith::CmpFPredicate::UNO, wide, wide);
  return k.select(isNaN, k.integer(i32, 0x7F800001), bits);
}

/// Sets bit `i % 32` of word `i / 32` of `mask` (i32 words) atomically.
static void emitAtomicSetBit(KernelBuilder &k, Value mask, Value i) {
  Type wordType = cast<MemRefType>(mask.getType()).getElementType();
  Value bit = arith::ShLIOp::create(
      k.b, k.integer(wordType, 1),
      k.indexCast(wordType, k.remU(i, k.index(32))));
  memref::AtomicRMWOp::create(k.b, arith::AtomicRMWKind::ori, bit, mask,
                              ValueRange{k.divU(i, k.index(32))});
}

struct MinKRetainToGPU : public OpConversionPattern<MinKRetainOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MinKRetainOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    KernelBuilder k(rewriter, op.getLoc());
    RankedTensorType inputType = op.getInput().getType();
    Value input = adaptor.getInput();
    SmallVector<Type> partTypes;
    if (failed(getTypeConverter()->convertType(op.getType(), partTypes)))
      return failure();
    RetainSetup setup =
        setUpRetain(k, op, input, partTypes, /*zeroBitmask=*/false);
    Value values = setup.values, positions = setup.positions;
    bool bitmask = setup.bitmask;
    if (bitmask)
      emitParallelFill(k, positions, k.integer(k.b.getI32Type(), 0));
    Value x = k.bufferOf(flatten(k, input));
    Value setLength = setup.setLength, keep = setup.keepPerSet;
    Type positionType = cast<MemRefType>(positions.getType()).getElementType();

    Type elementType = inputType.getElementType();
    unsigned keyBits = elementType.isF64() ? 64 : 32;
    Type keyType = k.b.getIntegerType(keyBits);
    Type i32 = k.b.getI32Type(), indexType = k.b.getIndexType();
    SmallVector<Type> shared = {
        getWorkgroupBufferType({256}, i32),                   // histogram
        getWorkgroupBufferType({kBlockThreads}, indexType),   // above
        getWorkgroupBufferType({kBlockThreads}, indexType),   // ties
        getWorkgroupBufferType({1}, keyType),                 // key prefix
        getWorkgroupBufferType({1}, indexType)};              // still to keep
    emitLaunch(k, setup.numSets, kBlockThreads, shared, [&](LaunchIds ids) {
      Value tid = ids.thread, set = ids.block;
      Value hist = ids.shared[0], above = ids.shared[1], ties = ids.shared[2];
      Value prefix = ids.shared[3], remaining = ids.shared[4];
      Value zero = k.index(0);
      Value base = k.mul(set, setLength);
      auto key = [&](Value i) {
        return emitGPUKey(k, k.load(x, k.add(base, i)), keyType);
      };
      onFirstThread(k, tid, [&] {
        k.store(k.integer(keyType, 0), prefix, zero);
        k.store(arith::MinUIOp::create(k.b, keep, setLength), remaining, zero);
      });
      // Radix select, most significant digit first: after the pass of
      // digit d, `prefix` holds the digits of the K-th largest key down to
      // d and `remaining` how many keys with that prefix are still to keep.
      for (unsigned pass = 0; pass < keyBits / 8; ++pass) {
        unsigned shift = keyBits - 8 * (pass + 1);
        k.store(k.integer(i32, 0), hist, tid);
        emitBarrier(k);
        Value known = k.load(prefix, zero);
        k.forEachStep(tid, setLength, kBlockThreads, [&](Value i) {
          Value kv = key(i);
          auto count = [&] {
            Value digit = k.andI(
                arith::ShRUIOp::create(k.b, kv, k.integer(keyType, shift)),
                k.integer(keyType, 255));
            memref::AtomicRMWOp::create(
                k.b, arith::AtomicRMWKind::addi, k.integer(i32, 1), hist,
                ValueRange{k.toIndex(k.indexCast(indexType, digit))});
          };
          if (pass == 0) {
            count();
            return;
          }
          Value high = k.integer(keyType, shift + 8);
          Value match =
              k.cmp(arith::CmpIPredicate::eq,
                    arith::ShRUIOp::create(k.b, kv, high),
                    arith::ShRUIOp::create(k.b, known, high));
          k.ifThen(match, count);
        });
        emitBarrier(k);
        onFirstThread(k, tid, [&] {
          Value need = k.load(remaining, zero);
          Type i1 = k.b.getI1Type();
          // Walk the buckets from the top until they hold `need` keys.
          SmallVector<Value> walk = k.forAccumulate(
              zero, k.index(256),
              {k.integer(i1, 0), zero, zero, zero},
              [&](Value j, ValueRange acc) {
                Value found = acc[0], cum = acc[1];
                Value digit = k.sub(k.index(255), j);
                Value count =
                    k.indexCast(indexType, k.load(hist, digit));
                Value reaches = k.cmp(arith::CmpIPredicate::uge,
                                      k.add(cum, count), need);
                Value take = k.andI(
                    reaches, k.cmp(arith::CmpIPredicate::eq, found,
                                   k.integer(i1, 0)));
                Value done = k.orI(found, take);
                return SmallVector<Value>{
                    done, k.select(done, cum, k.add(cum, count)),
                    k.select(take, digit, acc[2]),
                    k.select(take, k.sub(need, cum), acc[3])};
              });
          Value digit = arith::ShLIOp::create(
              k.b, k.indexCast(keyType, walk[2]), k.integer(keyType, shift));
          k.store(k.orI(k.load(prefix, zero), digit), prefix, zero);
          k.store(walk[3], remaining, zero);
        });
        emitBarrier(k);
      }
      Value threshold = k.load(prefix, zero);
      Value tiesKept = k.load(remaining, zero);

      // Compaction: counts per thread chunk, scanned in thread order.
      auto [lo, hi] = getThreadChunk(k, tid, setLength);
      SmallVector<Value> counts = k.forAccumulate(
          lo, hi, {zero, zero}, [&](Value i, ValueRange acc) {
            Value kv = key(i);
            Value gt = k.cmp(arith::CmpIPredicate::ugt, kv, threshold);
            Value eq = k.cmp(arith::CmpIPredicate::eq, kv, threshold);
            return SmallVector<Value>{
                k.add(acc[0], arith::IndexCastUIOp::create(k.b, indexType, gt)),
                k.add(acc[1],
                      arith::IndexCastUIOp::create(k.b, indexType, eq))};
          });
      k.store(counts[0], above, tid);
      k.store(counts[1], ties, tid);
      emitBarrier(k);
      // above[t] := values kept before chunk t; ties[t] := ties before it.
      onFirstThread(k, tid, [&] {
        k.forAccumulate(
            zero, k.index(kBlockThreads), {zero, zero},
            [&](Value t, ValueRange acc) {
              Value tiesBefore = acc[0], keptBefore = acc[1];
              Value a = k.load(above, t), e = k.load(ties, t);
              Value left = k.select(
                  k.cmp(arith::CmpIPredicate::ugt, tiesKept, tiesBefore),
                  k.sub(tiesKept, tiesBefore), zero);
              Value taken = arith::MinUIOp::create(k.b, left, e);
              k.store(tiesBefore, ties, t);
              k.store(keptBefore, above, t);
              return SmallVector<Value>{k.add(tiesBefore, e),
                                        k.add(keptBefore, k.add(a, taken))};
            });
      });
      emitBarrier(k);
      Value out = k.mul(set, keep);
      k.forAccumulate(
          lo, hi, {k.load(ties, tid), k.load(above, tid)},
          [&](Value i, ValueRange acc) {
            Value tieIndex = acc[0], pos = acc[1];
            Value v = k.load(x, k.add(base, i));
            Value kv = emitGPUKey(k, v, keyType);
            Value gt = k.cmp(arith::CmpIPredicate::ugt, kv, threshold);
            Value eq = k.cmp(arith::CmpIPredicate::eq, kv, threshold);
            Value take = k.orI(
                gt, k.andI(eq, k.cmp(arith::CmpIPredicate::ult, tieIndex,
                                     tiesKept)));
            k.ifThen(take, [&] {
              Value flat = k.add(base, i);
              k.store(v, values, k.add(out, pos));
              if (bitmask)
                emitAtomicSetBit(k, positions, flat);
              else
                k.store(k.indexCast(positionType, flat), positions,
                        k.add(out, pos));
            });
            return SmallVector<Value>{
                k.add(tieIndex,
                      arith::IndexCastUIOp::create(k.b, indexType, eq)),
                k.add(pos,
                      arith::IndexCastUIOp::create(k.b, indexType, take))};
          });
    });

    SmallVector<Value> parts = setup.resultParts(k, inputType);
    rewriter.replaceOpWithMultiple(op, {parts});
    return success();
  }
};

/// Writes the dense form of the retained `parts` into the rank-1 `dense`
/// (every element: kept values at their places, zeros elsewhere).
static void emitRestore(KernelBuilder &k, RetainedType type,
                        const RetainedParts &parts, Value dense) {
  Type elementType = type.getElementType();
  Value zeroValue = k.floating(elementType, 0.0);
  Value n = parts.numElements;
  if (type.getEncoding() == RetainEncoding::Indices) {
    emitParallelFill(k, dense, zeroValue);
    forEachParallelND(k, {k.dim(parts.values, 0)}, [&](ValueRange j) {
      Value i = k.toIndex(k.load(parts.positions, j));
      k.store(k.load(parts.values, j), dense, i);
    });
    return;
  }
  // Bitmask: one block; thread t expands a contiguous run of words, starting
  // at the number of set bits before it (scanned in shared memory).
  Value mask = parts.positions, values = parts.values;
  Value words = k.divU(k.add(n, k.index(31)), k.index(32));
  Type indexType = k.b.getIndexType(), i32 = k.b.getI32Type();
  emitLaunch(
      k, k.index(1), kBlockThreads,
      {getWorkgroupBufferType({kBlockThreads}, indexType)},
      [&](LaunchIds ids) {
        Value tid = ids.thread, offsets = ids.shared[0];
        auto [lo, hi] = getThreadChunk(k, tid, words);
        Value count = k.forAccumulate(
            lo, hi, {k.index(0)}, [&](Value w, ValueRange acc) {
              Value bits = emitPopCount(k, k.load(mask, w));
              return SmallVector<Value>{
                  k.add(acc[0], arith::IndexCastUIOp::create(k.b, indexType,
                                                             bits))};
            })[0];
        k.store(count, offsets, tid);
        emitBlockExclusiveScan(k, tid, offsets);
        k.forAccumulate(
            lo, hi, {k.load(offsets, tid)}, [&](Value w, ValueRange acc) {
              Value word = k.load(mask, w);
              Value first = k.mul(w, k.index(32));
              Value end = arith::MinUIOp::create(
                  k.b, k.sub(n, first), k.index(32));
              return k.forAccumulate(
                  k.index(0), end, {acc[0]}, [&](Value b, ValueRange pos) {
                    Value bit = k.andI(
                        arith::ShRUIOp::create(k.b, word,
                                               k.indexCast(i32, b)),
                        k.integer(i32, 1));
                    Value set =
                        k.cmp(arith::CmpIPredicate::ne, bit, k.integer(i32, 0));
                    Value v = k.ifThenElse(
                        set, {elementType},
                        [&] {
                          return SmallVector<Value>{k.load(values, pos[0])};
                        },
                        [&] { return SmallVector<Value>{zeroValue}; })[0];
                    k.store(v, dense, k.add(first, b));
                    return SmallVector<Value>{k.add(
                        pos[0],
                        arith::IndexCastUIOp::create(k.b, indexType, set))};
                  });
            });
      });
}

struct MinKRestoreToGPU : public OpConversionPattern<MinKRestoreOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MinKRestoreOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    KernelBuilder k(rewriter, op.getLoc());
    RetainedType type = op.getRetained().getType();
    RetainedParts parts = unpackRetained(k, type, adaptor.getRetained());
    Value dense =
        k.allocShaped(op.getType().getShape(), type.getElementType(),
                      parts.shape);
    emitRestore(k, type, parts, flattenBuffer(k, dense));
    rewriter.replaceOp(op, k.tensorOf(dense));
    return success();
  }
};

struct MinKWeightGradToGPU : public OpConversionPattern<MinKWeightGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MinKWeightGradOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.isConvForm())
      return rewriter.notifyMatchFailure(op, "no GPU kernel for the conv form");
    KernelBuilder k(rewriter, op.getLoc());
    RetainedType type = op.getRetained().getType();
    RetainedParts parts = unpackRetained(k, type, adaptor.getRetained());
    RankedTensorType resultType = op.getType();
    Type accType = getAccumulatorType(type.getElementType());
    Type resultElement = resultType.getElementType();
    Type i32 = k.b.getI32Type();

    // The dense input (zeros where dropped) and a bitmask of the kept
    // entries: the retained one, or one built from the indices.
    Value n = parts.numElements;
    Value xFlat = k.alloc({ShapedType::kDynamic}, type.getElementType(), n);
    emitRestore(k, type, parts, xFlat);
    Value mask = parts.positions;
    if (type.getEncoding() == RetainEncoding::Indices) {
      Value words = k.divU(k.add(n, k.index(31)), k.index(32));
      mask = k.alloc({ShapedType::kDynamic}, i32, words);
      emitParallelFill(k, mask, k.integer(i32, 0));
      forEachParallelND(k, {k.dim(parts.values, 0)}, [&](ValueRange j) {
        emitAtomicSetBit(k, mask, k.toIndex(k.load(parts.positions, j)));
      });
    }

    // dW[c, o] = sum over rows r with (r, c) kept of x[r, c] * dy[r, o].
    Value dy = k.bufferOf(flattenToMatrix(k, adaptor.getGradOutput().front()));
    Value in = parts.shape.back();
    Value rows = k.divU(n, in);
    Value out = k.dim(dy, 1);
    Value dw = k.allocShaped(resultType.getShape(), resultElement, {in, out});
    forEachParallelND(k, {in, out}, [&](ValueRange ivs) {
      Value c = ivs[0], o = ivs[1];
      Value sum = k.forAccumulate(
          k.index(0), rows, {k.floating(accType, 0.0)},
          [&](Value r, ValueRange acc) {
            Value flat = k.add(k.mul(r, in), c);
            Value word = k.load(mask, k.divU(flat, k.index(32)));
            Value bit = k.andI(
                arith::ShRUIOp::create(
                    k.b, word, k.indexCast(i32, k.remU(flat, k.index(32)))),
                k.integer(i32, 1));
            Value kept = k.cmp(arith::CmpIPredicate::ne, bit, k.integer(i32, 0));
            return k.ifThenElse(
                kept, {accType},
                [&] {
                  Value xv = k.castFloat(k.load(xFlat, flat), accType);
                  Value g = k.castFloat(k.load(dy, {r, o}), accType);
                  return SmallVector<Value>{k.addF(acc[0], k.mulF(xv, g))};
                },
                [&] { return SmallVector<Value>{acc[0]}; });
          })[0];
      k.store(k.castFloat(sum, resultElement), dw, {c, o});
    });
    rewriter.replaceOp(op, k.tensorOf(dw));
    return success();
  }
};

} // namespace

void mlir::sparse_train::populateMinKToGPUPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<MinKRetainToGPU, MinKRestoreToGPU, MinKWeightGradToGPU>(
      converter, patterns.getContext());
}
