//===- ApplyMinK.cpp - DropIT on the saved inputs of linear layers --------===//
//
// sparse-train-apply-min-k: in a joint training step, the weight gradient of
// a linear layer, a matmul-shaped contraction over the rows of a saved
// activation X and of the output gradient G, is computed from
// min_k_retain(X) by min_k_weight_grad instead of from X. X's forward uses
// stay dense, so the forward results do not change.
//
//===----------------------------------------------------------------------===//

#include "LinalgMatchers.h"
#include "LinearLayers.h"
#include "SparseTrain/Analysis/TrainingGraph.h"
#include "SparseTrain/IR/SparseTrainOps.h"
#include "SparseTrain/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_SPARSETRAINAPPLYMINKPASS
#include "SparseTrain/Transforms/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

namespace {

struct ApplyMinKPass
    : public sparse_train::impl::SparseTrainApplyMinKPassBase<ApplyMinKPass> {
  using SparseTrainApplyMinKPassBase::SparseTrainApplyMinKPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (!(keepRatio >= 0.0 && keepRatio <= 1.0)) {
      func.emitError() << "sparse-train-apply-min-k: keep-ratio must be in "
                          "[0, 1], got "
                       << keepRatio;
      return signalPassFailure();
    }
    std::optional<RetainEncoding> retainEncoding =
        symbolizeRetainEncoding(encoding);
    if (!retainEncoding) {
      func.emitError() << "sparse-train-apply-min-k: encoding must be bitmask "
                          "or indices, got '"
                       << encoding << "'";
      return signalPassFailure();
    }
    if (!isJointStep(func, forwardResults))
      return;
    retainedOf.clear();
    FailureOr<TrainingGraph> graph = TrainingGraph::build(
        func, makeTrainingGraphOptions(forwardResults, tangents, params));
    if (failed(graph))
      return signalPassFailure();
    SmallVector<LinearLayer> layers = findLinearLayers(*graph);
    warnAboutMissingLayers(func, getArgument(), layers.size(), layerIndices);
    for (auto [index, layer] : llvm::enumerate(layers)) {
      Value x = layer.input;
      bool selected = isLayerSelected(index, layers.size(), layerIndices);
      for (WeightGradient &grad : layer.gradients) {
        InFlightDiagnostic remark = grad.op->emitRemark();
        if (!selected) {
          remark << "layer " << index << ": not rewritten to "
                 << "sparse_train.min_k_weight_grad: "
                 << (layerIndices.empty()
                         ? "the first and the last layer keep their input "
                           "(DropIT's default; choose layers with `layers`)"
                         : "not among the chosen layers");
          continue;
        }
        if (!isZeroTensor(grad.op.getDpsInits()[0])) {
          remark << "layer " << index << ": not rewritten: the weight "
                 << "gradient accumulates into a non-zero tensor";
          continue;
        }
        auto xType = dyn_cast<RankedTensorType>(x.getType());
        auto resultType =
            cast<RankedTensorType>(grad.op->getResult(0).getType());
        Value other = grad.p == x ? grad.q : grad.p;
        if (!xType || xType.getRank() != 2 || !xType.hasStaticShape() ||
            !resultType.hasStaticShape() ||
            !cast<RankedTensorType>(other.getType()).hasStaticShape()) {
          remark << "layer " << index << ": not rewritten: the saved input, "
                 << "the output gradient or the weight gradient is not a "
                 << "static 2-D tensor";
          continue;
        }
        remark.abandon();
        rewrite(index, x, grad, *retainEncoding, layer.otherReader, *graph);
      }
    }
  }

  /// `others` names a backward reader of x that keeps it alive, if any.
  void rewrite(unsigned index, Value x, WeightGradient &grad,
               RetainEncoding retainEncoding, StringRef others,
               const TrainingGraph &graph) {
    Value retained = retainedOf.lookup(x);
    if (!retained) {
      OpBuilder b(x.getContext());
      if (Operation *def = x.getDefiningOp())
        b.setInsertionPointAfter(def);
      else
        b.setInsertionPointToStart(&graph.getFunction().getBody().front());
      retained = MinKRetainOp::create(
          b, x.getLoc(), x, b.getF64FloatAttr(keepRatio), IntegerAttr(),
          GranularityAttr::get(b.getContext(), Granularity::Tensor),
          RetainEncodingAttr::get(b.getContext(), retainEncoding));
      retainedOf[x] = retained;
    }
    OpBuilder b(grad.op);
    Value other = grad.p == x ? grad.q : grad.p;
    // C = P^T Q has the type of min_k_weight_grad (x^T other) when x is P,
    // of its transpose when x is Q.
    auto cType = cast<RankedTensorType>(grad.op->getResult(0).getType());
    auto resultType =
        grad.p == x ? cType
                    : cType.clone({cType.getDimSize(1), cType.getDimSize(0)});
    Value result = MinKWeightGradOp::create(
        b, grad.op.getLoc(), resultType, retained, other, DenseI64ArrayAttr(),
        DenseI64ArrayAttr(), DenseI64ArrayAttr());
    // C = P^T Q: x^T other when x is P, (x^T other)^T when x is Q.
    if (grad.q == x) {
      Value init = tensor::EmptyOp::create(
          b, grad.op.getLoc(),
          ArrayRef<int64_t>{resultType.getDimSize(1), resultType.getDimSize(0)},
          resultType.getElementType());
      result = linalg::TransposeOp::create(b, grad.op.getLoc(), result, init,
                                           ArrayRef<int64_t>{1, 0})
                   .getResult()[0];
    }
    InFlightDiagnostic remark = grad.op->emitRemark();
    remark << "layer " << index << ": weight gradient rewritten to "
           << "sparse_train.min_k_weight_grad of the saved input retained "
           << "with keep ratio " << keepRatio;
    if (!others.empty())
      remark << "; the dense input stays alive: the backward also reads it ("
             << others << ")";
    grad.op->getResult(0).replaceAllUsesWith(result);
    grad.op->erase();
  }

  /// The retained form of each saved input already made.
  llvm::DenseMap<Value, Value> retainedOf;
};

} // namespace
