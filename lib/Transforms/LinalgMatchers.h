//===- LinalgMatchers.h - small matchers the apply passes share -*- C++ -*-===//
//
// Predicates on linalg ops and tensors that the sparse-train-apply-* passes
// use to recognize what a frontend emitted.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_LIB_TRANSFORMS_LINALGMATCHERS_H
#define SPARSETRAIN_LIB_TRANSFORMS_LINALGMATCHERS_H

#include "SparseTrain/Utils/MatmulMaps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"

namespace mlir {
namespace sparse_train {

/// True when the body of `op` is `out + in0 * in1` (any operand order):
/// the multiply-accumulate of a contraction or a convolution.
inline bool isMultiplyAccumulate(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  if (!body || body->getNumArguments() != 3 ||
      body->getOperations().size() != 3)
    return false;
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto addf = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!addf)
    return false;
  Value acc = body->getArgument(2);
  if (addf.getLhs() != acc && addf.getRhs() != acc)
    return false;
  Value product = addf.getLhs() == acc ? addf.getRhs() : addf.getLhs();
  auto mulf = product.getDefiningOp<arith::MulFOp>();
  return mulf &&
         llvm::is_contained(mulf->getOperands(), body->getArgument(0)) &&
         llvm::is_contained(mulf->getOperands(), body->getArgument(1));
}

/// The transpose form `(transA, transB)` of `op` when it is a 2-D
/// contraction `C[i, j] += op(A)[i, k] * op(B)[k, j]` on tensors (named or
/// generic) in one of the four matmul forms of getMatmulMaps.
inline std::optional<std::pair<bool, bool>>
getMatmulForm(linalg::LinalgOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureTensorSemantics() || !isMultiplyAccumulate(op))
    return std::nullopt;
  return getMatmulTransposes(op.getContext(), op.getIndexingMapsArray());
}

/// `v` without a 2-D transpose in front of it, and whether there was one.
inline std::pair<Value, bool> lookThroughTranspose2D(Value v) {
  if (auto t = v.getDefiningOp<linalg::TransposeOp>())
    if (t.getPermutation() == ArrayRef<int64_t>{1, 0})
      return {t.getInput(), true};
  return {v, false};
}

/// True when the tensor is all zeros: a zero fill or a zero constant.
inline bool isZeroTensor(Value tensor) {
  if (auto fill = tensor.getDefiningOp<linalg::FillOp>())
    return matchPattern(fill.value(), m_AnyZeroFloat());
  return matchPattern(tensor, m_AnyZeroFloat());
}

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_TRANSFORMS_LINALGMATCHERS_H
