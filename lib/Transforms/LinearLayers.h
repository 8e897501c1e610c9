//===- LinearLayers.h - linear layers of a joint training step --*- C++ -*-===//
//
// What sparse-train-apply-min-k and sparse-train-apply-block-prune rewrite:
// the weight gradients of linear layers and convolutions, found from the
// saved activations of a TrainingGraph.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_LIB_TRANSFORMS_LINEARLAYERS_H
#define SPARSETRAIN_LIB_TRANSFORMS_LINEARLAYERS_H

#include "ConvMatchers.h"
#include "SparseTrain/Analysis/TrainingGraph.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <memory>

namespace mlir {
namespace sparse_train {

/// A weight gradient: a contraction `C[m, n] = sum_r P[r, m] * Q[r, n]`
/// over 2-D tensors, in any of the four matmul transpose forms (named or
/// generic), with P and Q found through 2-D transposes; or the filter
/// gradient of a convolution (`conv` set), with P its input and Q its
/// output gradient as `matchConv` traced them.
struct WeightGradient {
  linalg::LinalgOp op;
  Value p, q;
  std::shared_ptr<const ConvMatch> conv;
};

/// A layer, linear or convolution: a saved activation (its input) and the
/// weight gradients computed from it.
struct LinearLayer {
  Value input;
  SmallVector<WeightGradient> gradients;
  /// The backward ops other than these gradients (and the transposes and
  /// pads that only feed them) that read the input and so keep it alive.
  SmallVector<Operation *> otherReaders;
  /// The position among the step's layers.
  unsigned index = 0;
  /// The name given by a kLayerNameAttrName attribute (getLayerName), or "".
  std::string name;

  /// "layer <index>", with " '<name>'" when the layer has a name: how
  /// remarks and warnings refer to it.
  std::string getLabel() const;
};

/// The string attribute that names a layer for the apply passes' option
/// `layer-names`.
inline constexpr llvm::StringLiteral kLayerNameAttrName = "sparse_train.layer";

/// Whether `op` (a top-level op of a function body) is one of `readers`, or
/// an op `through` accepts whose results reach only them (through more such
/// ops; a use inside a region counts as a use by its top-level op).
bool onlyFeeds(Operation *op, const llvm::SmallPtrSetImpl<Operation *> &readers,
               function_ref<bool(Operation *)> through, int depth = 0);

/// The linear and convolution layers of a joint step, in the order the
/// function defines their inputs, with their names.
SmallVector<LinearLayer> findLinearLayers(const TrainingGraph &graph);

/// The name of a layer: the kLayerNameAttrName string attribute of the first
/// of its weight-gradient ops, the forward linalg ops reading its input and
/// the op defining its input that has one; else that result attribute of a
/// function result a weight gradient is returned as (through transposes and
/// casts); else "".
std::string getLayerName(const LinearLayer &layer, const TrainingGraph &graph);

/// When every other backward reader of the layer's input is a ReLU's
/// backward that reads it only to compare it with zero, computes each
/// comparison in the forward as an i1 tensor marked as a saved form
/// (TrainingGraph) and makes the reader use it, so that the dense input is
/// no longer read by the backward. Returns whether the input has no other
/// reader left; `layer.otherReaders` is updated.
bool saveReluMasks(LinearLayer &layer, const TrainingGraph &graph);

/// The name of the first of `layer.otherReaders`, or "".
std::string getOtherReaderName(const LinearLayer &layer);

/// Whether `layer` of `count` layers is rewritten: the layers whose index is
/// in `indices` or whose name is in `names`, or, when both are empty, every
/// layer but the first and the last (DropIT's reference runs).
bool isLayerSelected(const LinearLayer &layer, unsigned count,
                     ArrayRef<unsigned> indices, ArrayRef<std::string> names);

/// Why an unselected layer is not rewritten, for its remark.
StringRef getNotSelectedReason(ArrayRef<unsigned> indices,
                               ArrayRef<std::string> names);

/// Warns on `func` about indices in `chosen` beyond `count` layers.
void warnAboutMissingLayers(func::FuncOp func, StringRef pass, unsigned count,
                            ArrayRef<unsigned> chosen);

/// Warns on `func` about names in `names` that no layer has.
void warnAboutMissingLayerNames(func::FuncOp func, StringRef pass,
                                ArrayRef<LinearLayer> layers,
                                ArrayRef<std::string> names);

/// Whether `func` is a joint step to rewrite: named `funcName` unless that
/// is empty, and looking like a joint step with `forwardResults` forward
/// results (one block, and gradient results after the forward ones).
bool isJointStep(func::FuncOp func, unsigned forwardResults,
                 StringRef funcName);

/// Builds the TrainingGraph options of a pass's common options.
TrainingGraphOptions makeTrainingGraphOptions(unsigned forwardResults,
                                              ArrayRef<unsigned> tangents,
                                              ArrayRef<unsigned> params);

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_TRANSFORMS_LINEARLAYERS_H
