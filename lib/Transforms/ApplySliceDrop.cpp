//===- ApplySliceDrop.cpp - SliceOut on the unit chains of a step ---------===//
//
// sparse-train-apply-slice-drop: in a joint training step, the hidden units
// U of a linear unit chain (a contraction, element-wise ops such as the
// bias and the activation, and the contraction that reads U) are cut to a
// contiguous slice drawn by slice_start: the consumer reads slice_drop(U)
// and the matching rows of its weight, its weight gradient is computed from
// the slice and expanded back with zeros, and the gradient flowing back
// into U is computed from the weight's slice, scaled and expanded.
// sparse-train-propagate-slices then makes the chain's other products
// smaller.
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
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_SPARSETRAINAPPLYSLICEDROPPASS
#include "SparseTrain/Transforms/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

namespace {

/// A 2-D contraction `C[i, j] += op(A)[i, k] · op(B)[k, j]` in one of the
/// matmul transpose forms.
struct Contraction {
  linalg::LinalgOp op;
  /// The dimension of A and of B that the `k` loop indexes.
  int64_t kDim[2];
};

static std::optional<Contraction> matchContraction(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp)
    return std::nullopt;
  std::optional<std::pair<bool, bool>> form = getMatmulForm(linalgOp);
  if (!form)
    return std::nullopt;
  return Contraction{linalgOp, {form->first ? 0 : 1, form->second ? 1 : 0}};
}

/// The result position of `map` that is loop dimension `dim`, if any.
static std::optional<unsigned> getDimPosition(AffineMap map, unsigned dim) {
  return map.getResultPosition(getAffineDimExpr(dim, map.getContext()));
}

/// Any op with results may sit between a chain's value and the convolutions
/// reading it (transposes, pads, the weight flip): matchConv has traced the
/// operands through them.
static bool anyOp(Operation *) { return true; }

/// The forward convolution `op` is, if it is one.
static std::optional<ConvMatch> matchForwardConv(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp)
    return std::nullopt;
  std::string reason;
  std::optional<ConvMatch> match = matchConv(linalgOp, reason);
  if (!match || match->kind != ConvKind::Forward)
    return std::nullopt;
  return match;
}

/// Whether `v` is produced from a forward contraction's result (a forward
/// convolution's with `conv`) of the same shape through element-wise ops of
/// one such operand only (bias, activation): the hidden units of a linear
/// layer (the channels of a convolution).
static bool isHiddenUnits(Value v, const TrainingGraph &graph, bool conv) {
  auto type = cast<ShapedType>(v.getType());
  for (int depth = 0; depth < 8; ++depth) {
    Operation *def = v.getDefiningOp();
    if (!def || !graph.isForward(def))
      return false;
    if (conv ? matchForwardConv(def).has_value()
             : matchContraction(def).has_value())
      return true;
    auto generic = dyn_cast<linalg::GenericOp>(def);
    if (!generic || generic.getNumReductionLoops() != 0)
      return false;
    // Continue along the one input with v's shape and an identity map
    // (others are broadcasts such as a bias; two such inputs, as in a
    // residual sum, are not a unit chain).
    Value next;
    for (OpOperand *input : generic.getDpsInputOperands()) {
      if (input->get().getType() != type)
        continue;
      if (next || !generic.getMatchingIndexingMap(input).isIdentity())
        return false;
      next = input->get();
    }
    if (!next)
      return false;
    v = next;
  }
  return false;
}

/// A linalg op and the loop dimension that runs over a chain's units.
struct UnitLoop {
  linalg::LinalgOp op;
  unsigned dim;
};

/// The channels of a convolution unit chain: the forward convolution
/// reading them, its filter gradients computed from them and the data
/// gradients computing their gradient from the filter, each with its loop
/// over the channels.
struct ConvUnits {
  UnitLoop forward;
  SmallVector<UnitLoop> filterGradients, dataGradients;
  /// The channel dimension of the units.
  int64_t unitsDim;
};

/// A unit chain: the hidden units, the forward contraction reading them
/// (as its input `unitsOperand`) and the weight it multiplies them with,
/// and the backward products to rewrite. For a chain of convolutions,
/// `conv` holds the ops to rewrite and only `forward.op` of the
/// contraction fields is set.
struct UnitChain {
  Value units;
  Contraction forward;
  unsigned unitsOperand;
  /// Weight gradients computed from the units.
  SmallVector<Contraction> weightGradients;
  /// Contractions computing the gradient of the units from the weight.
  SmallVector<Contraction> unitGradients;
  Value weight;
  std::optional<ConvUnits> conv;
};

struct ApplySliceDropPass
    : public sparse_train::impl::SparseTrainApplySliceDropPassBase<
          ApplySliceDropPass> {
  using SparseTrainApplySliceDropPassBase::SparseTrainApplySliceDropPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (!(keepRatio > 0.0 && keepRatio <= 1.0)) {
      func.emitError() << "sparse-train-apply-slice-drop: keep-ratio must be "
                          "in (0, 1], got "
                       << static_cast<double>(keepRatio);
      return signalPassFailure();
    }
    if (align < 1) {
      func.emitError()
          << "sparse-train-apply-slice-drop: align must be at least 1";
      return signalPassFailure();
    }
    for (auto [name, index] :
         {std::make_pair("seed-arg", int64_t(seedArg)),
          std::make_pair("counter-arg", int64_t(counterArg))})
      if (index >= 0 &&
          (index >= static_cast<int64_t>(func.getNumArguments()) ||
           !func.getArgumentTypes()[index].isInteger(64))) {
        func.emitError() << "sparse-train-apply-slice-drop: " << name << " "
                         << index << " is not an i64 argument";
        return signalPassFailure();
      }
    if (!isJointStep(func, forwardResults, funcName))
      return;
    FailureOr<TrainingGraph> graph = TrainingGraph::build(
        func, makeTrainingGraphOptions(forwardResults, tangents, params));
    if (failed(graph))
      return signalPassFailure();

    std::vector<UnitChain> chains = findChains(*graph);
    warnAboutMissingLayers(func, getArgument(), chains.size(), layerIndices);
    for (auto [index, chain] : llvm::enumerate(chains)) {
      if (!layerIndices.empty() && !llvm::is_contained(layerIndices, index)) {
        chain.forward.op->emitRemark()
            << "unit chain " << index
            << ": not sliced: not among the chosen layers";
        continue;
      }
      rewrite(index, chain, *graph);
    }
  }

  /// The unit chains in the order the forward defines them; declined
  /// candidates get a remark.
  std::vector<UnitChain> findChains(const TrainingGraph &graph) {
    std::vector<UnitChain> chains;
    Block &body = graph.getFunction().getBody().front();
    for (Operation &op : body.without_terminator()) {
      if (!graph.isForward(&op))
        continue;
      if (std::optional<ConvMatch> conv = matchForwardConv(&op)) {
        if (std::optional<UnitChain> chain = findConvChain(op, *conv, graph))
          chains.push_back(std::move(*chain));
        continue;
      }
      std::optional<Contraction> forward = matchContraction(&op);
      if (!forward)
        continue;
      // The units are the operand indexed by the contraction dim and
      // produced by a linear layer; the other operand is the weight (a
      // parameter, possibly transposed).
      for (unsigned operand = 0; operand < 2; ++operand) {
        Value units = forward->op.getDpsInputs()[operand];
        Value weight =
            lookThroughTranspose2D(forward->op.getDpsInputs()[1 - operand])
                .first;
        auto arg = dyn_cast<BlockArgument>(weight);
        if (!isHiddenUnits(units, graph, /*conv=*/false) || !arg ||
            !graph.isParameterArg(arg.getArgNumber()))
          continue;
        UnitChain chain{units, *forward, operand, {}, {}, weight};
        std::string reason = classifyUses(chain, graph);
        if (!reason.empty()) {
          op.emitRemark() << "unit chain not sliced: " << reason;
          break;
        }
        chains.push_back(std::move(chain));
        break;
      }
    }
    return chains;
  }

  /// The convolution unit chain whose units the forward convolution `op`
  /// (matched as `match`) reads, if its image is the channels of another
  /// forward convolution and its filter a parameter; a declined candidate
  /// gets a remark.
  std::optional<UnitChain> findConvChain(Operation &op, const ConvMatch &match,
                                         const TrainingGraph &graph) {
    Value units = match.image.source;
    auto arg = dyn_cast<BlockArgument>(match.other.source);
    if (!isHiddenUnits(units, graph, /*conv=*/true) || !arg ||
        !graph.isParameterArg(arg.getArgNumber()))
      return std::nullopt;
    UnitChain chain;
    chain.units = units;
    chain.weight = match.other.source;
    chain.forward = Contraction{cast<linalg::LinalgOp>(op), {0, 0}};
    chain.unitsOperand = 0;
    // The channel dimension of the units (NHWC position 3 of the image).
    int64_t unitsDim = match.imagePerm[3];
    std::optional<unsigned> dim = match.image.forms[unitsDim].getPlainDim();
    std::string reason;
    if (!dim)
      reason = "the forward convolution does not read the units' channels "
               "with one loop";
    else {
      chain.conv = ConvUnits{{chain.forward.op, *dim}, {}, {}, unitsDim};
      reason = classifyConvUses(chain, graph);
    }
    if (!reason.empty()) {
      op.emitRemark() << "unit chain not sliced: " << reason;
      return std::nullopt;
    }
    return chain;
  }

  /// Finds the backward convolutions of a convolution unit chain (filter
  /// gradients from its units, data gradients from its filter) and checks
  /// that nothing else reads the units or the filter; returns why the chain
  /// cannot be sliced, or "".
  std::string classifyConvUses(UnitChain &chain, const TrainingGraph &graph) {
    ConvUnits &conv = *chain.conv;
    Block &body = graph.getFunction().getBody().front();
    for (Operation &op : body.without_terminator()) {
      auto linalgOp = dyn_cast<linalg::LinalgOp>(&op);
      if (!linalgOp || !graph.isBackward(&op))
        continue;
      std::string ignored;
      std::optional<ConvMatch> match = matchConv(linalgOp, ignored);
      if (!match)
        continue;
      // The loop over the units' channels: the image's channel in a filter
      // gradient, the filter's input channel (HWCF position 2) in a data
      // gradient.
      std::optional<unsigned> dim;
      SmallVector<UnitLoop> *list = nullptr;
      if (match->kind == ConvKind::BackwardFilter &&
          match->image.source == chain.units) {
        dim = match->image.forms[match->imagePerm[3]].getPlainDim();
        list = &conv.filterGradients;
      } else if (match->kind == ConvKind::BackwardData &&
                 match->other.source == chain.weight) {
        dim = match->other.forms[match->otherPerm[2]].getPlainDim();
        list = &conv.dataGradients;
      } else {
        continue;
      }
      if (!dim || !getDimPosition(linalgOp.getIndexingMapsArray().back(), *dim))
        return "a backward convolution does not compute the units' channels "
               "with one loop";
      if (!isZeroTensor(linalgOp.getDpsInits()[0]))
        return "a gradient accumulates into a non-zero tensor";
      list->push_back({linalgOp, *dim});
    }
    if (conv.filterGradients.empty() || conv.dataGradients.empty())
      return "no filter gradient or no data gradient found (torch-mlir's "
             "strided data gradient is a scatter, not a convolution)";
    llvm::SmallPtrSet<Operation *, 4> readers{conv.forward.op};
    for (UnitLoop &loop : conv.filterGradients)
      readers.insert(loop.op);
    for (Operation *user : chain.units.getUsers()) {
      if (onlyFeeds(user, readers, anyOp))
        continue;
      if (!graph.isBackward(user))
        return "the units have another forward reader (" +
               user->getName().getStringRef().str() + ")";
      // Element-wise readers (the activation's backward) stay dense.
      auto generic = dyn_cast<linalg::GenericOp>(user);
      if (!generic || generic.getNumReductionLoops() != 0)
        return "the backward reads the units in " +
               user->getName().getStringRef().str();
    }
    readers = {conv.forward.op};
    for (UnitLoop &loop : conv.dataGradients)
      readers.insert(loop.op);
    for (Operation *user : chain.weight.getUsers()) {
      Operation *top = body.findAncestorOpInBlock(*user);
      if (!onlyFeeds(top, readers, anyOp))
        return "the weight has another reader (" +
               top->getName().getStringRef().str() + ")";
    }
    if (!cast<RankedTensorType>(chain.units.getType()).hasStaticShape())
      return "the units' shape is dynamic";
    return "";
  }

  /// Sorts the other uses of the units and of the weight into weight and
  /// unit gradients; returns why the chain cannot be sliced, or "".
  std::string classifyUses(UnitChain &chain, const TrainingGraph &graph) {
    Operation *forwardOp = chain.forward.op;
    for (OpOperand &use : chain.units.getUses()) {
      Operation *user = use.getOwner();
      if (user == forwardOp)
        continue;
      if (!graph.isBackward(user))
        return "the units have another forward reader (" +
               user->getName().getStringRef().str() + ")";
      if (std::optional<Contraction> c = matchContraction(user)) {
        chain.weightGradients.push_back(*c);
        continue;
      }
      // Element-wise readers (the activation's backward) stay dense: the
      // gradient they see is zero outside the slice.
      auto generic = dyn_cast<linalg::GenericOp>(user);
      if (!generic || generic.getNumReductionLoops() != 0)
        return "the backward reads the units in " +
               user->getName().getStringRef().str();
    }
    for (Operation *user : chain.weight.getUsers()) {
      if (user == forwardOp ||
          (isa<linalg::TransposeOp>(user) &&
           llvm::all_of(user->getUsers(),
                        [&](Operation *u) { return u == forwardOp; })))
        continue;
      std::optional<Contraction> c = matchContraction(user);
      if (!c || !graph.isBackward(user))
        return "the weight has another reader (" +
               user->getName().getStringRef().str() + ")";
      chain.unitGradients.push_back(*c);
    }
    if (chain.weightGradients.empty() || chain.unitGradients.empty())
      return "no weight gradient or no gradient of the units found";
    int64_t unitDim = chain.forward.kDim[chain.unitsOperand];
    for (Contraction &grad : chain.weightGradients) {
      unsigned operand = grad.op.getDpsInputs()[0] == chain.units ? 0 : 1;
      if (grad.kDim[operand] == unitDim)
        return "a backward product reduces the units' dimension";
    }
    for (Contraction &grad :
         llvm::concat<Contraction>(chain.weightGradients, chain.unitGradients))
      if (!isZeroTensor(grad.op.getDpsInits()[0]))
        return "a gradient accumulates into a non-zero tensor";
    if (!cast<RankedTensorType>(chain.units.getType()).hasStaticShape())
      return "the units' shape is dynamic";
    return "";
  }

  /// `op` with inputs `inputs` and a zero-filled init whose dimension
  /// `resultDim` is `width` (the init was zero-filled).
  static Value recompute(OpBuilder &b, linalg::LinalgOp op,
                         SmallVector<Value> inputs, int64_t resultDim,
                         int64_t width) {
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[resultDim] = width;
    Location loc = op.getLoc();
    Value empty = tensor::EmptyOp::create(b, loc, shape, type.getElementType());
    Value zero =
        arith::ConstantOp::create(b, loc, b.getZeroAttr(type.getElementType()));
    Value fill =
        linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{empty})
            .getResult(0);
    inputs.push_back(fill);
    return mlir::clone(b, op, TypeRange{fill.getType()}, inputs)->getResult(0);
  }

  /// Restricts the loop over the units of `loop.op` to the slice: the
  /// input it indexes (the image where both the image and the filter are
  /// indexed, as in the forward) reads `slice_drop` of it scaled by
  /// `scale`, another indexed input its slice unscaled. When the result is
  /// indexed by the loop, the op is recomputed into a smaller zero tensor
  /// and its uses read that expanded back to `extent`; otherwise the op is
  /// updated in place.
  static void sliceUnitLoop(OpBuilder &b, UnitLoop loop, Value start,
                            int64_t width, int64_t extent, double scale) {
    linalg::LinalgOp op = loop.op;
    Location loc = op.getLoc();
    b.setInsertionPoint(op);
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    SmallVector<Value> inputs = op.getDpsInputs();
    // Inputs with compound indices (the image) first: it takes the scale.
    SmallVector<unsigned> order =
        llvm::to_vector(llvm::seq<unsigned>(0, inputs.size()));
    llvm::stable_sort(order, [&](unsigned x, unsigned y) {
      return !maps[x].isProjectedPermutation() &&
             maps[y].isProjectedPermutation();
    });
    bool scaled = false;
    for (unsigned i : order) {
      std::optional<unsigned> position = getDimPosition(maps[i], loop.dim);
      if (!position)
        continue;
      inputs[i] = SliceDropOp::create(
          b, loc, inputs[i], start, b.getI64IntegerAttr(*position),
          b.getI64IntegerAttr(width), b.getF64FloatAttr(scaled ? 1.0 : scale));
      scaled = true;
    }
    std::optional<unsigned> resultDim = getDimPosition(maps.back(), loop.dim);
    if (!resultDim) {
      for (auto [i, input] : llvm::enumerate(inputs))
        op->setOperand(i, input);
      return;
    }
    Value small = recompute(b, op, inputs, *resultDim, width);
    Value full = SliceExpandOp::create(b, loc, small, start,
                                       b.getI64IntegerAttr(*resultDim),
                                       b.getI64IntegerAttr(extent));
    op->getResult(0).replaceAllUsesWith(full);
    op->erase();
  }

  void rewrite(unsigned index, UnitChain &chain, const TrainingGraph &graph) {
    auto unitsType = cast<RankedTensorType>(chain.units.getType());
    // The units' dimension is the one the forward contraction reduces (the
    // channels of a convolution chain).
    int64_t unitDim = chain.conv ? chain.conv->unitsDim
                                 : chain.forward.kDim[chain.unitsOperand];
    int64_t extent = unitsType.getDimSize(unitDim);
    InFlightDiagnostic remark = chain.forward.op->emitRemark();
    remark << "unit chain " << index << ": ";
    int64_t a = align;
    int64_t width = std::max<int64_t>(
        a,
        static_cast<int64_t>(keepRatio * static_cast<double>(extent)) / a * a);
    if (width >= extent) {
      remark << "not sliced: keep ratio " << keepRatio << " with align " << a
             << " keeps all " << extent << " units";
      return;
    }
    func::FuncOp func = graph.getFunction();
    Block &body = func.getBody().front();

    // The start, at the top of the function.
    OpBuilder b = OpBuilder::atBlockBegin(&body);
    Location loc = chain.forward.op.getLoc();
    auto i64Value = [&](int64_t argument, int64_t constant) -> Value {
      if (argument >= 0)
        return func.getArgument(argument);
      return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(constant));
    };
    Value seedValue = i64Value(seedArg, seed);
    // The chain's index is added to the counter: one slice per layer.
    Value counterValue = i64Value(counterArg, counter + index);
    if (counterArg >= 0 && index > 0)
      counterValue = arith::AddIOp::create(
          b, loc, counterValue,
          arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(index)));
    Value start = SliceStartOp::create(
        b, loc, seedValue, counterValue, b.getI64IntegerAttr(extent),
        b.getI64IntegerAttr(width), b.getI64IntegerAttr(a));
    double scale = static_cast<double>(extent) / width;

    if (chain.conv) {
      // Each convolution's loop over the channels runs over the slice: the
      // forward and the filter gradients read the scaled slice of the
      // units, the data gradients the slice of the filter times the scale
      // (d loss / d U = scale * d loss / d slice), expanded.
      sliceUnitLoop(b, chain.conv->forward, start, width, extent, scale);
      for (UnitLoop &loop : llvm::concat<UnitLoop>(chain.conv->filterGradients,
                                                   chain.conv->dataGradients))
        sliceUnitLoop(b, loop, start, width, extent, scale);
      remark << "sliced " << width << " of " << extent
             << " channels (keep ratio " << keepRatio << ", align " << a
             << "), the forward convolution, its filter gradient and the "
                "channels' gradient rewritten";
      return;
    }

    // Forward: the slice of the units and of the weight's matching rows.
    b.setInsertionPoint(chain.forward.op);
    Value units = chain.units;
    Value sliced =
        SliceDropOp::create(b, loc, units, start, b.getI64IntegerAttr(unitDim),
                            b.getI64IntegerAttr(width), FloatAttr());
    unsigned weightOperand = 1 - chain.unitsOperand;
    Value weightIn = chain.forward.op.getDpsInputs()[weightOperand];
    Value weightSlice = SliceDropOp::create(
        b, loc, weightIn, start,
        b.getI64IntegerAttr(chain.forward.kDim[weightOperand]),
        b.getI64IntegerAttr(width), b.getF64FloatAttr(1.0));
    chain.forward.op->setOperand(chain.unitsOperand, sliced);
    chain.forward.op->setOperand(weightOperand, weightSlice);

    // Backward, weight gradients: from the slice, expanded with zeros.
    for (Contraction &grad : chain.weightGradients) {
      b.setInsertionPoint(grad.op);
      unsigned operand = grad.op.getDpsInputs()[0] == units ? 0 : 1;
      // The units' dimension is not reduced (checked): it is result
      // dimension 0 for A, 1 for B.
      int64_t resultDim = operand;
      SmallVector<Value> inputs = grad.op.getDpsInputs();
      inputs[operand] = sliced;
      Value small = recompute(b, grad.op, inputs, resultDim, width);
      Value full = SliceExpandOp::create(b, grad.op.getLoc(), small, start,
                                         b.getI64IntegerAttr(resultDim),
                                         b.getI64IntegerAttr(extent));
      grad.op->getResult(0).replaceAllUsesWith(full);
      grad.op->erase();
    }
    // Backward, gradient of the units: from the weight's slice, times the
    // slice's scale (d loss / d U = scale * d loss / d slice), expanded.
    for (Contraction &grad : chain.unitGradients) {
      b.setInsertionPoint(grad.op);
      Location gradLoc = grad.op.getLoc();
      unsigned operand = grad.op.getDpsInputs()[0] == chain.weight ? 0 : 1;
      // The weight's units dimension is the one that is not reduced.
      AffineMap map = grad.op.getIndexingMapsArray()[operand];
      int64_t unitsInWeight = 1 - grad.kDim[operand];
      int64_t resultDim =
          cast<AffineDimExpr>(map.getResult(unitsInWeight)).getPosition();
      Value weightRows = SliceDropOp::create(
          b, gradLoc, chain.weight, start, b.getI64IntegerAttr(unitsInWeight),
          b.getI64IntegerAttr(width), b.getF64FloatAttr(1.0));
      SmallVector<Value> inputs = grad.op.getDpsInputs();
      inputs[operand] = weightRows;
      Value small = recompute(b, grad.op, inputs, resultDim, width);
      auto smallType = cast<RankedTensorType>(small.getType());
      Value empty = tensor::EmptyOp::create(b, gradLoc, smallType.getShape(),
                                            smallType.getElementType());
      Value factor = arith::ConstantOp::create(
          b, gradLoc, b.getFloatAttr(smallType.getElementType(), scale));
      SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(2));
      Value scaled =
          linalg::GenericOp::create(
              b, gradLoc, TypeRange{smallType}, ValueRange{small},
              ValueRange{empty}, maps,
              SmallVector<utils::IteratorType>(2,
                                               utils::IteratorType::parallel),
              [&](OpBuilder &nb, Location l, ValueRange args) {
                linalg::YieldOp::create(
                    nb, l,
                    arith::MulFOp::create(nb, l, args[0], factor).getResult());
              })
              .getResult(0);
      Value full = SliceExpandOp::create(b, gradLoc, scaled, start,
                                         b.getI64IntegerAttr(resultDim),
                                         b.getI64IntegerAttr(extent));
      grad.op->getResult(0).replaceAllUsesWith(full);
      grad.op->erase();
    }
    remark << "sliced " << width << " of " << extent << " units (keep ratio "
           << keepRatio << ", align " << a
           << "), the forward product, its weight gradient and the units' "
              "gradient rewritten";
  }
};

} // namespace
