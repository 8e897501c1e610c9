//===- Pipelines.cpp - sparse_train pass pipelines ------------------------===//

#include "SparseTrain/Pipelines/Pipelines.h"
#include "SparseTrain/Conversion/Passes.h"
#include "SparseTrain/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"

#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SparseTensor/Pipelines/Passes.h"
#include "mlir/Dialect/SparseTensor/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::sparse_train;

void mlir::sparse_train::buildSparseTrainToCPUPipeline(
    OpPassManager &pm, const SparseTrainToCPUOptions &options) {
  // Slice-drop as smaller products on weight views (before anything else:
  // it leaves element-wise ops on tensors behind).
  if (options.propagateSlices)
    pm.addNestedPass<func::FuncOp>(createSparseTrainPropagateSlicesPass());
  // Element-wise arith/math on tensors becomes linalg, which bufferizes.
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  if (options.kernels == KernelChoice::Reference) {
    ConvertSparseTrainToLoopsPassOptions loops;
    loops.runtimeChecks = options.runtimeChecks;
    pm.addPass(createConvertSparseTrainToLoopsPass(loops));
  } else {
    ConvertSparseTrainToCPUPassOptions cpu;
    cpu.runtimeChecks = options.runtimeChecks;
    cpu.vectorBits = options.vectorBits;
    cpu.panelDepth = options.panelDepth;
    pm.addPass(createConvertSparseTrainToCPUPass(cpu));
  }
  // bf16 conversions have no native lowering on every CPU: expand them into
  // integer arithmetic.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  // The upstream sparsifier (enable-runtime-library=false), step by step,
  // with the buffer deallocation pipeline added after bufferization: the
  // sparsifier itself frees nothing, so every temporary of the reference
  // kernels and every intermediate tensor would leak on each call.
  sparse_tensor::SparsifierOptions sparsifier;
  sparsifier.enableRuntimeLibrary = false;
  // The sparsifier needs linalg.generic; dense named ops stay named.
  pm.addNestedPass<func::FuncOp>(createSparseTrainGeneralizeSparseLinalgPass());
  pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
  pm.addPass(mlir::createSparsificationAndBufferizationPass(
      mlir::getBufferizationOptionsForSparsification(
          /*analysisOnly=*/false),
      sparsifier.sparsificationOptions(), sparsifier.createSparseDeallocs,
      /*enableRuntimeLibrary=*/false, sparsifier.enableBufferInitialization,
      sparsifier.vectorLength, /*enableVLAVectorization=*/false,
      /*enableSIMDIndex32=*/false, /*enableGPULibgen=*/false,
      sparsifier.sparsificationOptions().sparseEmitStrategy,
      sparsifier.sparsificationOptions().parallelizationStrategy));
  pm.addPass(createStorageSpecifierToLLVMPass());
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  if (options.blas)
    pm.addPass(createSparseTrainMatmulToBlasPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass());
  pm.addNestedPass<func::FuncOp>(memref::createExpandReallocPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // The kernels' scf.parallel loops run on OpenMP threads (libomp), or
  // sequentially when one thread is asked for.
  bool openmp = options.numThreads != 1;
  if (openmp) {
    ConvertSCFToOpenMPPassOptions openmp;
    openmp.numThreads = options.numThreads;
    pm.addPass(createConvertSCFToOpenMPPass(openmp));
    // The loop bodies come wrapped in memref.alloca_scope, which must not
    // hold the several blocks of lowered loops; the canonicalizer inlines
    // the scopes that hold no alloca.
    pm.addPass(createCanonicalizerPass());
  }
  pm.addNestedPass<func::FuncOp>(createSCFToControlFlowPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addNestedPass<func::FuncOp>(arith::createArithExpandOpsPass());
  pm.addNestedPass<func::FuncOp>(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  // OpenMP has no ConvertToLLVM interface registered by the upstream
  // extensions: its conversion runs on its own, before the rest.
  if (openmp)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  // Anything the passes above did not lower is an error, not a leftover.
  // OpenMP ops on LLVM types remain: mlir-translate and the JIT turn them
  // into calls of the OpenMP runtime.
  SparseTrainVerifyLoweringPassOptions verify;
  verify.allowedDialects = {"builtin", "llvm"};
  if (openmp)
    verify.allowedDialects.push_back("omp");
  pm.addPass(createSparseTrainVerifyLoweringPass(verify));
}

LogicalResult mlir::sparse_train::buildSparseTrainApplyPipeline(
    OpPassManager &pm, const SparseTrainApplyOptions &options,
    function_ref<LogicalResult(const Twine &)> errorHandler) {
  auto copy = [](auto &to, const auto &from) {
    to.assign(from.begin(), from.end());
  };
  for (const std::string &technique : options.techniques) {
    if (technique == "min-k") {
      SparseTrainApplyMinKPassOptions minK;
      minK.keepRatio = options.keepRatio;
      minK.encoding = options.encoding;
      copy(minK.layerIndices, options.layers);
      minK.forwardResults = options.forwardResults;
      copy(minK.tangents, options.tangents);
      copy(minK.params, options.params);
      pm.addNestedPass<func::FuncOp>(createSparseTrainApplyMinKPass(minK));
    } else if (technique == "block-prune") {
      SparseTrainApplyBlockPrunePassOptions prune;
      prune.blockRows = options.blockRows;
      prune.blockCols = options.blockCols;
      prune.keepRatio = options.blockKeepRatio;
      prune.score = options.score;
      copy(prune.layerIndices, options.layers);
      prune.forwardResults = options.forwardResults;
      copy(prune.tangents, options.tangents);
      copy(prune.params, options.params);
      pm.addNestedPass<func::FuncOp>(
          createSparseTrainApplyBlockPrunePass(prune));
    } else if (technique == "zero-skip") {
      SparseTrainApplyZeroSkipPassOptions zeroSkip;
      zeroSkip.maxDensity = options.maxDensity;
      pm.addNestedPass<func::FuncOp>(
          createSparseTrainApplyZeroSkipPass(zeroSkip));
    } else {
      return errorHandler("sparse-train-apply: unknown technique '" +
                          technique +
                          "' (choose from min-k, block-prune, zero-skip)");
    }
  }
  return success();
}

void mlir::sparse_train::registerSparseTrainPipelines() {
  // Registered by hand to report an unknown technique through the
  // pipeline parser's error handler.
  registerPassPipeline(
      "sparse-train-apply",
      "Place the training techniques in a joint training step: the apply "
      "pass of each of `techniques`, in order",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        SparseTrainApplyOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        return buildSparseTrainApplyPipeline(pm, options, errorHandler);
      },
      [](function_ref<void(const detail::PassOptions &)> optionHandler) {
        optionHandler(SparseTrainApplyOptions());
      });
  PassPipelineRegistration<SparseTrainToCPUOptions>(
      "sparse-train-to-cpu",
      "Lower a program with sparse_train ops and linalg on tensors to the "
      "LLVM dialect for the CPU",
      buildSparseTrainToCPUPipeline);
}
