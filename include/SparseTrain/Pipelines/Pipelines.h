//===- Pipelines.h - sparse_train pass pipelines ------------------*- C++
//-*-===//

#ifndef SPARSETRAIN_PIPELINES_PIPELINES_H
#define SPARSETRAIN_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;

namespace sparse_train {

/// Which lowering of the sparse_train ops a pipeline uses.
enum class KernelChoice {
  /// convert-sparse-train-to-cpu: vector kernels where they exist.
  CPU,
  /// convert-sparse-train-to-loops only: the correctness oracle.
  Reference,
};

/// Options of `sparse-train-to-cpu`.
struct SparseTrainToCPUOptions
    : public PassPipelineOptions<SparseTrainToCPUOptions> {
  PassOptions::Option<bool> runtimeChecks{
      *this, "runtime-checks",
      llvm::cl::desc("Check dynamic slice starts at run time"),
      llvm::cl::init(false)};
  PassOptions::Option<KernelChoice> kernels{
      *this, "kernels", llvm::cl::desc("Lowering of the sparse_train ops"),
      llvm::cl::init(KernelChoice::CPU),
      llvm::cl::values(
          clEnumValN(KernelChoice::CPU, "cpu",
                     "vector kernels where they exist, reference elsewhere"),
          clEnumValN(KernelChoice::Reference, "reference",
                     "the reference loops only (the correctness oracle)"))};
  PassOptions::Option<unsigned> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Width of the target's vector registers in bits"),
      llvm::cl::init(512)};
  PassOptions::Option<unsigned> panelDepth{
      *this, "panel-depth",
      llvm::cl::desc("Rows of a packed panel applied to an output tile "
                     "between two passes over it (bsr_matmul)"),
      llvm::cl::init(128)};
  PassOptions::Option<bool> propagateSlices{
      *this, "propagate-slices",
      llvm::cl::desc("Run sparse-train-propagate-slices first: slice-drop "
                     "as smaller GEMMs on weight views"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> blas{
      *this, "blas",
      llvm::cl::desc("Run dense f32 linalg.matmul through the runtime's "
                     "sgemm (OpenBLAS; the program then needs "
                     "libsparse_train_runtime.so) instead of loops"),
      llvm::cl::init(true)};
  PassOptions::Option<unsigned> numThreads{
      *this, "num-threads",
      llvm::cl::desc("Threads of the parallel kernels: 0 for the OpenMP "
                     "runtime's default (OMP_NUM_THREADS or every core), 1 "
                     "for sequential code that needs no OpenMP runtime"),
      llvm::cl::init(0)};
};

/// Builds `sparse-train-to-cpu`: `sparse-train-propagate-slices` (unless
/// `propagate-slices=false`), the CPU lowering of every sparse_train op
/// (vector kernels where they exist, the reference loops elsewhere, or the
/// reference loops only with `kernels=reference`), then the steps of the
/// upstream sparsifier without its runtime library (one-shot bufferization,
/// sparse codegen, lowering of linalg and the rest to the LLVM dialect)
/// with buffer deallocation added after bufferization, dense f32 matmuls
/// through the runtime's sgemm (unless `blas=false`), parallel loops mapped
/// to OpenMP (unless `num-threads=1`), and a final check that nothing was
/// left behind.
void buildSparseTrainToCPUPipeline(OpPassManager &pm,
                                   const SparseTrainToCPUOptions &options);

/// Registers the sparse_train pipelines.
void registerSparseTrainPipelines();

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_PIPELINES_PIPELINES_H
