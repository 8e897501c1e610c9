//===- SparseTrainToGPU.h - GPU lowering patterns -----------------*- C++
//-*-===//
//
// Entry points of convert-sparse-train-to-gpu, for users who assemble their
// own conversion (with applySparseTrainConversion of SparseTrainToLoops.h).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_CONVERSION_SPARSETRAINTOGPU_H
#define SPARSETRAIN_CONVERSION_SPARSETRAINTOGPU_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace sparse_train {

/// slice_start as a one-thread kernel (Philox4x32-10, the reference's bits);
/// slice_drop and slice_expand as the reference's tensor slices.
void populateSliceDropToGPUPatterns(const TypeConverter &converter,
                                    RewritePatternSet &patterns);

/// min_k_retain (block radix select and compaction), min_k_restore and the
/// linear form of min_k_weight_grad.
void populateMinKToGPUPatterns(const TypeConverter &converter,
                               RewritePatternSet &patterns);

/// block_prune (scores, block top-k, BSR compaction) and bsr_matmul (one
/// output element per iteration, no atomics).
void populateBlockSparseToGPUPatterns(const TypeConverter &converter,
                                      RewritePatternSet &patterns);

/// The three zero-skip convolutions (one output element per iteration).
void populateZeroSkipConvToGPUPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns);

/// All of the above.
void populateSparseTrainToGPUPatterns(const TypeConverter &converter,
                                      RewritePatternSet &patterns);

/// Gives `gpu.launch_func`, `gpu.wait`, `gpu.host_register`,
/// `gpu.host_unregister` and `gpu.set_default_device` memory effects (any
/// memory may be read and written): upstream declares none, and without them
/// the buffer deallocation pipeline rejects every function that holds one
/// ("ops with unknown memory side effects are not supported").
void registerGPULaunchMemoryEffects(DialectRegistry &registry);

/// Gives `omp.barrier` the memory effects of a barrier (upstream declares
/// none, so buffer deallocation rejects functions holding one; used by
/// sparse-train-gpu-launch-to-openmp's emulation of GPU kernels).
void registerOpenMPBarrierMemoryEffects(DialectRegistry &registry);

/// Emits an error on every sparse_train op of `module` that the GPU
/// patterns cannot lower (an op without a GPU kernel, or a form of one that
/// the kernel does not cover); fails if there is one.
LogicalResult checkSparseTrainOpsHaveGPUKernels(ModuleOp module);

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_CONVERSION_SPARSETRAINTOGPU_H
