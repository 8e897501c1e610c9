//===- GPUKernelBuilder.h - gpu.launch helpers of the GPU lowering -*- C++
//-*-===//
//
// Kernels written directly as gpu.launch (block-cooperative ones that need
// shared memory and barriers) and the flat views and parallel loops the
// element-parallel kernels are written with.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_LIB_CONVERSION_GPUKERNELBUILDER_H
#define SPARSETRAIN_LIB_CONVERSION_GPUKERNELBUILDER_H

#include "../SparseTrainToLoops/KernelBuilder.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace mlir {
namespace sparse_train {

/// Threads per block of the block-cooperative kernels (one histogram bucket
/// and one scan slot per thread).
inline constexpr int64_t kBlockThreads = 256;

/// A buffer of `shape` x `elementType` in workgroup (shared) memory.
inline MemRefType getWorkgroupBufferType(ArrayRef<int64_t> shape,
                                         Type elementType) {
  auto space = gpu::AddressSpaceAttr::get(elementType.getContext(),
                                          gpu::AddressSpace::Workgroup);
  return MemRefType::get(shape, elementType, MemRefLayoutAttrInterface{},
                         space);
}

/// The ids of a one-dimensional launch and its workgroup buffers.
struct LaunchIds {
  Value block, thread;
  SmallVector<Value> shared;
};

/// Emits a `gpu.launch` of `grid` blocks of `threads` threads (x only) with
/// workgroup buffers of `shared` types; `body(ids)` fills its body.
template <typename Body>
void emitLaunch(KernelBuilder &k, Value grid, int64_t threads, TypeRange shared,
                Body body) {
  // An empty grid is not a valid launch configuration: launch nothing.
  OpBuilder::InsertionGuard outer(k.b);
  std::optional<int64_t> constantGrid = getConstantIntValue(grid);
  if (!constantGrid || *constantGrid < 1) {
    auto guard = scf::IfOp::create(
        k.b, k.cmp(arith::CmpIPredicate::ugt, grid, k.index(0)),
        /*withElseRegion=*/false);
    k.b.setInsertionPoint(guard.thenBlock()->getTerminator());
  }
  Value one = k.index(1);
  auto launch = gpu::LaunchOp::create(
      k.b, grid, one, one, k.index(threads), one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange{}, shared);
  OpBuilder::InsertionGuard guard(k.b);
  Block &entry = launch.getBody().front();
  k.b.setInsertionPointToEnd(&entry);
  auto terminator = gpu::TerminatorOp::create(k.b);
  k.b.setInsertionPoint(terminator);
  LaunchIds ids;
  ids.block = launch.getBlockIds().x;
  ids.thread = launch.getThreadIds().x;
  for (BlockArgument buffer : launch.getWorkgroupAttributions())
    ids.shared.push_back(buffer);
  body(ids);
}

/// Lanes of a warp.
inline constexpr int64_t kWarpLanes = 32;

/// Launches warps of kWarpLanes lanes over `tasks` tasks (one per warp), in
/// blocks of kBlockThreads threads; `body(lane, task)` runs for the tasks
/// that exist (a warp's lanes share its task, so whole warps leave
/// together, as warp-synchronous ops need).
template <typename Body>
void emitWarpLaunch(KernelBuilder &k, Value tasks, Body body) {
  int64_t warps = kBlockThreads / kWarpLanes;
  Value grid = k.divU(k.add(tasks, k.index(warps - 1)), k.index(warps));
  emitLaunch(k, grid, kBlockThreads, {}, [&](LaunchIds ids) {
    Value lane = k.remU(ids.thread, k.index(kWarpLanes));
    Value task = k.add(k.mul(ids.block, k.index(warps)),
                       k.divU(ids.thread, k.index(kWarpLanes)));
    k.ifThen(k.cmp(arith::CmpIPredicate::ult, task, tasks),
             [&] { body(lane, task); });
  });
}

/// A block-wide barrier.
inline void emitBarrier(KernelBuilder &k) { gpu::BarrierOp::create(k.b); }

/// `if (thread == 0) then()`.
template <typename Then>
void onFirstThread(KernelBuilder &k, Value thread, Then then) {
  k.ifThen(k.cmp(arith::CmpIPredicate::eq, thread, k.index(0)), then);
}

/// The number of set bits of the i32 `word` (PTX popc).
inline Value emitPopCount(KernelBuilder &k, Value word) {
  return LLVM::CtPopOp::create(k.b, word.getType(), word);
}

/// Replaces `buffer[thread]`, for `thread < kBlockThreads`, by the sum of
/// the entries before it (an exclusive scan of index values in workgroup
/// memory), done by thread 0 in thread order so that the result does not
/// depend on scheduling. Barriers before and after.
inline void emitBlockExclusiveScan(KernelBuilder &k, Value thread,
                                   Value buffer) {
  emitBarrier(k);
  onFirstThread(k, thread, [&] {
    k.forAccumulate(k.index(0), k.index(kBlockThreads), {k.index(0)},
                    [&](Value t, ValueRange acc) {
                      Value count = k.load(buffer, t);
                      k.store(acc[0], buffer, t);
                      return SmallVector<Value>{k.add(acc[0], count)};
                    });
  });
  emitBarrier(k);
}

/// The contiguous range `[lo, hi)` of `length` elements that `thread` of a
/// `kBlockThreads`-thread block owns (chunks of ceil(length / threads)).
inline std::pair<Value, Value> getThreadChunk(KernelBuilder &k, Value thread,
                                              Value length) {
  Value chunk =
      k.divU(k.add(length, k.index(kBlockThreads - 1)), k.index(kBlockThreads));
  Value lo = arith::MinUIOp::create(k.b, k.mul(thread, chunk), length);
  Value hi = arith::MinUIOp::create(k.b, k.add(lo, chunk), length);
  return {lo, hi};
}

/// `parallel for (i0 < ub0, i1 < ub1, ...) body(ivs)`: one scf.parallel
/// nest, which sparse-train-gpu-map-parallel-loops maps to blocks and
/// threads (and the CPU pipeline runs as it is).
inline void forEachParallelND(KernelBuilder &k, ValueRange upperBounds,
                              function_ref<void(ValueRange)> body) {
  SmallVector<Value> lbs(upperBounds.size(), k.index(0));
  SmallVector<Value> steps(upperBounds.size(), k.index(1));
  auto loop = scf::ParallelOp::create(k.b, lbs, upperBounds, steps);
  OpBuilder::InsertionGuard guard(k.b);
  k.b.setInsertionPoint(loop.getBody()->getTerminator());
  body(loop.getInductionVars());
}

/// The identity-layout buffer `memref` viewed as rank 1.
inline Value flattenBuffer(KernelBuilder &k, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  if (type.getRank() == 1)
    return memref;
  ReassociationIndices all;
  for (int64_t d = 0; d < type.getRank(); ++d)
    all.push_back(d);
  return memref::CollapseShapeOp::create(k.b, memref,
                                         ArrayRef<ReassociationIndices>{all});
}

/// Sets every element of the rank-1 `buffer` to `value` in parallel.
inline void emitParallelFill(KernelBuilder &k, Value buffer, Value value) {
  forEachParallelND(k, {k.dim(buffer, 0)},
                    [&](ValueRange ivs) { k.store(value, buffer, ivs); });
}

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_CONVERSION_GPUKERNELBUILDER_H
