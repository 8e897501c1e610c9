//===- Pipelines.h - sparse_train pass pipelines ------------------*- C++
//-*-===//

#ifndef SPARSETRAIN_PIPELINES_PIPELINES_H
#define SPARSETRAIN_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;

namespace sparse_train {

/// Options of `sparse-train-to-cpu`.
struct SparseTrainToCPUOptions
    : public PassPipelineOptions<SparseTrainToCPUOptions> {
  PassOptions::Option<bool> runtimeChecks{
      *this, "runtime-checks",
      llvm::cl::desc("Check dynamic slice starts at run time"),
      llvm::cl::init(false)};
};

/// Builds `sparse-train-to-cpu`: the reference lowering of every
/// sparse_train op, then the steps of the upstream sparsifier without its
/// runtime library (one-shot bufferization, sparse codegen, lowering of
/// linalg and the rest to the LLVM dialect) with buffer deallocation added
/// after bufferization, and a final check that nothing was left behind.
void buildSparseTrainToCPUPipeline(OpPassManager &pm,
                                   const SparseTrainToCPUOptions &options);

/// Registers the sparse_train pipelines.
void registerSparseTrainPipelines();

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_PIPELINES_PIPELINES_H
