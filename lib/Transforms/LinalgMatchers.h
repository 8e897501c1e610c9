//===- LinalgMatchers.h - small matchers the apply passes share -*- C++ -*-===//
//
// Predicates on linalg ops and tensors that the sparse-train-apply-* passes
// use to recognize what a frontend emitted.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_LIB_TRANSFORMS_LINALGMATCHERS_H
#define SPARSETRAIN_LIB_TRANSFORMS_LINALGMATCHERS_H

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

/// True when the tensor is all zeros: a zero fill or a zero constant.
inline bool isZeroTensor(Value tensor) {
  if (auto fill = tensor.getDefiningOp<linalg::FillOp>())
    return matchPattern(fill.value(), m_AnyZeroFloat());
  return matchPattern(tensor, m_AnyZeroFloat());
}

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_TRANSFORMS_LINALGMATCHERS_H
