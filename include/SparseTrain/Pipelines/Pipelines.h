//===- Pipelines.h - sparse_train pass pipelines ------------------*- C++
//-*-===//

#ifndef SPARSETRAIN_PIPELINES_PIPELINES_H
#define SPARSETRAIN_PIPELINES_PIPELINES_H

#include "SparseTrain/Conversion/SparseTrainToLoops.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Support/LLVM.h"

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
      llvm::cl::init(CPULoweringOptions().vectorBits)};
  PassOptions::Option<unsigned> panelDepth{
      *this, "panel-depth",
      llvm::cl::desc("Rows of a packed panel applied to an output tile "
                     "between two passes over it (bsr_matmul)"),
      llvm::cl::init(CPULoweringOptions().panelDepth)};
  PassOptions::Option<unsigned> panelCacheKiB{
      *this, "panel-cache-kib",
      llvm::cl::desc("KiB of a contraction slice's packed panels that "
                     "bsr_matmul keeps in cache (0: no column blocking)"),
      llvm::cl::init(CPULoweringOptions().panelCacheKiB)};
  PassOptions::Option<unsigned> inPlaceUses{
      *this, "in-place-uses",
      llvm::cl::desc("Stored blocks per contraction block up to which "
                     "bsr_matmul reads B in place instead of packing it "
                     "(without transpose_b; 0: always pack)"),
      llvm::cl::init(CPULoweringOptions().inPlaceUses)};
  PassOptions::Option<bool> x86Compress{
      *this, "x86-compress",
      llvm::cl::desc("min_k_retain's compress-stores and min_k_restore's "
                     "expand-loads in AVX-512 registers (fast on AMD Zen "
                     "4/5; needs an AVX-512 target)"),
      llvm::cl::init(CPULoweringOptions().x86Compress)};
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
  PassOptions::Option<std::string> targetTriple{
      *this, "target-triple",
      llvm::cl::desc("Target triple given to a module that names none "
                     "(sparse-train-set-target-triple): `host` for the "
                     "compiling machine's, `none` to leave it unset"),
      llvm::cl::init("host")};
  PassOptions::Option<unsigned> numThreads{
      *this, "num-threads",
      llvm::cl::desc("Threads of the parallel kernels: 0 for the OpenMP "
                     "runtime's default (OMP_NUM_THREADS or every core), 1 "
                     "for sequential code that needs no OpenMP runtime"),
      llvm::cl::init(0)};
};

/// Builds `sparse-train-to-cpu`: `sparse-train-propagate-slices` (unless
/// `propagate-slices=false`), `sparse-train-sink-fills` (one fill right
/// before each product it initializes), the CPU lowering of every
/// sparse_train op
/// (vector kernels where they exist, the reference loops elsewhere, or the
/// reference loops only with `kernels=reference`), then the steps of the
/// upstream sparsifier without its runtime library (one-shot bufferization,
/// sparse codegen, lowering of linalg and the rest to the LLVM dialect)
/// with buffer deallocation added after bufferization, dense f32 matmuls
/// through the runtime's sgemm (unless `blas=false`), parallel loops mapped
/// to OpenMP (unless `num-threads=1`), the target triple of the LLVM IR
/// (`target-triple`), and a final check that nothing was left behind.
void buildSparseTrainToCPUPipeline(OpPassManager &pm,
                                   const SparseTrainToCPUOptions &options);

/// Options of `sparse-train-apply`: which techniques, in order, and the
/// options of their passes.
struct SparseTrainApplyOptions
    : public PassPipelineOptions<SparseTrainApplyOptions> {
  PassOptions::ListOption<std::string> techniques{
      *this, "techniques",
      llvm::cl::desc("Techniques to apply, in this order: min-k (DropIT on "
                     "linear layers and convolutions), slice-drop (SliceOut "
                     "on unit chains), block-prune (BSR saved inputs of "
                     "linear layers), zero-skip (zero-skipping convolutions "
                     "behind ReLUs)")};
  PassOptions::Option<double> keepRatio{
      *this, "keep-ratio",
      llvm::cl::desc("min-k: fraction of each saved input kept"),
      llvm::cl::init(0.1)};
  PassOptions::Option<std::string> encoding{
      *this, "encoding", llvm::cl::desc("min-k: bitmask or indices"),
      llvm::cl::init("bitmask")};
  PassOptions::Option<int64_t> blockRows{
      *this, "block-rows", llvm::cl::desc("block-prune: rows of a block"),
      llvm::cl::init(32)};
  PassOptions::Option<int64_t> blockCols{
      *this, "block-cols", llvm::cl::desc("block-prune: columns of a block"),
      llvm::cl::init(32)};
  PassOptions::Option<double> blockKeepRatio{
      *this, "block-keep-ratio",
      llvm::cl::desc("block-prune: fraction of the blocks kept"),
      llvm::cl::init(0.5)};
  PassOptions::Option<std::string> score{
      *this, "score", llvm::cl::desc("block-prune: l1, l2 or max_abs"),
      llvm::cl::init("l1")};
  PassOptions::Option<double> sliceKeepRatio{
      *this, "slice-keep-ratio",
      llvm::cl::desc("slice-drop: fraction of each unit chain's units kept"),
      llvm::cl::init(0.5)};
  PassOptions::Option<int64_t> sliceAlign{
      *this, "slice-align",
      llvm::cl::desc("slice-drop: the slice's start and width are multiples "
                     "of this"),
      llvm::cl::init(1)};
  PassOptions::Option<int64_t> seed{
      *this, "seed", llvm::cl::desc("slice-drop: seed when seed-arg is -1"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> seedArg{
      *this, "seed-arg",
      llvm::cl::desc("slice-drop: an i64 argument used as the seed"),
      llvm::cl::init(-1)};
  PassOptions::Option<int64_t> counter{
      *this, "counter",
      llvm::cl::desc("slice-drop: counter when counter-arg is -1"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> counterArg{
      *this, "counter-arg",
      llvm::cl::desc("slice-drop: an i64 argument used as the counter"),
      llvm::cl::init(-1)};
  PassOptions::Option<double> maxDensity{
      *this, "max-density",
      llvm::cl::desc("zero-skip: max_density of the created ops (default: "
                     "theirs)"),
      llvm::cl::init(-1.0)};
  PassOptions::Option<bool> reluMask{
      *this, "relu-mask",
      llvm::cl::desc("min-k, block-prune: save a ReLU backward's comparison "
                     "as an i1 tensor so that the dense input is freed"),
      llvm::cl::init(true)};
  PassOptions::ListOption<unsigned> layers{
      *this, "layers",
      llvm::cl::desc("min-k, block-prune: layers to rewrite by index "
                     "(default, with no layer-names: all but the first and "
                     "the last)")};
  PassOptions::ListOption<std::string> layerNames{
      *this, "layer-names",
      llvm::cl::desc("min-k, block-prune: layers to rewrite by their "
                     "`sparse_train.layer` name")};
  PassOptions::Option<std::string> funcName{
      *this, "func",
      llvm::cl::desc("min-k, block-prune, slice-drop: only this function "
                     "(default: every joint step)"),
      llvm::cl::init("")};
  PassOptions::Option<unsigned> forwardResults{
      *this, "forward-results",
      llvm::cl::desc("Leading results that are forward outputs"),
      llvm::cl::init(1)};
  PassOptions::ListOption<unsigned> tangents{
      *this, "tangents",
      llvm::cl::desc("Arguments that are tangents (output gradients)")};
  PassOptions::ListOption<unsigned> params{
      *this, "params", llvm::cl::desc("Arguments that are parameters")};
};

/// Builds `sparse-train-apply`: the apply pass of each technique, in the
/// order given, on every function; fails on an unknown technique.
LogicalResult buildSparseTrainApplyPipeline(
    OpPassManager &pm, const SparseTrainApplyOptions &options,
    function_ref<LogicalResult(const Twine &)> errorHandler);

/// Options of `sparse-train-to-nvvm`.
struct SparseTrainToNVVMOptions
    : public PassPipelineOptions<SparseTrainToNVVMOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("Target GPU: sm_75 or newer (CUDA 13's ptxas), e.g. "
                     "sm_80, sm_90, sm_90a"),
      llvm::cl::init("sm_90")};
  PassOptions::Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX version as +ptxNN (empty: the minimum the chip "
                     "needs)"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("isa (PTX text), bin (cubin, needs ptxas) or fatbin"),
      llvm::cl::init("bin")};
  PassOptions::Option<unsigned> optLevel{
      *this, "opt-level", llvm::cl::desc("Optimization level 0-3"),
      llvm::cl::init(3)};
  PassOptions::Option<std::string> targetTriple{
      *this, "target-triple",
      llvm::cl::desc("Target triple of the host code, given to a module "
                     "that names none: `host` for the compiling machine's, "
                     "`none` to leave it unset"),
      llvm::cl::init("host")};
};

/// Checks the options of `sparse-train-to-nvvm` against what CUDA 13 and
/// the NVPTX backend accept, then builds the pipeline: sparse_train ops into
/// GPU kernels (convert-sparse-train-to-gpu), bufferization with the
/// sparsifier, kernels outlined, buffer deallocation, dense linalg and every
/// host parallel loop onto blocks and threads, host buffers into managed
/// memory; then MLIR's NVVM lowering of the kernels (ending in host LLVM
/// dialect plus gpu.binary), the host code's target triple
/// (`target-triple`) and a final check that only builtin, llvm and gpu ops
/// remain. An op without a GPU kernel is reported by name.
LogicalResult buildSparseTrainToNVVMPipeline(
    OpPassManager &pm, const SparseTrainToNVVMOptions &options,
    function_ref<LogicalResult(const Twine &)> errorHandler);

/// Registers the sparse_train pipelines.
void registerSparseTrainPipelines();

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_PIPELINES_PIPELINES_H
