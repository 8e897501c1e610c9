//===- ApplyZeroSkip.cpp - zero-skipping convolutions behind ReLUs --------===//
//
// sparse-train-apply-zero-skip: a convolution-shaped multiply-accumulate
// whose image operand is a ReLU output (or a gradient masked by one) becomes
// conv2d_zero_skip, conv2d_zero_skip_backward_data or
// conv2d_zero_skip_backward_filter. The operands are traced through
// transposes, zero padding and torch-mlir's weight flip; the three
// computations are then told apart by their indexing maps, so named and
// generic forms, NHWC and NCHW layouts, and torch-mlir's decomposed
// convolution_backward match alike.
//
//===----------------------------------------------------------------------===//

#include "ConvMatchers.h"
#include "LinalgMatchers.h"
#include "SparseTrain/IR/SparseTrainOps.h"
#include "SparseTrain/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_SPARSETRAINAPPLYZEROSKIPPASS
#include "SparseTrain/Transforms/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

namespace {

/// True when `v` is zero wherever a comparison with zero says so: the
/// yielded value of a ReLU (`max(v, 0)`, `select(v > 0, v, 0)`) or of a
/// ReLU's backward (`select(mask <= 0, 0, g)`), possibly at the end of a
/// fused body.
static bool isZeroedByComparison(Value v) {
  auto zero = [](Value x) { return matchPattern(x, m_AnyZeroFloat()); };
  Operation *def = v.getDefiningOp();
  if (!def)
    return false;
  if (isa<arith::MaximumFOp, arith::MaxNumFOp>(def))
    return zero(def->getOperand(0)) || zero(def->getOperand(1));
  if (auto select = dyn_cast<arith::SelectOp>(def)) {
    auto cmp = select.getCondition().getDefiningOp<arith::CmpFOp>();
    return cmp && (zero(cmp.getLhs()) || zero(cmp.getRhs())) &&
           (zero(select.getTrueValue()) || zero(select.getFalseValue()));
  }
  return false;
}

/// True when `tensor` is a ReLU output or a gradient masked by a ReLU: an
/// element-wise linalg op whose yielded value is zeroed by a comparison
/// with zero, or `arith.maximumf` of tensors with a zero splat.
static bool hasReluZeros(Value tensor) {
  Operation *def = tensor.getDefiningOp();
  if (!def)
    return false;
  if (isa<arith::MaximumFOp, arith::MaxNumFOp>(def))
    return isZeroedByComparison(tensor);
  auto linalgOp = dyn_cast<linalg::LinalgOp>(def);
  if (!linalgOp || linalgOp.getNumReductionLoops() != 0 || !linalgOp.getBlock())
    return false;
  auto result = cast<OpResult>(tensor);
  auto yield = cast<linalg::YieldOp>(linalgOp.getBlock()->getTerminator());
  return isZeroedByComparison(yield.getOperand(result.getResultNumber()));
}

struct ApplyZeroSkipPass
    : public sparse_train::impl::SparseTrainApplyZeroSkipPassBase<
          ApplyZeroSkipPass> {
  using SparseTrainApplyZeroSkipPassBase::SparseTrainApplyZeroSkipPassBase;

  void runOnOperation() override {
    if (maxDensity != -1.0 && !(maxDensity >= 0.0 && maxDensity <= 1.0)) {
      getOperation()->emitError()
          << "sparse-train-apply-zero-skip: max-density must be in [0, 1], got "
          << maxDensity;
      return signalPassFailure();
    }
    SmallVector<linalg::LinalgOp> candidates;
    getOperation()->walk(
        [&](linalg::LinalgOp op) { candidates.push_back(op); });
    for (linalg::LinalgOp op : candidates) {
      std::string reason;
      if (std::optional<ConvMatch> match = matchConv(op, reason))
        apply(op, *match);
      else if (!reason.empty())
        op->emitRemark() << "not rewritten to a sparse_train zero-skip "
                            "convolution: "
                         << reason;
    }
  }

  void apply(linalg::LinalgOp op, const ConvMatch &match) {
    static constexpr const char *kNames[] = {
        "conv2d_zero_skip", "conv2d_zero_skip_backward_data",
        "conv2d_zero_skip_backward_filter"};
    const char *name = kNames[static_cast<int>(match.kind)];
    auto decline = [&](const Twine &reason) {
      op->emitRemark() << "not rewritten to sparse_train." << name << ": "
                       << reason;
    };
    Value image = match.image.source, other = match.other.source;
    Value init = op.getDpsInits()[0];
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Type elementType = resultType.getElementType();
    if (!isa<FloatType>(elementType) ||
        getElementTypeOrSelf(image.getType()) != elementType ||
        getElementTypeOrSelf(other.getType()) != elementType)
      return decline("the operands and the result differ in element type");
    if (!hasReluZeros(image))
      return decline(match.kind == ConvKind::BackwardData
                         ? "the output gradient is not masked by a ReLU"
                         : "the input is not a ReLU output");
    bool transposed = false;
    for (auto [value, perm] :
         {std::make_pair(image, ArrayRef<int64_t>(match.imagePerm)),
          std::make_pair(other, ArrayRef<int64_t>(match.otherPerm)),
          std::make_pair(Value(op->getResult(0)),
                         ArrayRef<int64_t>(match.resultPerm))}) {
      if (isIdentityPermutation(perm))
        continue;
      transposed = true;
      if (!cast<RankedTensorType>(value.getType()).hasStaticShape())
        return decline("an operand in another layout than the op's has a "
                       "dynamic shape");
    }

    std::optional<std::array<int64_t, 4>> padding =
        getConvPadding(match, resultType);
    if (!padding)
      return decline("the window does not match a convolution with static "
                     "sizes and padding >= 0");

    OpBuilder b(op);
    Location loc = op.getLoc();
    auto strides = b.getDenseI64ArrayAttr(match.strides);
    auto dilations = b.getDenseI64ArrayAttr(match.dilations);
    auto paddingAttr = b.getDenseI64ArrayAttr(*padding);
    FloatAttr density =
        maxDensity == -1.0 ? FloatAttr() : b.getF64FloatAttr(maxDensity);
    auto opResultType = RankedTensorType::get(
        permuteShape(resultType, match.resultPerm), elementType);
    Value x = permute(b, loc, image, match.imagePerm);
    Value y = permute(b, loc, other, match.otherPerm);
    Operation *replacement = nullptr;
    switch (match.kind) {
    case ConvKind::Forward:
      replacement = Conv2DZeroSkipOp::create(b, loc, x, y, strides, dilations,
                                             paddingAttr, density);
      break;
    case ConvKind::BackwardData:
      replacement = Conv2DZeroSkipBackwardDataOp::create(
          b, loc, opResultType, x, y, strides, dilations, paddingAttr, density);
      break;
    case ConvKind::BackwardFilter:
      replacement = Conv2DZeroSkipBackwardFilterOp::create(
          b, loc, opResultType, x, y, strides, dilations, paddingAttr, density);
      break;
    }
    if (replacement->getResult(0).getType() != opResultType) {
      replacement->erase();
      eraseDeadProducers({x, y});
      return decline("the sizes do not match the op's window rules");
    }
    // Back to the result's layout, then the accumulator's values added.
    Value result = permute(b, loc, replacement->getResult(0),
                           invertPermutation(match.resultPerm));
    if (!isZeroTensor(init)) {
      Value empty =
          tensor::EmptyOp::create(b, loc, resultType.getShape(), elementType);
      result =
          linalg::AddOp::create(b, loc, TypeRange{resultType},
                                ValueRange{init, result}, ValueRange{empty})
              ->getResult(0);
    }
    op->emitRemark() << "rewritten to sparse_train." << name
                     << (match.kind == ConvKind::BackwardData
                             ? ": the output gradient is masked by a ReLU"
                             : ": the input is a ReLU output")
                     << (transposed ? "; transposed to and from the op's "
                                      "NHWC/HWCF layouts"
                                    : "");
    SmallVector<Value> inputs = op.getDpsInputs();
    op->getResult(0).replaceAllUsesWith(result);
    op->erase();
    eraseDeadProducers(inputs);
  }
};

} // namespace
