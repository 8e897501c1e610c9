//===- LinearLayers.cpp - linear layers of a joint training step ----------===//

#include "LinearLayers.h"
#include "LinalgMatchers.h"
#include "SparseTrain/Utils/MatmulMaps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::sparse_train;

/// `v` without a 2-D transpose in front of it, and whether there was one.
static std::pair<Value, bool> lookThroughTranspose(Value v) {
  if (auto t = v.getDefiningOp<linalg::TransposeOp>())
    if (t.getPermutation() == ArrayRef<int64_t>{1, 0})
      return {t.getInput(), true};
  return {v, false};
}

/// `op` as `C = P^T Q`, if it is a weight-gradient contraction.
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

/// Whether `op` is one of `gradOps` or a transpose or pad whose results
/// only reach them (through more transposes and pads).
static bool onlyFeeds(Operation *op,
                      const llvm::SmallPtrSetImpl<Operation *> &gradOps) {
  if (gradOps.contains(op))
    return true;
  if (!isa<linalg::TransposeOp, tensor::PadOp>(op))
    return false;
  return llvm::all_of(op->getUsers(),
                      [&](Operation *user) { return onlyFeeds(user, gradOps); });
}

SmallVector<LinearLayer>
mlir::sparse_train::findLinearLayers(const TrainingGraph &graph) {
  SmallVector<LinearLayer> layers;
  Block &body = graph.getFunction().getBody().front();
  for (const SavedValue &saved : graph.getSaved()) {
    if (saved.isParameter)
      continue;
    LinearLayer layer{saved.value, {}, ""};
    for (Operation &op : body.without_terminator()) {
      auto linalgOp = dyn_cast<linalg::LinalgOp>(&op);
      if (!linalgOp || !graph.isBackward(&op))
        continue;
      if (std::optional<WeightGradient> grad = matchWeightGradient(linalgOp)) {
        if (grad->p == saved.value || grad->q == saved.value)
          layer.gradients.push_back(*grad);
        continue;
      }
      std::string reason;
      std::optional<ConvMatch> conv = matchConv(linalgOp, reason);
      if (conv && conv->kind == ConvKind::BackwardFilter &&
          conv->image.source == saved.value)
        layer.gradients.push_back(
            WeightGradient{linalgOp, conv->image.source, conv->other.source,
                           std::make_shared<const ConvMatch>(*conv)});
    }
    if (layer.gradients.empty())
      continue;
    llvm::SmallPtrSet<Operation *, 4> gradOps;
    for (WeightGradient &grad : layer.gradients)
      gradOps.insert(grad.op);
    for (Operation *user : saved.backwardUsers)
      if (!onlyFeeds(user, gradOps))
        layer.otherReader = user->getName().getStringRef().str();
    layers.push_back(std::move(layer));
  }
  return layers;
}

bool mlir::sparse_train::isLayerSelected(unsigned index, unsigned count,
                                         ArrayRef<unsigned> chosen) {
  if (chosen.empty())
    return index != 0 && index + 1 != count;
  return llvm::is_contained(chosen, index);
}

void mlir::sparse_train::warnAboutMissingLayers(func::FuncOp func,
                                                StringRef pass, unsigned count,
                                                ArrayRef<unsigned> chosen) {
  for (unsigned index : chosen)
    if (index >= count)
      func.emitWarning() << pass << ": layer " << index
                         << " does not exist (the step has " << count
                         << " layers)";
}

bool mlir::sparse_train::isJointStep(func::FuncOp func,
                                     unsigned forwardResults) {
  return !func.isExternal() && func.getBody().hasOneBlock() &&
         func.getNumResults() > forwardResults;
}

TrainingGraphOptions
mlir::sparse_train::makeTrainingGraphOptions(unsigned forwardResults,
                                             ArrayRef<unsigned> tangents,
                                             ArrayRef<unsigned> params) {
  TrainingGraphOptions options;
  options.numForwardResults = forwardResults;
  options.tangentArgs.assign(tangents.begin(), tangents.end());
  options.parameterArgs.assign(params.begin(), params.end());
  return options;
}
