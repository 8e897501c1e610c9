//===- MinKToLoops.cpp - reference lowering of the DropIT ops -------------===//
//
// min_k_retain: ordering keys, exact top-K selection per set, compaction in
// index order into values + indices or bitmask. min_k_restore: scatter.
// min_k_weight_grad: loops over the kept entries only.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "MinKParts.h"
#include "Selection.h"
#include "SparseTrain/Conversion/SparseTrainToLoops.h"
#include "SparseTrain/IR/SparseTrainOps.h"
#include "ZeroSkipConvParts.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace {

/// Calls `body(flatIndex, valueIndex)` for every kept entry, in ascending
/// flat index order.
template <typename Body>
static void forEachKept(KernelBuilder &k, RetainedType type,
                        const RetainedParts &parts, Body body) {
  if (type.getEncoding() == RetainEncoding::Indices) {
    k.forEach(k.index(0), k.dim(parts.values, 0), [&](Value j) {
      body(k.indexCast(k.b.getIndexType(), k.load(parts.positions, j)), j);
    });
    return;
  }
  Type i32 = k.b.getI32Type();
  k.forAccumulate(
      k.index(0), parts.numElements, {k.index(0)},
      [&](Value i, ValueRange acc) {
        Value word = k.load(parts.positions, k.divU(i, k.index(32)));
        Value shift = k.indexCast(i32, k.remU(i, k.index(32)));
        Value bit =
            k.andI(arith::ShRUIOp::create(k.b, word, shift), k.integer(i32, 1));
        Value set = k.cmp(arith::CmpIPredicate::ne, bit, k.integer(i32, 0));
        k.ifThen(set, [&] { body(i, acc[0]); });
        Value next = k.select(set, k.add(acc[0], k.index(1)), acc[0]);
        return SmallVector<Value>{next};
      });
}

struct MinKRetainLowering : public OpConversionPattern<MinKRetainOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MinKRetainOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    KernelBuilder k(rewriter, op.getLoc());
    RetainedType type = op.getType();
    RankedTensorType inputType = op.getInput().getType();
    Value input = adaptor.getInput();
    Type i64 = k.b.getI64Type(), i8 = k.b.getI8Type();

    SmallVector<Type> partTypes;
    if (failed(getTypeConverter()->convertType(type, partTypes)))
      return failure();
    RetainSetup setup = setUpRetain(k, op, input, partTypes);
    Value numElements = setup.numElements, setLength = setup.setLength;
    Value values = setup.values, positions = setup.positions;
    bool bitmask = setup.bitmask;

    // Keys, then the selection of each set.
    Value x = k.bufferOf(flatten(k, input));
    Value keys = k.alloc({ShapedType::kDynamic}, i64, numElements);
    Value keep = k.alloc({ShapedType::kDynamic}, i8, numElements);
    k.forEach(k.index(0), numElements, [&](Value i) {
      k.store(emitMagnitudeKey(k, k.load(x, i), i64), keys, i);
      k.store(k.integer(i8, 0), keep, i);
    });
    k.forEach(k.index(0), setup.numSets, [&](Value set) {
      emitTopKSelection(k, keys, keep, k.mul(set, setLength), setLength,
                        setup.keepPerSet);
    });

    // Compaction in index order.
    Type positionType = cast<MemRefType>(positions.getType()).getElementType();
    k.forAccumulate(
        k.index(0), numElements, {k.index(0)}, [&](Value i, ValueRange acc) {
          Value take = k.cmp(arith::CmpIPredicate::ne, k.load(keep, i),
                             k.integer(i8, 0));
          k.ifThen(take, [&] {
            k.store(k.load(x, i), values, acc[0]);
            if (bitmask) {
              Value word = k.divU(i, k.index(32));
              Value bit = arith::ShLIOp::create(
                  k.b, k.integer(positionType, 1),
                  k.indexCast(positionType, k.remU(i, k.index(32))));
              k.store(k.orI(k.load(positions, word), bit), positions, word);
            } else {
              k.store(k.indexCast(positionType, i), positions, acc[0]);
            }
          });
          return SmallVector<Value>{
              k.select(take, k.add(acc[0], k.index(1)), acc[0])};
        });

    SmallVector<Value> parts = setup.resultParts(k, inputType);
    rewriter.replaceOpWithMultiple(op, {parts});
    return success();
  }
};

struct MinKRestoreLowering : public OpConversionPattern<MinKRestoreOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MinKRestoreOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    KernelBuilder k(rewriter, op.getLoc());
    RetainedType type = op.getRetained().getType();
    RetainedParts parts = unpackRetained(k, type, adaptor.getRetained());
    // Zeros of the dense shape, then each kept value at the multi-index of
    // its flat position.
    Value dense =
        k.allocZeros(op.getType(), type.getElementType(), parts.shape);
    forEachKept(k, type, parts, [&](Value i, Value j) {
      SmallVector<Value, 4> at(parts.shape.size());
      Value rest = i;
      for (int64_t d = parts.shape.size() - 1; d >= 0; --d) {
        at[d] = d == 0 ? rest : k.remU(rest, parts.shape[d]);
        rest = k.divU(rest, parts.shape[d]);
      }
      k.store(k.load(parts.values, j), dense, at);
    });
    Value result = k.tensorOf(dense);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct MinKWeightGradLowering : public OpConversionPattern<MinKWeightGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MinKWeightGradOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    KernelBuilder k(rewriter, op.getLoc());
    RetainedType type = op.getRetained().getType();
    RetainedParts parts = unpackRetained(k, type, adaptor.getRetained());
    RankedTensorType resultType = op.getType();
    Type accType = getAccumulatorType(type.getElementType());
    Value dyTensor = adaptor.getGradOutput().front();

    // The gradient accumulates in the accumulator type. Its dynamic sizes:
    // [in, out] come from x and dy; [KH, KW, C, F] from the result type
    // (KH, KW must be static), x and dy.
    auto dyType = cast<RankedTensorType>(dyTensor.getType());
    SmallVector<Value> sizes;
    if (op.isConvForm()) {
      if (resultType.isDynamicDim(0) || resultType.isDynamicDim(1))
        return rewriter.notifyMatchFailure(op, "dynamic filter size");
      sizes = {k.index(resultType.getDimSize(0)),
               k.index(resultType.getDimSize(1)), parts.shape[3],
               tensor::DimOp::create(k.b, dyTensor, 3)};
    } else {
      sizes = {parts.shape.back(),
               tensor::DimOp::create(k.b, dyTensor, dyType.getRank() - 1)};
    }
    Value dw = k.allocZeros(resultType, accType, sizes);

    if (!op.isConvForm()) {
      // dW[c, o] += x[r, c] * dy[r, o] over the kept (r, c).
      Value dy = k.bufferOf(flattenToMatrix(k, dyTensor));
      Value in = parts.shape.back();
      Value out = k.dim(dy, 1);
      forEachKept(k, type, parts, [&](Value flatIndex, Value j) {
        Value r = k.divU(flatIndex, in), c = k.remU(flatIndex, in);
        Value v = k.castFloat(k.load(parts.values, j), accType);
        k.forEach(k.index(0), out, [&](Value o) {
          Value g = k.castFloat(k.load(dy, {r, o}), accType);
          Value sum = k.addF(k.load(dw, {c, o}), k.mulF(v, g));
          k.store(sum, dw, {c, o});
        });
      });
    } else {
      // dW[kh, kw, c, f] += x[n, h, w, c] * dy[n, oh, ow, f] for every kept
      // (n, h, w, c) and every filter tap (kh, kw) that maps it to an output
      // position: h = oh * sh + kh * dh - top.
      Value dy = k.bufferOf(dyTensor);
      ConvWindowValues win = getConvWindowValues(k, op);
      Value channels = parts.shape[3], width = parts.shape[2],
            height = parts.shape[1];
      Value kh = k.dim(dw, 0), kw = k.dim(dw, 1), f = k.dim(dw, 3);
      Value oh = k.dim(dy, 1), ow = k.dim(dy, 2);
      forEachKept(k, type, parts, [&](Value flatIndex, Value j) {
        Value c = k.remU(flatIndex, channels);
        Value rest = k.divU(flatIndex, channels);
        Value w = k.remU(rest, width);
        rest = k.divU(rest, width);
        Value h = k.remU(rest, height);
        Value n = k.divU(rest, height);
        Value v = k.castFloat(k.load(parts.values, j), accType);
        k.forEach(k.index(0), kh, [&](Value a) {
          auto [y, insideH] =
              convOutputCoordinate(k, h, a, win.sh, win.dh, win.top, oh);
          k.ifThen(insideH, [&] {
            k.forEach(k.index(0), kw, [&](Value b) {
              auto [x, insideW] =
                  convOutputCoordinate(k, w, b, win.sw, win.dw, win.left, ow);
              k.ifThen(insideW, [&] {
                k.forEach(k.index(0), f, [&](Value g) {
                  Value d = k.castFloat(k.load(dy, {n, y, x, g}), accType);
                  Value sum = k.addF(k.load(dw, {a, b, c, g}), k.mulF(v, d));
                  k.store(sum, dw, {a, b, c, g});
                });
              });
            });
          });
        });
      });
    }

    rewriter.replaceOp(op, k.resultTensor(dw, resultType));
    return success();
  }
};

} // namespace

void mlir::sparse_train::populateMinKToLoopsPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<MinKRetainLowering, MinKRestoreLowering, MinKWeightGradLowering>(
      converter, patterns.getContext());
}
