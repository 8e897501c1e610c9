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
#include "SparseTrain/Analysis/TrainingGraph.h"
#include "SparseTrain/IR/SparseTrainOps.h"
#include "SparseTrain/Transforms/Passes.h"
#include "SparseTrain/Utils/MatmulMaps.h"

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

/// A weight-gradient contraction `C[m, n] = sum_r P[r, m] * Q[r, n]`, with
/// P and Q found through transposes.
struct WeightGradient {
  linalg::LinalgOp op;
  Value p, q;
};

/// `v` without a 2-D transpose in front of it, and whether there was one.
static std::pair<Value, bool> lookThroughTranspose(Value v) {
  if (auto t = v.getDefiningOp<linalg::TransposeOp>())
    if (t.getPermutation() == ArrayRef<int64_t>{1, 0})
      return {t.getInput(), true};
  return {v, false};
}

/// `op` as `C = P^T Q` over 2-D tensors, from any of the four matmul
/// transpose forms, named or generic.
static std::optional<WeightGradient> matchWeightGradient(linalg::LinalgOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureTensorSemantics() || !isMultiplyAccumulate(op))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  for (bool transA : {false, true})
    for (bool transB : {false, true}) {
      if (ArrayRef<AffineMap>(maps) !=
          ArrayRef<AffineMap>(getMatmulMaps(op.getContext(), transA, transB)))
        continue;
      // P[r, m]: A itself when transposed by the maps, else A must be a
      // transpose of P. Q[r, n]: B itself unless transposed by the maps.
      auto [a, aWasTransposed] = lookThroughTranspose(op.getDpsInputs()[0]);
      Value p = transA ? op.getDpsInputs()[0] : (aWasTransposed ? a : Value());
      auto [b, bWasTransposed] = lookThroughTranspose(op.getDpsInputs()[1]);
      Value q = !transB ? op.getDpsInputs()[1] : (bWasTransposed ? b : Value());
      if (!p || !q)
        return std::nullopt;
      return WeightGradient{op, p, q};
    }
  return std::nullopt;
}

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
    // Only joint steps: one block, gradient results after the forward ones.
    if (func.isExternal() || !func.getBody().hasOneBlock() ||
        func.getNumResults() <= forwardResults)
      return;
    retainedOf.clear();
    TrainingGraphOptions options;
    options.numForwardResults = forwardResults;
    options.tangentArgs.assign(tangents.begin(), tangents.end());
    options.parameterArgs.assign(params.begin(), params.end());
    FailureOr<TrainingGraph> graph = TrainingGraph::build(func, options);
    if (failed(graph))
      return signalPassFailure();

    // The layers: saved activations that feed a weight gradient as P or
    // Q, in the order the function defines them.
    struct Layer {
      const SavedValue *saved;
      SmallVector<WeightGradient> gradients;
    };
    SmallVector<Layer> layers;
    for (const SavedValue &saved : graph->getSaved()) {
      if (saved.isParameter)
        continue;
      Layer layer{&saved, {}};
      for (Operation &user : func.getBody().front().without_terminator()) {
        auto linalgOp = dyn_cast<linalg::LinalgOp>(&user);
        if (!linalgOp || !graph->isBackward(&user))
          continue;
        if (std::optional<WeightGradient> grad = matchWeightGradient(linalgOp))
          if (grad->p == saved.value || grad->q == saved.value)
            layer.gradients.push_back(*grad);
      }
      if (!layer.gradients.empty())
        layers.push_back(layer);
    }

    llvm::DenseSet<unsigned> chosen(layerIndices.begin(), layerIndices.end());
    for (unsigned index : layerIndices)
      if (index >= layers.size())
        func.emitWarning() << "sparse-train-apply-min-k: layer " << index
                           << " does not exist (the step has " << layers.size()
                           << " layers)";
    for (auto [index, layer] : llvm::enumerate(layers)) {
      Value x = layer.saved->value;
      // The backward readers of x other than its weight gradients (and the
      // transposes that only feed them), named before any rewrite.
      llvm::SmallPtrSet<Operation *, 4> gradOps;
      for (WeightGradient &grad : layer.gradients)
        gradOps.insert(grad.op);
      std::string others;
      for (Operation *user : layer.saved->backwardUsers) {
        bool feedsGradients = isa<linalg::TransposeOp>(user) &&
                              llvm::all_of(user->getUsers(), [&](Operation *u) {
                                return gradOps.contains(u);
                              });
        if (!gradOps.contains(user) && !feedsGradients)
          others = user->getName().getStringRef().str();
      }
      bool selected = layerIndices.empty()
                          ? index != 0 && index + 1 != layers.size()
                          : chosen.contains(index);
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
        rewrite(index, x, grad, *retainEncoding, others, *graph);
      }
    }
  }

  /// Computes `grad` from min_k_retain(x) (one retain per saved input).
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
