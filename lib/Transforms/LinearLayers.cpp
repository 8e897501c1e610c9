//===- LinearLayers.cpp - linear layers of a joint training step ----------===//

#include "LinearLayers.h"
#include "LinalgMatchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::sparse_train;

/// `op` as `C = P^T Q`, if it is a weight-gradient contraction.
static std::optional<WeightGradient> matchWeightGradient(linalg::LinalgOp op) {
  std::optional<std::pair<bool, bool>> form = getMatmulForm(op);
  if (!form)
    return std::nullopt;
  auto [transA, transB] = *form;
  // P[r, m]: A itself when transposed by the maps, else A must be a
  // transpose of P. Q[r, n]: B itself unless transposed by the maps.
  auto [a, aWasTransposed] = lookThroughTranspose2D(op.getDpsInputs()[0]);
  Value p = transA ? op.getDpsInputs()[0] : (aWasTransposed ? a : Value());
  auto [b, bWasTransposed] = lookThroughTranspose2D(op.getDpsInputs()[1]);
  Value q = !transB ? op.getDpsInputs()[1] : (bWasTransposed ? b : Value());
  if (!p || !q)
    return std::nullopt;
  return WeightGradient{op, p, q, nullptr};
}

bool mlir::sparse_train::onlyFeeds(
    Operation *op, const llvm::SmallPtrSetImpl<Operation *> &readers,
    function_ref<bool(Operation *)> through, int depth) {
  if (readers.contains(op))
    return true;
  if (depth > 8 || op->getNumResults() == 0 || !through(op))
    return false;
  Block *body = op->getBlock();
  return llvm::all_of(op->getUsers(), [&](Operation *user) {
    Operation *top = body->findAncestorOpInBlock(*user);
    return top && onlyFeeds(top, readers, through, depth + 1);
  });
}

SmallVector<LinearLayer>
mlir::sparse_train::findLinearLayers(const TrainingGraph &graph) {
  SmallVector<LinearLayer> layers;
  Block &body = graph.getFunction().getBody().front();
  for (const SavedValue &saved : graph.getSaved()) {
    if (saved.isParameter)
      continue;
    LinearLayer layer;
    layer.input = saved.value;
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
      if (!onlyFeeds(user, gradOps, [](Operation *op) {
            return isa<linalg::TransposeOp, tensor::PadOp>(op);
          }))
        layer.otherReaders.push_back(user);
    layer.index = layers.size();
    layer.name = getLayerName(layer, graph);
    layers.push_back(std::move(layer));
  }
  return layers;
}

std::string LinearLayer::getLabel() const {
  std::string label = "layer " + std::to_string(index);
  if (!name.empty())
    label += " '" + name + "'";
  return label;
}

/// The result of the function's return that `value` reaches through ops
/// that only change its layout (transposes, casts, reshapes), if any.
static std::optional<unsigned> getReturnedAs(Value value) {
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (isa<func::ReturnOp>(user))
      return use.getOperandNumber();
    if (!isa<linalg::TransposeOp, tensor::CastOp, tensor::CollapseShapeOp,
             tensor::ExpandShapeOp>(user) ||
        use.getOperandNumber() != 0)
      continue;
    if (std::optional<unsigned> result = getReturnedAs(user->getResult(0)))
      return result;
  }
  return std::nullopt;
}

std::string mlir::sparse_train::getLayerName(const LinearLayer &layer,
                                             const TrainingGraph &graph) {
  SmallVector<Operation *> candidates;
  for (const WeightGradient &grad : layer.gradients)
    candidates.push_back(grad.op);
  for (Operation *user : layer.input.getUsers())
    if (isa<linalg::LinalgOp>(user) && graph.isForward(user))
      candidates.push_back(user);
  if (Operation *def = layer.input.getDefiningOp())
    candidates.push_back(def);
  for (Operation *op : candidates)
    if (auto name = op->getAttrOfType<StringAttr>(kLayerNameAttrName))
      return name.str();
  func::FuncOp func = graph.getFunction();
  for (const WeightGradient &grad : layer.gradients)
    if (std::optional<unsigned> result = getReturnedAs(grad.op->getResult(0)))
      if (auto name =
              func.getResultAttrOfType<StringAttr>(*result, kLayerNameAttrName))
        return name.str();
  return "";
}

/// If `op` is an element-wise generic that reads `x` (once, with an
/// identity map) only to compare it with zero, as a ReLU's backward does
/// with the ReLU's output (torch: `select(s <= 0, 0, g)`) or input (JAX:
/// `select(x > 0, g, 0)`): the operand number of x and the comparison.
static std::optional<std::pair<unsigned, arith::CmpFOp>>
matchReluMaskRead(Operation *op, Value x) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumReductionLoops() != 0 ||
      !generic.hasPureTensorSemantics())
    return std::nullopt;
  std::optional<unsigned> position;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    if (input->get() != x)
      continue;
    if (position || !generic.getMatchingIndexingMap(input).isIdentity())
      return std::nullopt;
    position = input->getOperandNumber();
  }
  if (!position)
    return std::nullopt;
  BlockArgument arg = generic.getBody()->getArgument(*position);
  if (!arg.hasOneUse())
    return std::nullopt;
  auto cmp = dyn_cast<arith::CmpFOp>(*arg.getUsers().begin());
  if (!cmp)
    return std::nullopt;
  Value other = cmp.getLhs() == arg ? cmp.getRhs() : cmp.getLhs();
  if (!matchPattern(other, m_AnyZeroFloat()))
    return std::nullopt;
  return std::make_pair(*position, cmp);
}

bool mlir::sparse_train::saveReluMasks(LinearLayer &layer,
                                       const TrainingGraph &graph) {
  Value x = layer.input;
  auto xType = dyn_cast<RankedTensorType>(x.getType());
  if (layer.otherReaders.empty() || !xType || !xType.hasStaticShape() ||
      !llvm::all_of(layer.otherReaders, [&](Operation *op) {
        return matchReluMaskRead(op, x).has_value();
      }))
    return layer.otherReaders.empty();
  MLIRContext *context = x.getContext();
  OpBuilder b(context);
  if (Operation *def = x.getDefiningOp())
    b.setInsertionPointAfter(def);
  else
    b.setInsertionPointToStart(&graph.getFunction().getBody().front());
  unsigned rank = xType.getRank();
  SmallVector<AffineMap> identity(2, b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> parallel(rank,
                                            utils::IteratorType::parallel);
  for (Operation *reader : layer.otherReaders) {
    auto [position, cmp] = *matchReluMaskRead(reader, x);
    auto generic = cast<linalg::GenericOp>(reader);
    BlockArgument arg = generic.getBody()->getArgument(position);
    bool xOnLeft = cmp.getLhs() == arg;
    // The comparison, in the forward.
    OpBuilder::InsertionGuard guard(b);
    Value init =
        tensor::EmptyOp::create(b, x.getLoc(), xType.getShape(), b.getI1Type());
    auto mask = linalg::GenericOp::create(
        b, x.getLoc(), TypeRange{init.getType()}, ValueRange{x},
        ValueRange{init}, identity, parallel,
        [&](OpBuilder &nb, Location loc, ValueRange args) {
          Value zero = arith::ConstantOp::create(
              nb, loc, nb.getZeroAttr(xType.getElementType()));
          Value lhs = xOnLeft ? args[0] : zero, rhs = xOnLeft ? zero : args[0];
          linalg::YieldOp::create(
              nb, loc,
              arith::CmpFOp::create(nb, loc, cmp.getPredicate(), lhs, rhs)
                  .getResult());
        });
    mask->setAttr(kSavedFormAttrName, UnitAttr::get(context));
    // The reader, with the mask in place of x.
    OpBuilder rb(reader);
    SmallVector<Value> inputs = generic.getDpsInputs();
    inputs[position] = mask.getResult(0);
    auto replacement = linalg::GenericOp::create(
        rb, reader->getLoc(), generic.getResultTypes(), inputs,
        generic.getDpsInits(), generic.getIndexingMapsArray(),
        generic.getIteratorTypesArray(),
        [&](OpBuilder &nb, Location loc, ValueRange args) {
          IRMapping mapping;
          Block *body = generic.getBody();
          for (auto [i, old] : llvm::enumerate(body->getArguments()))
            if (i != position)
              mapping.map(old, args[i]);
          mapping.map(cmp.getResult(), args[position]);
          for (Operation &op : body->without_terminator())
            if (&op != cmp.getOperation())
              nb.clone(op, mapping);
          SmallVector<Value> yielded;
          for (Value v : body->getTerminator()->getOperands())
            yielded.push_back(mapping.lookupOrDefault(v));
          linalg::YieldOp::create(nb, loc, yielded);
        });
    reader->replaceAllUsesWith(replacement);
    reader->erase();
  }
  layer.otherReaders.clear();
  return true;
}

std::string mlir::sparse_train::getOtherReaderName(const LinearLayer &layer) {
  return layer.otherReaders.empty()
             ? ""
             : layer.otherReaders.front()->getName().getStringRef().str();
}

bool mlir::sparse_train::isLayerSelected(const LinearLayer &layer,
                                         unsigned count,
                                         ArrayRef<unsigned> indices,
                                         ArrayRef<std::string> names) {
  if (indices.empty() && names.empty())
    return layer.index != 0 && layer.index + 1 != count;
  return llvm::is_contained(indices, layer.index) ||
         (!layer.name.empty() && llvm::is_contained(names, layer.name));
}

StringRef
mlir::sparse_train::getNotSelectedReason(ArrayRef<unsigned> indices,
                                         ArrayRef<std::string> names) {
  if (indices.empty() && names.empty())
    return "the first and the last layer keep their input (DropIT's "
           "default; choose layers with `layers` or `layer-names`)";
  return "not among the chosen layers";
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

void mlir::sparse_train::warnAboutMissingLayerNames(
    func::FuncOp func, StringRef pass, ArrayRef<LinearLayer> layers,
    ArrayRef<std::string> names) {
  for (const std::string &name : names)
    if (llvm::none_of(layers, [&](const LinearLayer &layer) {
          return layer.name == name;
        }))
      func.emitWarning() << pass << ": no layer is named '" << name
                         << "' (by a `" << kLayerNameAttrName << "` attribute)";
}

bool mlir::sparse_train::isJointStep(func::FuncOp func, unsigned forwardResults,
                                     StringRef funcName) {
  if (!funcName.empty() && func.getSymName() != funcName)
    return false;
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
