//===- Pipelines.cpp - sparse_train pass pipelines ------------------------===//

#include "SparseTrain/Pipelines/Pipelines.h"
#include "SparseTrain/Conversion/Passes.h"
#include "SparseTrain/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/Pipelines/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"

#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SparseTensor/Pipelines/Passes.h"
#include "mlir/Dialect/SparseTensor/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::sparse_train;

/// Adds sparse-train-set-target-triple for `triple` unless it is `none`:
/// without a triple, llc compiles for no C library and expands memset and
/// memcpy into byte loops.
static void addSetTargetTriple(OpPassManager &pm, StringRef triple) {
  if (triple == "none")
    return;
  SparseTrainSetTargetTriplePassOptions options;
  options.triple = triple.str();
  pm.addPass(createSparseTrainSetTargetTriplePass(options));
}

void mlir::sparse_train::buildSparseTrainToCPUPipeline(
    OpPassManager &pm, const SparseTrainToCPUOptions &options) {
  // Slice-drop as smaller products on weight views (before anything else:
  // it leaves element-wise ops on tensors behind).
  if (options.propagateSlices)
    pm.addNestedPass<func::FuncOp>(createSparseTrainPropagateSlicesPass());
  // Element-wise arith/math on tensors becomes linalg, which bufferizes.
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  // Each product its own fill, right before it (CSE shares them, and
  // bufferization would copy a shared one per product).
  pm.addNestedPass<func::FuncOp>(createSparseTrainSinkFillsPass());
  if (options.kernels == KernelChoice::Reference) {
    ConvertSparseTrainToLoopsPassOptions loops;
    loops.runtimeChecks = options.runtimeChecks;
    pm.addPass(createConvertSparseTrainToLoopsPass(loops));
  } else {
    ConvertSparseTrainToCPUPassOptions cpu;
    cpu.runtimeChecks = options.runtimeChecks;
    cpu.vectorBits = options.vectorBits;
    cpu.panelDepth = options.panelDepth;
    cpu.panelCacheKiB = options.panelCacheKiB;
    cpu.inPlaceUses = options.inPlaceUses;
    cpu.x86Compress = options.x86Compress;
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
  // After the scopes are gone: the intrinsic call it emits has unknown
  // memory effects, which would keep a scope (and buffer deallocation
  // rejects it).
  if (options.x86Compress)
    pm.addNestedPass<func::FuncOp>(createSparseTrainX86RegisterExpandPass());
  pm.addNestedPass<func::FuncOp>(createSCFToControlFlowPass());
  // x86vector: the AVX-512 register compress of the min-k kernels.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.x86Vector = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addNestedPass<func::FuncOp>(arith::createArithExpandOpsPass());
  pm.addNestedPass<func::FuncOp>(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  // OpenMP has no ConvertToLLVM interface registered by the upstream
  // extensions: its conversion runs on its own, before the rest.
  if (openmp)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  addSetTargetTriple(pm, options.targetTriple);
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
  // The options the graph-based apply passes share, and those of the two
  // that rewrite layers' weight gradients.
  auto copyStepOptions = [&](auto &pass) {
    pass.funcName = options.funcName;
    pass.forwardResults = options.forwardResults;
    copy(pass.tangents, options.tangents);
    copy(pass.params, options.params);
  };
  auto copyLayerOptions = [&](auto &pass) {
    pass.reluMask = options.reluMask;
    copy(pass.layerIndices, options.layers);
    copy(pass.layerNames, options.layerNames);
    copyStepOptions(pass);
  };
  for (const std::string &technique : options.techniques) {
    if (technique == "min-k") {
      SparseTrainApplyMinKPassOptions minK;
      minK.keepRatio = options.keepRatio;
      minK.encoding = options.encoding;
      copyLayerOptions(minK);
      pm.addNestedPass<func::FuncOp>(createSparseTrainApplyMinKPass(minK));
    } else if (technique == "block-prune") {
      SparseTrainApplyBlockPrunePassOptions prune;
      prune.blockRows = options.blockRows;
      prune.blockCols = options.blockCols;
      prune.keepRatio = options.blockKeepRatio;
      prune.score = options.score;
      copyLayerOptions(prune);
      pm.addNestedPass<func::FuncOp>(
          createSparseTrainApplyBlockPrunePass(prune));
    } else if (technique == "slice-drop") {
      SparseTrainApplySliceDropPassOptions slice;
      slice.keepRatio = options.sliceKeepRatio;
      slice.align = options.sliceAlign;
      slice.seed = options.seed;
      slice.seedArg = options.seedArg;
      slice.counter = options.counter;
      slice.counterArg = options.counterArg;
      copyStepOptions(slice);
      pm.addNestedPass<func::FuncOp>(
          createSparseTrainApplySliceDropPass(slice));
    } else if (technique == "zero-skip") {
      SparseTrainApplyZeroSkipPassOptions zeroSkip;
      zeroSkip.maxDensity = options.maxDensity;
      pm.addNestedPass<func::FuncOp>(
          createSparseTrainApplyZeroSkipPass(zeroSkip));
    } else {
      return errorHandler("sparse-train-apply: unknown technique '" +
                          technique +
                          "' (choose from min-k, block-prune, "
                          "slice-drop, zero-skip)");
    }
  }
  return success();
}

/// The chips (without their a/f suffix) of LLVM 22.1.8's NVPTX backend that
/// CUDA 13's ptxas accepts, and the backend's PTX versions (times ten)
/// (`llc -march=nvptx64 -mcpu=help`, `-mattr=help`): anything else the
/// backend ignores with a warning and compiles for another target.
static constexpr unsigned kChips[] = {75,  80,  86,  87,  88,  89, 90,
                                      100, 101, 103, 110, 120, 121};
static constexpr unsigned kPtxVersions[] = {
    32, 40, 41, 42, 43, 50, 60, 61, 62, 63, 64, 65, 70, 71, 72, 73,
    74, 75, 76, 77, 78, 80, 81, 82, 83, 84, 85, 86, 87, 88, 90};

/// The oldest PTX version (times ten) that can target `sm_<number>`, with
/// an arch- or family-specific suffix when `suffixed`.
static unsigned getMinimumPtxVersion(unsigned number, bool suffixed) {
  if (suffixed)
    return number >= 100 ? 86 : 80;
  if (number >= 120)
    return 87;
  if (number >= 100)
    return 86;
  if (number >= 89)
    return 78;
  if (number >= 87)
    return 74;
  if (number >= 86)
    return 71;
  if (number >= 80)
    return 70;
  return 63;
}

LogicalResult mlir::sparse_train::buildSparseTrainToNVVMPipeline(
    OpPassManager &pm, const SparseTrainToNVVMOptions &options,
    function_ref<LogicalResult(const Twine &)> errorHandler) {
  auto error = [&](const Twine &message) {
    return errorHandler("sparse-train-to-nvvm: " + message);
  };
  // chip: sm_<number>, with a (arch-specific) or f (family) on the chips
  // that have one.
  StringRef chip = options.chip;
  unsigned number = 0;
  bool suffixed = chip.ends_with("a") || chip.ends_with("f");
  StringRef digits = chip.drop_front(3).drop_back(suffixed ? 1 : 0);
  if (!chip.starts_with("sm_") || digits.getAsInteger(10, number))
    return error("chip must be sm_<number>, optionally with a or f, got '" +
                 chip + "'");
  if (number < 75)
    return error("chip " + chip +
                 " is not supported by CUDA 13's ptxas (sm_75 or newer)");
  if (!llvm::is_contained(kChips, number) ||
      (suffixed && (number < 90 || (number == 90 && chip.ends_with("f")))))
    return error("chip " + chip +
                 " is not a target of LLVM 22's NVPTX "
                 "backend");
  // features: empty or +ptx<version>, known to the backend and new enough
  // for the chip (an older one is an LLVM ERROR in the NVPTX backend).
  StringRef features = options.features;
  if (!features.empty()) {
    unsigned version = 0;
    if (!features.starts_with("+ptx") ||
        features.drop_front(4).getAsInteger(10, version))
      return error("features must be empty or +ptx<version>, got '" + features +
                   "'");
    if (!llvm::is_contained(kPtxVersions, version))
      return error(features + " is not a PTX version of LLVM 22's NVPTX "
                              "backend");
    unsigned minimum = getMinimumPtxVersion(number, suffixed);
    if (version < minimum)
      return error(features + " is older than PTX " + Twine(minimum / 10) +
                   "." + Twine(minimum % 10) + ", the oldest that targets " +
                   chip);
  }
  StringRef format = options.format;
  if (format != "isa" && format != "bin" && format != "fatbin")
    return error("format must be isa, bin or fatbin, got '" + format + "'");
  if (options.optLevel > 3)
    return error("opt-level must be 0 to 3, got " + Twine(options.optLevel));

  // Front half: sparse_train ops into GPU kernels on tensors, bufferization
  // (with the sparsifier for the BSR tensors), dense linalg into parallel
  // loops, every host parallel loop onto blocks and threads, host buffers
  // into managed memory (docs/GPU.md).
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addPass(createConvertSparseTrainToGPUPass());
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addNestedPass<func::FuncOp>(createSparseTrainGeneralizeSparseLinalgPass());
  pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
  // The sparsifier frees nothing itself (createSparseDeallocs off): the
  // ownership-based deallocation below frees every buffer, and it skips
  // functions that already free memory.
  sparse_tensor::SparsifierOptions sparsifier;
  pm.addPass(mlir::createSparsificationAndBufferizationPass(
      mlir::getBufferizationOptionsForSparsification(/*analysisOnly=*/false),
      sparsifier.sparsificationOptions(), /*createSparseDeallocs=*/false,
      /*enableRuntimeLibrary=*/false, sparsifier.enableBufferInitialization,
      /*vectorLength=*/0, /*enableVLAVectorization=*/false,
      /*enableSIMDIndex32=*/false, /*enableGPULibgen=*/false,
      sparsifier.sparsificationOptions().sparseEmitStrategy,
      sparsifier.sparsificationOptions().parallelizationStrategy));
  pm.addPass(createStorageSpecifierToLLVMPass());
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  // The block-cooperative kernels go into gpu.modules first: buffer
  // deallocation must see the host functions only (it cannot handle the
  // workgroup buffers and barriers of a gpu.launch body).
  // Constants and index computations move into the launch bodies first, so
  // that kernels see them as constants rather than as parameters (a
  // parameter membermask or shuffle width makes ptxas handle partial warps
  // in vote.sync/shfl.sync, at the cost of spills).
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  memref::ExpandReallocPassOptions realloc;
  realloc.emitDeallocs = false;
  pm.addNestedPass<func::FuncOp>(memref::createExpandReallocPass(realloc));
  pm.addNestedPass<func::FuncOp>(createSparseTrainGPUBufferDeallocationPass());
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(
      bufferization::createBufferDeallocationSimplificationPass());
  pm.addPass(bufferization::createLowerDeallocationsPass());
  pm.addNestedPass<func::FuncOp>(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(createSparseTrainGPUMapParallelLoopsPass());
  pm.addPass(createConvertParallelLoopToGpuPass());
  pm.addPass(createSparseTrainGPUHostSharedBuffersPass());
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());

  gpu::GPUToNVVMPipelineOptions nvvm;
  nvvm.cubinChip = options.chip;
  nvvm.cubinFeatures = options.features;
  nvvm.cubinFormat = options.format;
  nvvm.optLevel = options.optLevel;
  gpu::buildLowerToNVVMPassPipeline(pm, nvvm);
  addSetTargetTriple(pm, options.targetTriple);
  SparseTrainVerifyLoweringPassOptions verify;
  verify.allowedDialects = {"builtin", "llvm", "gpu"};
  pm.addPass(createSparseTrainVerifyLoweringPass(verify));
  return success();
}

/// Registers a pipeline whose builder can fail: unlike
/// PassPipelineRegistration, it reports bad option values through the
/// pipeline parser's error handler.
template <typename Options>
static void registerCheckedPipeline(
    StringRef arg, StringRef description,
    LogicalResult (*build)(OpPassManager &, const Options &,
                           function_ref<LogicalResult(const Twine &)>)) {
  registerPassPipeline(
      arg, description,
      [build](OpPassManager &pm, StringRef text,
              function_ref<LogicalResult(const Twine &)> errorHandler) {
        Options options;
        if (failed(options.parseFromString(text)))
          return failure();
        return build(pm, options, errorHandler);
      },
      [](function_ref<void(const mlir::detail::PassOptions &)> optionHandler) {
        optionHandler(Options());
      });
}

void mlir::sparse_train::registerSparseTrainPipelines() {
  registerCheckedPipeline<SparseTrainToNVVMOptions>(
      "sparse-train-to-nvvm",
      "Lower a program with sparse_train ops and linalg on tensors to GPU "
      "kernels, then through NVVM to host LLVM dialect plus gpu.binary, "
      "with options checked for CUDA 13",
      buildSparseTrainToNVVMPipeline);
  registerCheckedPipeline<SparseTrainApplyOptions>(
      "sparse-train-apply",
      "Place the training techniques in a joint training step: the apply "
      "pass of each of `techniques`, in order",
      buildSparseTrainApplyPipeline);
  PassPipelineRegistration<SparseTrainToCPUOptions>(
      "sparse-train-to-cpu",
      "Lower a program with sparse_train ops and linalg on tensors to the "
      "LLVM dialect for the CPU",
      buildSparseTrainToCPUPipeline);
}
