//===- GPUHostPreparation.cpp - host code around the GPU kernels ----------===//
//
// sparse-train-gpu-map-parallel-loops: host copies become parallel loops, and
// every outermost host scf.parallel is collapsed, tiled and mapped to blocks
// and threads for convert-parallel-loops-to-gpu.
//
// sparse-train-gpu-host-shared-buffers: host buffers become managed memory
// (the memory model of sparse-train-to-nvvm, see docs/GPU.md).
//
//===----------------------------------------------------------------------===//

#include "GPUKernelBuilder.h"
#include "SparseTrain/Conversion/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/BufferDeallocationOpInterface.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_SPARSETRAINGPUMAPPARALLELLOOPSPASS
#define GEN_PASS_DEF_SPARSETRAINGPUHOSTSHAREDBUFFERSPASS
#define GEN_PASS_DEF_SPARSETRAINGPUBUFFERDEALLOCATIONPASS
#include "SparseTrain/Conversion/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

/// True when `op` is device code: inside a gpu.launch or a gpu.module.
static bool isDeviceCode(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() ||
         op->getParentOfType<gpu::GPUModuleOp>();
}

/// Replaces the host `memref.copy` `copy` by a parallel loop nest.
static void rewriteCopyAsLoop(memref::CopyOp copy) {
  OpBuilder builder(copy);
  KernelBuilder k(builder, copy.getLoc());
  Value source = copy.getSource(), target = copy.getTarget();
  auto type = cast<MemRefType>(target.getType());
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    sizes.push_back(k.dim(target, d));
  if (sizes.empty()) {
    k.store(k.load(source, {}), target, {});
  } else {
    forEachParallelND(k, sizes, [&](ValueRange ivs) {
      k.store(k.load(source, ivs), target, ivs);
    });
  }
  copy.erase();
}

/// Collapses `loop` to one dimension, tiles it by `blockSize` and maps the
/// tiles to blocks, their iterations to threads and deeper parallel loops
/// to sequential loops.
static LogicalResult mapLoop(scf::ParallelOp loop, int64_t blockSize) {
  MLIRContext *context = loop.getContext();
  if (loop.getNumLoops() > 1) {
    Operation *next = loop->getNextNode();
    IRRewriter rewriter(context);
    std::vector<unsigned> all;
    for (unsigned d = 0; d < loop.getNumLoops(); ++d)
      all.push_back(d);
    collapseParallelLoops(rewriter, loop, {all});
    loop = dyn_cast_or_null<scf::ParallelOp>(next->getPrevNode());
    if (!loop)
      return failure();
  }
  // An empty iteration space would be an empty grid, which is not a valid
  // launch configuration: launch nothing.
  std::optional<int64_t> lower = getConstantIntValue(loop.getLowerBound()[0]);
  std::optional<int64_t> upper = getConstantIntValue(loop.getUpperBound()[0]);
  if (!lower || !upper || *upper <= *lower) {
    OpBuilder builder(loop);
    Value nonEmpty =
        arith::CmpIOp::create(builder, loop.getLoc(), arith::CmpIPredicate::slt,
                              loop.getLowerBound()[0], loop.getUpperBound()[0]);
    auto guard = scf::IfOp::create(builder, loop.getLoc(), nonEmpty,
                                   /*withElseRegion=*/false);
    loop->moveBefore(guard.thenBlock()->getTerminator());
  }
  auto [outer, inner] =
      scf::tileParallelLoop(loop, {blockSize}, /*noMinMaxBounds=*/true);
  AffineMap identity = AffineMap::getMultiDimIdentityMap(1, context);
  auto dimMapping = [&](gpu::Processor processor) {
    return gpu::ParallelLoopDimMappingAttr::get(context, processor, identity,
                                                identity);
  };
  if (failed(gpu::setMappingAttr(outer, dimMapping(gpu::Processor::BlockX))) ||
      failed(gpu::setMappingAttr(inner, dimMapping(gpu::Processor::ThreadX))))
    return failure();
  LogicalResult result = success();
  inner.getBody()->walk([&](scf::ParallelOp nested) {
    SmallVector<gpu::ParallelLoopDimMappingAttr> sequential(
        nested.getNumLoops(), dimMapping(gpu::Processor::Sequential));
    if (failed(gpu::setMappingAttr(nested, sequential)))
      result = failure();
  });
  return result;
}

namespace {
struct SparseTrainGPUMapParallelLoopsPass
    : public sparse_train::impl::SparseTrainGPUMapParallelLoopsPassBase<
          SparseTrainGPUMapParallelLoopsPass> {
  using SparseTrainGPUMapParallelLoopsPassBase::
      SparseTrainGPUMapParallelLoopsPassBase;

  void runOnOperation() override {
    if (blockSize < 1 || blockSize > 1024) {
      getOperation().emitError()
          << "sparse-train-gpu-map-parallel-loops: block-size must be in "
             "[1, 1024], got "
          << static_cast<uint64_t>(blockSize);
      return signalPassFailure();
    }
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) {
      if (!isDeviceCode(copy))
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies)
      rewriteCopyAsLoop(copy);

    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (isDeviceCode(loop) || loop->getParentOfType<scf::ParallelOp>() ||
          loop.getNumReductions() != 0)
        return;
      loops.push_back(loop);
    });
    for (scf::ParallelOp loop : loops) {
      if (failed(mapLoop(loop, blockSize))) {
        loop.emitError("sparse-train-gpu-map-parallel-loops: could not map "
                       "this loop to blocks and threads");
        return signalPassFailure();
      }
    }
  }
};

struct SparseTrainGPUBufferDeallocationPass
    : public sparse_train::impl::SparseTrainGPUBufferDeallocationPassBase<
          SparseTrainGPUBufferDeallocationPass> {
  using SparseTrainGPUBufferDeallocationPassBase::
      SparseTrainGPUBufferDeallocationPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    WalkResult frees = func.walk([](Operation *op) {
      return isa<memref::DeallocOp, gpu::DeallocOp>(op)
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    if (frees.wasInterrupted())
      return;
    WalkResult launches = func.walk([](gpu::LaunchOp launch) {
      launch.emitError("sparse-train-gpu-buffer-deallocation: outline the "
                       "kernels first (gpu-kernel-outlining): the analysis "
                       "does not understand gpu.launch bodies");
      return WalkResult::interrupt();
    });
    if (launches.wasInterrupted())
      return signalPassFailure();
    SymbolTableCollection symbolTables;
    if (failed(bufferization::deallocateBuffersOwnershipBased(
            func, bufferization::DeallocationOptions(), symbolTables)))
      signalPassFailure();
  }
};

struct SparseTrainGPUHostSharedBuffersPass
    : public sparse_train::impl::SparseTrainGPUHostSharedBuffersPassBase<
          SparseTrainGPUHostSharedBuffersPass> {
  using SparseTrainGPUHostSharedBuffersPassBase::
      SparseTrainGPUHostSharedBuffersPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Buffers that kernels read, traced through views to their roots:
    // globals get a managed copy, stack buffers are an error.
    SetVector<Operation *> globals;
    bool unreachable = false;
    auto checkCaptured = [&](Operation *kernel, ValueRange captured) {
      for (Value value : captured) {
        while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
          value = view.getViewSource();
        Operation *def = value.getDefiningOp();
        if (isa_and_nonnull<memref::GetGlobalOp>(def)) {
          globals.insert(def);
        } else if (isa_and_nonnull<memref::AllocaOp>(def)) {
          InFlightDiagnostic diag = kernel->emitError()
                                    << "sparse-train-gpu-host-shared-buffers: "
                                       "a kernel reads a stack buffer the "
                                       "device cannot reach ('"
                                    << def->getName() << "')";
          diag.attachNote(def->getLoc()) << "defined here";
          unreachable = true;
        }
      }
    };
    module.walk([&](gpu::LaunchOp launch) {
      llvm::SetVector<Value> captured;
      getUsedValuesDefinedAbove(launch.getBody(), captured);
      checkCaptured(launch, captured.getArrayRef());
    });
    module.walk([&](gpu::LaunchFuncOp launch) {
      checkCaptured(launch, launch.getKernelOperands());
    });
    if (unreachable)
      return signalPassFailure();
    // A global a kernel reads is copied into managed memory at the entry of
    // its function (all its uses then read the copy), which is freed before
    // every return (after the synchronous launches).
    for (Operation *op : globals) {
      auto global = cast<memref::GetGlobalOp>(op);
      auto func = global->getParentOfType<func::FuncOp>();
      if (!func) {
        global.emitError("sparse-train-gpu-host-shared-buffers: a kernel "
                         "reads a global outside a function");
        return signalPassFailure();
      }
      OpBuilder builder(&func.getBody().front(),
                        func.getBody().front().begin());
      Location loc = global.getLoc();
      auto source = memref::GetGlobalOp::create(builder, loc, global.getType(),
                                                global.getNameAttr());
      auto copy = gpu::AllocOp::create(
          builder, loc, global.getType(), /*asyncToken=*/Type(),
          /*asyncDependencies=*/ValueRange{}, /*dynamicSizes=*/ValueRange{},
          /*symbolOperands=*/ValueRange{}, /*hostShared=*/true);
      memref::CopyOp::create(builder, loc, source, copy.getMemref());
      global.replaceAllUsesWith(copy.getMemref());
      global.erase();
      func.walk([&](func::ReturnOp ret) {
        OpBuilder at(ret);
        memref::DeallocOp::create(at, loc, copy.getMemref());
      });
    }

    SmallVector<memref::AllocOp> allocs;
    SmallVector<memref::DeallocOp> deallocs;
    module.walk([&](Operation *op) {
      if (isDeviceCode(op))
        return;
      if (auto alloc = dyn_cast<memref::AllocOp>(op))
        allocs.push_back(alloc);
      else if (auto dealloc = dyn_cast<memref::DeallocOp>(op))
        deallocs.push_back(dealloc);
    });
    for (memref::AllocOp alloc : allocs) {
      OpBuilder builder(alloc);
      auto shared = gpu::AllocOp::create(
          builder, alloc.getLoc(), alloc.getType(), /*asyncToken=*/Type(),
          /*asyncDependencies=*/ValueRange{}, alloc.getDynamicSizes(),
          alloc.getSymbolOperands(), /*hostShared=*/true);
      alloc.replaceAllUsesWith(shared.getMemref());
      alloc.erase();
    }
    // gpu.dealloc lowers only in its asynchronous form: free on a fresh
    // stream and wait for it.
    for (memref::DeallocOp dealloc : deallocs) {
      OpBuilder builder(dealloc);
      Location loc = dealloc.getLoc();
      Type token = gpu::AsyncTokenType::get(builder.getContext());
      auto start = gpu::WaitOp::create(builder, loc, token, ValueRange{});
      auto free = gpu::DeallocOp::create(builder, loc, token,
                                         ValueRange{start.getAsyncToken()},
                                         dealloc.getMemref());
      gpu::WaitOp::create(builder, loc, Type(),
                          ValueRange{free.getAsyncToken()});
      dealloc.erase();
    }
  }
};
} // namespace
