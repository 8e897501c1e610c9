//===- ApplyMinK.cpp - DropIT on the saved inputs of linear layers --------===//
//
// sparse-train-apply-min-k: in a joint training step, the weight gradient of
// a linear layer (a matmul-shaped contraction over the rows of a saved
// activation X and of the output gradient G) or the filter gradient of a
// convolution (X its input) is computed from min_k_retain(X) by
// min_k_weight_grad instead of from X. X's forward uses stay dense, so the
// forward results do not change.
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
    if (!isJointStep(func, forwardResults, funcName))
      return;
    retained.clear();
    FailureOr<TrainingGraph> graph = TrainingGraph::build(
        func, makeTrainingGraphOptions(forwardResults, tangents, params));
    if (failed(graph))
      return signalPassFailure();
    SmallVector<LinearLayer> layers = findLinearLayers(*graph);
    warnAboutMissingLayers(func, getArgument(), layers.size(), layerIndices);
    warnAboutMissingLayerNames(func, getArgument(), layers, layerNames);
    for (LinearLayer &layer : layers) {
      Value x = layer.input;
      bool selected =
          isLayerSelected(layer, layers.size(), layerIndices, layerNames);
      for (WeightGradient &grad : layer.gradients) {
        InFlightDiagnostic remark = grad.op->emitRemark();
        remark << layer.getLabel() << ": ";
        if (!selected) {
          remark << "not rewritten to sparse_train.min_k_weight_grad: "
                 << getNotSelectedReason(layerIndices, layerNames);
          continue;
        }
        if (!isZeroTensor(grad.op.getDpsInits()[0])) {
          remark << "not rewritten: the weight "
                 << "gradient accumulates into a non-zero tensor";
          continue;
        }
        auto xType = dyn_cast<RankedTensorType>(x.getType());
        auto resultType =
            cast<RankedTensorType>(grad.op->getResult(0).getType());
        Value other = grad.p == x ? grad.q : grad.p;
        if (grad.conv) {
          std::optional<std::array<int64_t, 4>> padding =
              getConvPadding(*grad.conv, resultType);
          if (!xType || !xType.hasStaticShape() ||
              !resultType.hasStaticShape() ||
              !cast<RankedTensorType>(other.getType()).hasStaticShape() ||
              !padding) {
            remark << "not rewritten: the saved input, "
                   << "the output gradient or the filter gradient has a "
                   << "dynamic shape or a window no padding explains";
            continue;
          }
          remark.abandon();
          rewriteConv(grad, *padding, *retainEncoding, layer, *graph);
          continue;
        }
        if (!xType || xType.getRank() != 2 || !xType.hasStaticShape() ||
            !resultType.hasStaticShape() ||
            !cast<RankedTensorType>(other.getType()).hasStaticShape()) {
          remark << "not rewritten: the saved input, "
                 << "the output gradient or the weight gradient is not a "
                 << "static 2-D tensor";
          continue;
        }
        remark.abandon();
        rewrite(x, grad, *retainEncoding, layer, *graph);
      }
    }
  }

  /// The retained form of `x` with its dimensions permuted by `perm`
  /// (made right after x's definition, once).
  Value getRetained(Value x, ArrayRef<int64_t> perm,
                    RetainEncoding retainEncoding, const TrainingGraph &graph) {
    auto key = std::make_pair(x, SmallVector<int64_t, 4>(perm));
    auto it = llvm::find_if(retained,
                            [&](auto &entry) { return entry.first == key; });
    if (it != retained.end())
      return it->second;
    OpBuilder b(x.getContext());
    if (Operation *def = x.getDefiningOp())
      b.setInsertionPointAfter(def);
    else
      b.setInsertionPointToStart(&graph.getFunction().getBody().front());
    Value input = permute(b, x.getLoc(), x, perm);
    Value result = MinKRetainOp::create(
        b, x.getLoc(), input, b.getF64FloatAttr(keepRatio), IntegerAttr(),
        GranularityAttr::get(b.getContext(), Granularity::Tensor),
        RetainEncodingAttr::get(b.getContext(), retainEncoding));
    retained.push_back({key, result});
    return result;
  }

  /// Replaces the gradient op by `result` with a remark, first saving the
  /// ReLU masks that read the layer's input (option relu-mask).
  void replace(WeightGradient &grad, Value result, LinearLayer &layer,
               const TrainingGraph &graph) {
    bool hadReaders = !layer.otherReaders.empty();
    if (reluMask)
      saveReluMasks(layer, graph);
    InFlightDiagnostic remark = grad.op->emitRemark();
    remark << layer.getLabel() << ": " << (grad.conv ? "filter" : "weight")
           << " gradient rewritten to "
           << "sparse_train.min_k_weight_grad of the saved input retained "
           << "with keep ratio " << keepRatio;
    if (!layer.otherReaders.empty())
      remark << "; the dense input stays alive: the backward also reads it ("
             << getOtherReaderName(layer) << ")";
    else if (hadReaders)
      remark << "; the ReLU backward reads an i1 mask saved in the forward "
                "instead of the input";
    SmallVector<Value> inputs = grad.op.getDpsInputs();
    grad.op->getResult(0).replaceAllUsesWith(result);
    grad.op->erase();
    eraseDeadProducers(inputs);
  }

  /// A convolution's filter gradient from the input retained in NHWC.
  void rewriteConv(WeightGradient &grad, ArrayRef<int64_t> padding,
                   RetainEncoding retainEncoding, LinearLayer &layer,
                   const TrainingGraph &graph) {
    const ConvMatch &conv = *grad.conv;
    Value r = getRetained(grad.p, conv.imagePerm, retainEncoding, graph);
    OpBuilder b(grad.op);
    Location loc = grad.op.getLoc();
    auto resultType = cast<RankedTensorType>(grad.op->getResult(0).getType());
    Value dy = permute(b, loc, grad.q, conv.otherPerm);
    Value dw = MinKWeightGradOp::create(
        b, loc,
        RankedTensorType::get(permuteShape(resultType, conv.resultPerm),
                              resultType.getElementType()),
        r, dy, b.getDenseI64ArrayAttr(conv.strides),
        b.getDenseI64ArrayAttr(conv.dilations),
        b.getDenseI64ArrayAttr(padding));
    replace(grad, permute(b, loc, dw, invertPermutation(conv.resultPerm)),
            layer, graph);
  }

  void rewrite(Value x, WeightGradient &grad, RetainEncoding retainEncoding,
               LinearLayer &layer, const TrainingGraph &graph) {
    Value retained = getRetained(x, {}, retainEncoding, graph);
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
    replace(grad, result, layer, graph);
  }

  /// The retained forms made: (input, permutation) -> retained value.
  SmallVector<std::pair<std::pair<Value, SmallVector<int64_t, 4>>, Value>>
      retained;
};

} // namespace
