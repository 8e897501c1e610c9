//===- Passes.h - sparse_train transform passes -------------------*- C++
//-*-===//

#ifndef SPARSETRAIN_TRANSFORMS_PASSES_H
#define SPARSETRAIN_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace sparse_train {

#define GEN_PASS_DECL
#include "SparseTrain/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "SparseTrain/Transforms/Passes.h.inc"

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_TRANSFORMS_PASSES_H
