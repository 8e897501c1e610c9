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
// then expand their words. min_k_weight_grad: the retained input restored
// (and, for indices, a bitmask of the kept entries built), then one parallel
// iteration per gradient element that sums over the kept entries only (a
// dropped entry facing Inf/NaN in dy adds nothing): the rows of its column
// (linear form), or the batch and output positions whose input position
// under its filter tap is in the image (conv form).
//
//===----------------------------------------------------------------------===//

#include "../SparseTrainToLoops/MinKParts.h"
#include "../SparseTrainToLoops/Selection.h"
#include "../SparseTrainToLoops/ZeroSkipConvParts.h"
#include "BlockTopK.h"
#include "GPUKernelBuilder.h"
#include "SparseTrain/Conversion/SparseTrainToGPU.h"
#include "SparseTrain/IR/SparseTrainOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace {

/// Sets bit `i % 32` of word `i / 32` of `mask` (i32 words) atomically.
static void emitAtomicSetBit(KernelBuilder &k, Value mask, Value i) {
  Type wordType = cast<MemRefType>(mask.getType()).getElementType();
  Value bit =
      arith::ShLIOp::create(k.b, k.integer(wordType, 1),
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
    Type keyType = k.b.getIntegerType(elementType.isF64() ? 64 : 32);
    emitBlockTopKLaunch(
        k, setup.numSets, setLength, keep, keyType,
        [&](Value set, Value i) {
          return emitMagnitudeKey(k, k.load(x, k.add(k.mul(set, setLength), i)),
                                  keyType);
        },
        [&](Value set, Value i, Value pos) {
          Value flat = k.add(k.mul(set, setLength), i);
          Value slot = k.add(k.mul(set, keep), pos);
          k.store(k.load(x, flat), values, slot);
          if (bitmask)
            emitAtomicSetBit(k, positions, flat);
          else
            k.store(k.indexCast(positionType, flat), positions, slot);
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
      {getWorkgroupBufferType({kBlockThreads}, indexType)}, [&](LaunchIds ids) {
        Value tid = ids.thread, offsets = ids.shared[0];
        auto [lo, hi] = getThreadChunk(k, tid, words);
        Value count =
            k.forAccumulate(lo, hi, {k.index(0)}, [&](Value w, ValueRange acc) {
              Value bits = emitPopCount(k, k.load(mask, w));
              return SmallVector<Value>{k.add(
                  acc[0], arith::IndexCastUIOp::create(k.b, indexType, bits))};
            })[0];
        k.store(count, offsets, tid);
        emitBlockExclusiveScan(k, tid, offsets);
        k.forAccumulate(
            lo, hi, {k.load(offsets, tid)}, [&](Value w, ValueRange acc) {
              Value word = k.load(mask, w);
              Value first = k.mul(w, k.index(32));
              Value end =
                  arith::MinUIOp::create(k.b, k.sub(n, first), k.index(32));
              return k.forAccumulate(
                  k.index(0), end, {acc[0]}, [&](Value b, ValueRange pos) {
                    Value bit = k.andI(
                        arith::ShRUIOp::create(k.b, word, k.indexCast(i32, b)),
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
    Value dense = k.allocShaped(op.getType().getShape(), type.getElementType(),
                                parts.shape);
    emitRestore(k, type, parts, flattenBuffer(k, dense));
    rewriter.replaceOp(op, k.tensorOf(dense));
    return success();
  }
};

/// True when bit `flat` of the bitmask `mask` (i32 words) is set.
static Value emitBitIsSet(KernelBuilder &k, Value mask, Value flat) {
  Type i32 = k.b.getI32Type();
  Value word = k.load(mask, k.divU(flat, k.index(32)));
  Value bit =
      k.andI(arith::ShRUIOp::create(
                 k.b, word, k.indexCast(i32, k.remU(flat, k.index(32)))),
             k.integer(i32, 1));
  return k.cmp(arith::CmpIPredicate::ne, bit, k.integer(i32, 0));
}

struct MinKWeightGradToGPU : public OpConversionPattern<MinKWeightGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MinKWeightGradOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    if (op.isConvForm() &&
        (resultType.isDynamicDim(0) || resultType.isDynamicDim(1)))
      return rewriter.notifyMatchFailure(op, "dynamic filter size");
    KernelBuilder k(rewriter, op.getLoc());
    RetainedType type = op.getRetained().getType();
    RetainedParts parts = unpackRetained(k, type, adaptor.getRetained());
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
    /// `acc + x[flat] * g()` when entry `flat` was kept, else `acc`.
    auto accumulateKept = [&](Value acc, Value flat, function_ref<Value()> g) {
      return k.ifThenElse(
          emitBitIsSet(k, mask, flat), {accType},
          [&] {
            Value xv = k.castFloat(k.load(xFlat, flat), accType);
            Value gv = k.castFloat(g(), accType);
            return SmallVector<Value>{k.addF(acc, k.mulF(xv, gv))};
          },
          [&] { return SmallVector<Value>{acc}; })[0];
    };
    Value dyTensor = adaptor.getGradOutput().front();

    if (!op.isConvForm()) {
      // dW[c, o] = sum over rows r with (r, c) kept of x[r, c] * dy[r, o].
      Value dy = k.bufferOf(flattenToMatrix(k, dyTensor));
      Value in = parts.shape.back();
      Value rows = k.divU(n, in);
      Value out = k.dim(dy, 1);
      Value dw = k.allocShaped(resultType.getShape(), resultElement, {in, out});
      forEachParallelND(k, {in, out}, [&](ValueRange ivs) {
        Value c = ivs[0], o = ivs[1];
        Value sum =
            k.forAccumulate(k.index(0), rows, {k.floating(accType, 0.0)},
                            [&](Value r, ValueRange acc) {
                              return SmallVector<Value>{accumulateKept(
                                  acc[0], k.add(k.mul(r, in), c), [&] {
                                    return k.load(dy, {r, o});
                                  })};
                            })[0];
        k.store(k.castFloat(sum, resultElement), dw, {c, o});
      });
      rewriter.replaceOp(op, k.tensorOf(dw));
      return success();
    }

    // Conv form: dW[kh, kw, c, f] = sum over (n, oh, ow) whose input
    // position (n, ih, iw, c) lies in the image and was kept of
    // x[n, ih, iw, c] * dy[n, oh, ow, f] (a gather per filter element).
    Value dy = k.bufferOf(dyTensor);
    ConvWindowValues win = getConvWindowValues(k, op);
    Value height = parts.shape[1], width = parts.shape[2],
          channels = parts.shape[3];
    Value batch = k.dim(dy, 0), oh = k.dim(dy, 1), ow = k.dim(dy, 2);
    SmallVector<Value> sizes = {k.index(resultType.getDimSize(0)),
                                k.index(resultType.getDimSize(1)), channels,
                                k.dim(dy, 3)};
    Value dw = k.allocShaped(resultType.getShape(), resultElement, sizes);
    forEachParallelND(k, sizes, [&](ValueRange ivs) {
      Value a = ivs[0], b = ivs[1], c = ivs[2], f = ivs[3];
      auto sumOver = [&](Value ub, Value init,
                         function_ref<Value(Value, Value)> body) {
        return k.forAccumulate(k.index(0), ub, {init},
                               [&](Value i, ValueRange acc) {
                                 return SmallVector<Value>{body(i, acc[0])};
                               })[0];
      };
      auto ifInside = [&](Value inside, Value acc, function_ref<Value()> body) {
        return k.ifThenElse(
            inside, {accType}, [&] { return SmallVector<Value>{body()}; },
            [&] { return SmallVector<Value>{acc}; })[0];
      };
      Value sum =
          sumOver(batch, k.floating(accType, 0.0), [&](Value bn, Value acc) {
            return sumOver(oh, acc, [&](Value y, Value acc) {
              auto [ih, insideH] =
                  convInputCoordinate(k, y, a, win.sh, win.dh, win.top, height);
              return ifInside(insideH, acc, [&] {
                return sumOver(ow, acc, [&](Value xo, Value acc) {
                  auto [iw, insideW] = convInputCoordinate(
                      k, xo, b, win.sw, win.dw, win.left, width);
                  return ifInside(insideW, acc, [&] {
                    Value flat = k.add(
                        k.mul(k.add(k.mul(k.add(k.mul(bn, height), ih), width),
                                    iw),
                              channels),
                        c);
                    return accumulateKept(acc, flat, [&] {
                      return k.load(dy, {bn, y, xo, f});
                    });
                  });
                });
              });
            });
          });
      k.store(k.castFloat(sum, resultElement), dw, {a, b, c, f});
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
