//===- TrainingGraph.cpp - forward, backward and saved values -------------===//
//
// The classification of frontends.md section 5.1, after PyTorch's
// partitioner: forward = what the forward results need; backward = what the
// tangents feed and what the gradient results need beyond the forward;
// min_k_retain and block_prune of forward values are forward too (they make
// the saved form); saved = what backward ops read (as operands other than
// their inits, or
// captured in their regions) from forward ops or from non-tangent
// arguments, except constants and empty tensors.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/Analysis/TrainingGraph.h"
#include "SparseTrain/IR/SparseTrainOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/MapVector.h"

using namespace mlir;
using namespace mlir::sparse_train;

/// The values `op` reads: its operands other than destination-style inits,
/// then the values its regions use from above.
static SmallVector<Value> getReadValues(Operation *op) {
  SmallVector<Value> values;
  auto dps = dyn_cast<DestinationStyleOpInterface>(op);
  for (OpOperand &use : op->getOpOperands())
    if (!dps || !dps.isDpsInit(&use))
      values.push_back(use.get());
  llvm::SetVector<Value> above;
  for (Region &region : op->getRegions())
    getUsedValuesDefinedAbove(region, above);
  values.append(above.begin(), above.end());
  return values;
}

/// All the values `op` depends on, inits included (for slices).
static SmallVector<Value> getAllReadValues(Operation *op) {
  SmallVector<Value> values(op->getOperands());
  llvm::SetVector<Value> above;
  for (Region &region : op->getRegions())
    getUsedValuesDefinedAbove(region, above);
  values.append(above.begin(), above.end());
  return values;
}

/// The op of `body` that defines `v`, or nullptr for an argument.
static Operation *getTopLevelDef(Value v, Block &body) {
  Operation *def = v.getDefiningOp();
  return def && def->getBlock() == &body ? def : nullptr;
}

FailureOr<TrainingGraph>
TrainingGraph::build(func::FuncOp func, const TrainingGraphOptions &options) {
  if (func.isExternal() || !func.getBody().hasOneBlock())
    return func.emitError() << "training-graph analysis expects a function "
                               "with one block";
  Block &body = func.getBody().front();
  auto returnOp = cast<func::ReturnOp>(body.getTerminator());
  unsigned numResults = returnOp.getNumOperands();
  if (options.numForwardResults > numResults)
    return func.emitError()
           << "training-graph analysis: " << options.numForwardResults
           << " forward results requested, the function has " << numResults;
  for (unsigned index :
       llvm::concat<const unsigned>(options.tangentArgs, options.parameterArgs))
    if (index >= func.getNumArguments())
      return func.emitError() << "training-graph analysis: argument " << index
                              << " does not exist (the function has "
                              << func.getNumArguments() << ")";

  TrainingGraph graph;
  graph.func = func;
  graph.options = options;
  llvm::DenseSet<unsigned> tangents(options.tangentArgs.begin(),
                                    options.tangentArgs.end());

  // Forward: the backward slice of the forward results.
  SmallVector<Value> worklist(
      returnOp.getOperands().take_front(options.numForwardResults));
  while (!worklist.empty()) {
    Operation *def = getTopLevelDef(worklist.pop_back_val(), body);
    if (def && graph.forward.insert(def).second)
      llvm::append_range(worklist, getAllReadValues(def));
  }
  // The ops that make a saved form of a forward value (min_k_retain,
  // block_prune) run in the forward even though only gradients read them:
  // that is their point (the dense value can be freed after them).
  // So do the layout changes (transposes, reshapes) between them and the
  // forward values they read.
  std::function<bool(Value)> isForwardValue = [&](Value v) {
    auto arg = dyn_cast<BlockArgument>(v);
    if (arg)
      return arg.getOwner() == &body && !tangents.contains(arg.getArgNumber());
    Operation *def = getTopLevelDef(v, body);
    if (!def)
      return false;
    if (graph.forward.contains(def) ||
        isa<arith::ConstantOp, tensor::EmptyOp>(def))
      return true;
    if (!isa<linalg::TransposeOp, tensor::ExpandShapeOp,
             tensor::CollapseShapeOp>(def) ||
        !llvm::all_of(getReadValues(def), isForwardValue))
      return false;
    graph.forward.insert(def);
    return true;
  };
  for (Operation &op : body.without_terminator())
    if ((isa<MinKRetainOp, BlockPruneOp>(op) ||
         op.hasAttr(kSavedFormAttrName)) &&
        llvm::all_of(getReadValues(&op), isForwardValue))
      graph.forward.insert(&op);
  // Backward: the ops the tangents reach, then what the gradient results
  // need beyond the forward.
  for (Operation &op : body.without_terminator()) {
    if (graph.forward.contains(&op))
      continue;
    for (Value v : getAllReadValues(&op)) {
      auto arg = dyn_cast<BlockArgument>(v);
      Operation *def = getTopLevelDef(v, body);
      if ((arg && arg.getOwner() == &body &&
           tangents.contains(arg.getArgNumber())) ||
          (def && graph.backward.contains(def))) {
        graph.backward.insert(&op);
        break;
      }
    }
  }
  // (Every op of that slice is visited, also those the tangents already
  // reached: what they read may not be reached from the tangents.)
  worklist.assign(returnOp.getOperands().begin() + options.numForwardResults,
                  returnOp.getOperands().end());
  llvm::DenseSet<Operation *> visited;
  while (!worklist.empty()) {
    Operation *def = getTopLevelDef(worklist.pop_back_val(), body);
    if (!def || graph.forward.contains(def) || !visited.insert(def).second)
      continue;
    graph.backward.insert(def);
    llvm::append_range(worklist, getAllReadValues(def));
  }

  // Parameters: as given, else the marked arguments, else those whose type
  // some gradient result has.
  if (!options.parameterArgs.empty()) {
    graph.parameterArgs.insert(options.parameterArgs.begin(),
                               options.parameterArgs.end());
  } else {
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      if (func.getArgAttr(i, "sparse_train.param"))
        graph.parameterArgs.insert(i);
    if (graph.parameterArgs.empty()) {
      TypeRange gradientTypes = returnOp.getOperands()
                                    .drop_front(options.numForwardResults)
                                    .getTypes();
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        if (!tangents.contains(i) &&
            llvm::is_contained(gradientTypes, func.getArgument(i).getType()))
          graph.parameterArgs.insert(i);
    }
  }

  // Whether a value is computed from parameters (and constants) alone.
  llvm::DenseMap<Value, bool> fromParameters;
  std::function<bool(Value)> isFromParameters = [&](Value v) -> bool {
    if (auto it = fromParameters.find(v); it != fromParameters.end())
      return it->second;
    bool result;
    if (auto arg = dyn_cast<BlockArgument>(v))
      result = arg.getOwner() == &body &&
               graph.parameterArgs.contains(arg.getArgNumber());
    else if (Operation *def = getTopLevelDef(v, body))
      result = llvm::all_of(getAllReadValues(def), isFromParameters);
    else
      result = false;
    fromParameters[v] = result;
    return result;
  };

  // Saved: forward values and non-tangent arguments that backward ops read.
  llvm::MapVector<Value, SavedValue> found;
  for (Operation &op : body.without_terminator()) {
    if (!graph.backward.contains(&op))
      continue;
    for (Value v : getReadValues(&op)) {
      auto arg = dyn_cast<BlockArgument>(v);
      Operation *def = getTopLevelDef(v, body);
      bool isSaved = (arg && arg.getOwner() == &body &&
                      !tangents.contains(arg.getArgNumber())) ||
                     (def && graph.forward.contains(def) &&
                      !isa<arith::ConstantOp, tensor::EmptyOp>(def));
      if (!isSaved)
        continue;
      SavedValue &entry = found[v];
      entry.value = v;
      if (!llvm::is_contained(entry.backwardUsers, &op))
        entry.backwardUsers.push_back(&op);
    }
  }
  // In definition order: arguments, then ops.
  DenseMap<Operation *, unsigned> position;
  for (auto [i, op] : llvm::enumerate(body.without_terminator()))
    position[&op] = i;
  auto order = [&](Value v) -> unsigned {
    if (auto arg = dyn_cast<BlockArgument>(v))
      return arg.getArgNumber();
    return func.getNumArguments() + position[v.getDefiningOp()];
  };
  for (auto &[v, entry] : found) {
    entry.isParameter = isFromParameters(v);
    graph.saved.push_back(entry);
  }
  llvm::stable_sort(graph.saved, [&](const SavedValue &a, const SavedValue &b) {
    return order(a.value) < order(b.value);
  });
  return graph;
}
