//===- TrainingGraph.h - forward, backward and saved values -----*- C++ -*-===//
//
// The analysis every apply pass and the memory report share: in one joint
// training-step function (forward and backward in one body, as torch-mlir's
// make_fx export and JAX's value_and_grad give), which top-level ops are the
// forward, which the backward, and which values the backward reads from the
// forward (the saved values), split into parameters and activations.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_ANALYSIS_TRAININGGRAPH_H
#define SPARSETRAIN_ANALYSIS_TRAININGGRAPH_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir {
namespace sparse_train {

/// What the caller knows about the function's signature.
struct TrainingGraphOptions {
  /// The leading results that are forward outputs (loss, logits); the rest
  /// are gradients.
  unsigned numForwardResults = 1;
  /// Arguments that are tangents (output gradients fed from outside).
  SmallVector<unsigned> tangentArgs;
  /// Arguments that are parameters. When empty, an argument is a parameter
  /// if it carries the unit attribute `sparse_train.param`, or else if some
  /// gradient result has exactly its type.
  SmallVector<unsigned> parameterArgs;
};

/// A value the backward reads from the forward.
struct SavedValue {
  Value value;
  /// Weights (and values computed from weights alone), not activations.
  bool isParameter = false;
  /// The backward ops that read it (directly or captured in a region).
  SmallVector<Operation *> backwardUsers;
};

/// The unit attribute that marks an op computing a saved form of forward
/// values (see TrainingGraph::isForward).
inline constexpr llvm::StringLiteral kSavedFormAttrName =
    "sparse_train.saved_form";

/// The classification of one function's top-level ops.
class TrainingGraph {
public:
  /// Analyzes `func`; fails with a diagnostic on the function when the
  /// options do not fit its signature.
  static FailureOr<TrainingGraph> build(func::FuncOp func,
                                        const TrainingGraphOptions &options);

  /// Whether a top-level op belongs to the forward (needed by a forward
  /// result) or the backward (needed by a gradient result, or fed by a
  /// tangent, and not forward). Other ops are unclaimed. The ops that make
  /// a saved form of a forward value (min_k_retain, block_prune, and ops
  /// marked with the unit attribute `sparse_train.saved_form`, such as the
  /// i1 ReLU masks of sparse-train-apply-min-k) count as forward: the dense
  /// value can be freed after them.
  bool isForward(Operation *op) const { return forward.contains(op); }
  bool isBackward(Operation *op) const { return backward.contains(op); }

  /// The saved values, in the order the function defines them.
  ArrayRef<SavedValue> getSaved() const { return saved; }

  /// Whether argument `index` is a parameter.
  bool isParameterArg(unsigned index) const {
    return parameterArgs.contains(index);
  }

  func::FuncOp getFunction() const { return func; }
  const TrainingGraphOptions &getOptions() const { return options; }

private:
  func::FuncOp func;
  TrainingGraphOptions options;
  llvm::DenseSet<Operation *> forward, backward;
  llvm::DenseSet<unsigned> parameterArgs;
  SmallVector<SavedValue> saved;
};

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_ANALYSIS_TRAININGGRAPH_H
