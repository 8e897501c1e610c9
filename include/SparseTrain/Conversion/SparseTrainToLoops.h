//===- SparseTrainToLoops.h - reference lowering patterns ---------*- C++
//-*-===//
//
// Entry points of the reference lowering, for users who assemble their own
// conversion.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_CONVERSION_SPARSETRAINTOLOOPS_H
#define SPARSETRAIN_CONVERSION_SPARSETRAINTOLOOPS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace sparse_train {

/// Options of the reference lowering.
struct LoopsLoweringOptions {
  /// Emit cf.assert checks of dynamic slice starts.
  bool runtimeChecks = false;
};

/// Adds to `converter` the 1:N conversion of !sparse_train.retained into its
/// values tensor and positions tensor. Other types are left unchanged.
void populateRetainedTypeConversion(TypeConverter &converter);

/// Patterns of slice_start, slice_drop and slice_expand.
void populateSliceDropToLoopsPatterns(const TypeConverter &converter,
                                      RewritePatternSet &patterns,
                                      const LoopsLoweringOptions &options);
/// Patterns of min_k_retain, min_k_restore and min_k_weight_grad.
void populateMinKToLoopsPatterns(const TypeConverter &converter,
                                 RewritePatternSet &patterns);
/// Patterns of block_prune and bsr_matmul.
void populateBlockSparseToLoopsPatterns(const TypeConverter &converter,
                                        RewritePatternSet &patterns);
/// Patterns of the three zero-skip convolutions.
void populateZeroSkipConvToLoopsPatterns(const TypeConverter &converter,
                                         RewritePatternSet &patterns);

/// All of the above.
void populateSparseTrainToLoopsPatterns(const TypeConverter &converter,
                                        RewritePatternSet &patterns,
                                        const LoopsLoweringOptions &options);

/// Lowers every sparse_train op of `module` with the patterns `addPatterns`
/// adds, together with the 1:N conversion of the retained type across
/// function signatures, calls, returns and scf control flow. The
/// sparse_train dialect is illegal: an op no pattern lowers is an error
/// naming it.
LogicalResult applySparseTrainConversion(
    ModuleOp module,
    llvm::function_ref<void(const TypeConverter &, RewritePatternSet &)>
        addPatterns);

/// Options of the CPU lowering. Their defaults are the defaults of the
/// options of convert-sparse-train-to-cpu (Passes.td) and sparse-train-to-cpu
/// (Pipelines.h), which read them from here.
struct CPULoweringOptions : public LoopsLoweringOptions {
  /// Width of the target's vector registers in bits.
  unsigned vectorBits = 512;
  /// Rows of a packed panel that bsr_matmul applies to an output tile
  /// between two passes over it.
  unsigned panelDepth = 512;
  /// KiB of a contraction slice's packed panels that bsr_matmul keeps in
  /// cache: wider products run over blocks of output columns (0: none).
  unsigned panelCacheKiB = 1024;
  /// Without transpose_b, bsr_matmul reads B in place instead of packing it
  /// when it has at most this many stored blocks per contraction block
  /// (0: always pack).
  unsigned inPlaceUses = 0;
  /// Compress-stores of 16 lanes as an AVX-512 register compress and a
  /// masked store (needs an AVX-512 target).
  bool x86Compress = false;
};

/// Vectorized bsr_matmul kernels (register-blocked FMA micro-kernels) for
/// the forms and element types they cover; they take precedence over the
/// reference patterns, which handle the rest.
void populateBlockSparseToCPUPatterns(const TypeConverter &converter,
                                      RewritePatternSet &patterns,
                                      const CPULoweringOptions &options);

/// block_prune with vector block scores on f32 inputs (the reference's
/// selection and compaction).
void populateBlockPruneToCPUPatterns(const TypeConverter &converter,
                                     RewritePatternSet &patterns,
                                     const CPULoweringOptions &options);

/// Vector kernels of conv2d_zero_skip and its two gradients on f32 (mask
/// walk of the scanned operand, register tiles of output channels, density
/// dispatch on the op's max_density).
void populateZeroSkipConvToCPUPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns,
                                       const CPULoweringOptions &options);

/// Vectorized min_k_retain on f32 (sampled bracket, vector count and
/// compress-store passes, histogram selection); exact like the reference.
void populateMinKToCPUPatterns(const TypeConverter &converter,
                               RewritePatternSet &patterns,
                               const CPULoweringOptions &options);

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_CONVERSION_SPARSETRAINTOLOOPS_H
