//===- KernelBuilder.h - loop-building helpers of the lowering ----*- C++
//-*-===//
//
// A thin layer over ImplicitLocOpBuilder for writing the reference kernels:
// constants, scf.for/scf.if with bodies given as lambdas, memref access,
// float widening and narrowing, and the tensor <-> memref boundary.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_LIB_CONVERSION_KERNELBUILDER_H
#define SPARSETRAIN_LIB_CONVERSION_KERNELBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir {
namespace sparse_train {

/// The type arithmetic happens in for elements of `type`: f32 for f16 and
/// bf16, the type itself otherwise.
inline Type getAccumulatorType(Type type) {
  if (type.isF16() || type.isBF16())
    return Float32Type::get(type.getContext());
  return type;
}

/// Builds the scalar and loop code of one kernel at one insertion point.
class KernelBuilder {
public:
  KernelBuilder(OpBuilder &builder, Location loc) : b(loc, builder) {}

  /// The underlying builder (its insertion point moves with the helpers).
  ImplicitLocOpBuilder b;

  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, value);
  }
  Value integer(Type type, int64_t value) {
    return arith::ConstantOp::create(b, type, b.getIntegerAttr(type, value));
  }
  Value floating(Type type, double value) {
    return arith::ConstantOp::create(b, type, b.getFloatAttr(type, value));
  }
  Value boolean(bool value) { return integer(b.getI1Type(), value); }

  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value divU(Value x, Value y) { return arith::DivUIOp::create(b, x, y); }
  Value remU(Value x, Value y) { return arith::RemUIOp::create(b, x, y); }
  /// ceil(x / y) for unsigned x and y > 0.
  Value ceilDivU(Value x, Value y) { return divU(add(x, sub(y, index(1))), y); }
  Value ceilDivU(Value x, int64_t y) {
    return divU(add(x, index(y - 1)), index(y));
  }
  Value maxU(Value x, Value y) { return arith::MaxUIOp::create(b, x, y); }
  Value minU(Value x, Value y) { return arith::MinUIOp::create(b, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, c, x, y);
  }
  Value andI(Value x, Value y) { return arith::AndIOp::create(b, x, y); }
  Value orI(Value x, Value y) { return arith::OrIOp::create(b, x, y); }
  Value addF(Value x, Value y) { return arith::AddFOp::create(b, x, y); }
  Value mulF(Value x, Value y) { return arith::MulFOp::create(b, x, y); }

  /// Converts an index to `type` (an integer type) or back.
  Value indexCast(Type type, Value v) {
    return arith::IndexCastOp::create(b, type, v);
  }

  /// An index from an integer or index value (buffer entries).
  Value toIndex(Value v) {
    if (v.getType().isIndex())
      return v;
    return indexCast(b.getIndexType(), v);
  }

  /// Converts a float between float types (extension, truncation or none).
  Value castFloat(Value v, Type to) {
    Type from = v.getType();
    if (from == to)
      return v;
    if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
      return arith::ExtFOp::create(b, to, v);
    return arith::TruncFOp::create(b, to, v);
  }

  Value load(Value memref, ValueRange indices) {
    return memref::LoadOp::create(b, memref, indices);
  }
  void store(Value value, Value memref, ValueRange indices) {
    memref::StoreOp::create(b, value, memref, indices);
  }
  Value dim(Value memref, int64_t d) {
    return memref::DimOp::create(b, memref, d);
  }

  /// A read-only buffer of `tensor` (identity layout).
  Value bufferOf(Value tensor) {
    auto type = cast<RankedTensorType>(tensor.getType());
    auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
    return bufferization::ToBufferOp::create(b, memrefType, tensor,
                                             /*read_only=*/true);
  }
  /// A fresh buffer of `shape` x `elementType` with the dynamic sizes given.
  Value alloc(ArrayRef<int64_t> shape, Type elementType,
              ValueRange dynamicSizes = {}, uint64_t alignment = 0) {
    return memref::AllocOp::create(
        b, MemRefType::get(shape, elementType), dynamicSizes,
        alignment ? b.getI64IntegerAttr(alignment) : IntegerAttr());
  }
  /// The tensor of a buffer this kernel filled and no one else aliases.
  Value tensorOf(Value memref) {
    auto type = cast<MemRefType>(memref.getType());
    return bufferization::ToTensorOp::create(
        b, RankedTensorType::get(type.getShape(), type.getElementType()),
        memref, /*restrict=*/true, /*writable=*/true);
  }

  /// `for (i = lb; i < ub; ++i) body(i)`.
  template <typename Body> void forEach(Value lb, Value ub, Body body) {
    forEachStep(lb, ub, 1, body);
  }

  /// `parallel for (i = lb; i < ub; ++i) body(i)`: an scf.parallel loop,
  /// which the CPU pipeline maps to OpenMP threads.
  template <typename Body> void forEachParallel(Value lb, Value ub, Body body) {
    auto loop = scf::ParallelOp::create(b, lb, ub, index(1));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    body(loop.getInductionVars()[0]);
  }

  /// `for (i = lb; i < ub; i += step) body(i)`.
  template <typename Body>
  void forEachStep(Value lb, Value ub, int64_t step, Body body) {
    auto loop = scf::ForOp::create(b, lb, ub, index(step));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    body(loop.getInductionVar());
  }

  /// A loop carrying `init`; `body(i, carried)` returns the next values.
  template <typename Body>
  SmallVector<Value> forAccumulate(Value lb, Value ub, ValueRange init,
                                   Body body) {
    auto loop = scf::ForOp::create(b, lb, ub, index(1), init);
    yieldFrom(loop.getBody(), [&] {
      return body(loop.getInductionVar(), loop.getRegionIterArgs());
    });
    return loop.getResults();
  }

  /// `if (cond) then()`.
  template <typename Then> void ifThen(Value cond, Then then) {
    auto op = scf::IfOp::create(b, cond, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op.thenBlock()->getTerminator());
    then();
  }

  /// `if (cond) then() else otherwise()`.
  template <typename Then, typename Else>
  void ifThenElse(Value cond, Then then, Else otherwise) {
    auto op = scf::IfOp::create(b, cond, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op.thenBlock()->getTerminator());
    then();
    b.setInsertionPoint(op.elseBlock()->getTerminator());
    otherwise();
  }

  /// `cond ? then() : otherwise()` for values of `types`.
  template <typename Then, typename Else>
  SmallVector<Value> ifThenElse(Value cond, TypeRange types, Then then,
                                Else otherwise) {
    auto op = scf::IfOp::create(b, types, cond, /*withElseRegion=*/true);
    yieldFrom(op.thenBlock(), then);
    yieldFrom(op.elseBlock(), otherwise);
    return op.getResults();
  }

  /// Fills `block` with `body()` and yields what it returns; without
  /// results the block already ends in its (empty) yield.
  template <typename Body> void yieldFrom(Block *block, Body body) {
    OpBuilder::InsertionGuard guard(b);
    if (block->mightHaveTerminator()) {
      b.setInsertionPoint(block->getTerminator());
      SmallVector<Value> none = body();
      assert(none.empty() && "results from a block without results");
      (void)none;
      return;
    }
    b.setInsertionPointToStart(block);
    scf::YieldOp::create(b, body());
  }

  /// Calls `body(indices)` for every element of `memref` (any rank), in
  /// row-major order.
  void forEachElement(Value memref, llvm::function_ref<void(ValueRange)> body) {
    forEachElementFrom(memref, body, {});
  }

  /// Sets every element of `memref` to `value`.
  void fill(Value memref, Value value) {
    forEachElement(memref, [&](ValueRange ivs) { store(value, memref, ivs); });
  }

  /// A fresh buffer of `shape` x `elementType`; `sizes` holds every
  /// dimension, of which the dynamic ones are used.
  Value allocShaped(ArrayRef<int64_t> shape, Type elementType,
                    ArrayRef<Value> sizes, uint64_t alignment = 0) {
    SmallVector<Value> dynamicSizes;
    for (auto [extent, size] : llvm::zip(shape, sizes))
      if (ShapedType::isDynamic(extent))
        dynamicSizes.push_back(size);
    return alloc(shape, elementType, dynamicSizes, alignment);
  }

  /// A zero-filled buffer shaped like `type` with elements `elementType`;
  /// `sizes` holds every dimension, of which the dynamic ones are used.
  Value allocZeros(RankedTensorType type, Type elementType,
                   ArrayRef<Value> sizes) {
    Value buffer = allocShaped(type.getShape(), elementType, sizes);
    fill(buffer, floating(elementType, 0.0));
    return buffer;
  }

  /// The result tensor of `type` from the accumulator buffer `acc`
  /// (converted to the result's element type when they differ).
  Value resultTensor(Value acc, RankedTensorType type) {
    return tensorOf(convertElements(acc, type.getElementType()));
  }

  /// `memref` itself when its elements are `elementType`; otherwise a new
  /// buffer of the same shape with every element converted to it.
  Value convertElements(Value memref, Type elementType) {
    auto type = cast<MemRefType>(memref.getType());
    if (type.getElementType() == elementType)
      return memref;
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < type.getRank(); ++d)
      sizes.push_back(dim(memref, d));
    Value result = allocShaped(type.getShape(), elementType, sizes);
    forEachElement(memref, [&](ValueRange ivs) {
      store(castFloat(load(memref, ivs), elementType), result, ivs);
    });
    return result;
  }

private:
  void forEachElementFrom(Value memref,
                          llvm::function_ref<void(ValueRange)> body,
                          SmallVector<Value> ivs) {
    auto type = cast<MemRefType>(memref.getType());
    if (static_cast<int64_t>(ivs.size()) == type.getRank()) {
      body(ivs);
      return;
    }
    forEach(index(0), dim(memref, ivs.size()), [&](Value i) {
      SmallVector<Value> next = ivs;
      next.push_back(i);
      forEachElementFrom(memref, body, next);
    });
  }
};

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_CONVERSION_KERNELBUILDER_H
