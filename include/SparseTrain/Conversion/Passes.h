//===- Passes.h - sparse_train conversion passes ------------------*- C++
//-*-===//

#ifndef SPARSETRAIN_CONVERSION_PASSES_H
#define SPARSETRAIN_CONVERSION_PASSES_H

#include "SparseTrain/Conversion/SparseTrainToLoops.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace sparse_train {

#define GEN_PASS_DECL
#include "SparseTrain/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "SparseTrain/Conversion/Passes.h.inc"

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_CONVERSION_PASSES_H
