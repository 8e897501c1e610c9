//===- SliceDropToGPU.cpp - GPU lowering of the SliceOut ops --------------===//
//
// slice_start draws its start on the device: one thread runs the same
// Philox4x32-10 arith ops as the reference lowering and writes the start
// into a one-element buffer that host code reads after the (synchronous)
// launch. slice_drop and slice_expand keep the reference lowering: tensor
// slices with a dynamic offset (strided views after bufferization) and an
// element-wise linalg.generic, which the pipeline maps like any dense op.
//
//===----------------------------------------------------------------------===//

#include "../SparseTrainToLoops/PhiloxEmitter.h"
#include "GPUKernelBuilder.h"
#include "SparseTrain/Conversion/SparseTrainToGPU.h"
#include "SparseTrain/Conversion/SparseTrainToLoops.h"
#include "SparseTrain/IR/SparseTrainOps.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace {

/// slice_start: one thread computes the start into a buffer of one index.
struct SliceStartToGPU : public OpConversionPattern<SliceStartOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceStartOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    KernelBuilder k(rewriter, op.getLoc());
    Value result = k.alloc({1}, k.b.getIndexType());
    Value seed = adaptor.getSeed(), counter = adaptor.getCounter();
    emitLaunch(k, k.index(1), 1, {}, [&](const LaunchIds &) {
      Value start = emitSliceStart(k, seed, counter, op.getNumStarts(),
                                   op.getAlignValue());
      k.store(start, result, {k.index(0)});
    });
    rewriter.replaceOp(op, k.load(result, {k.index(0)}));
    return success();
  }
};

} // namespace

void mlir::sparse_train::populateSliceDropToGPUPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<SliceStartToGPU>(converter, patterns.getContext(),
                                /*benefit=*/2);
  // slice_drop and slice_expand (the reference's slice_start pattern loses
  // to the one above).
  populateSliceDropToLoopsPatterns(converter, patterns, LoopsLoweringOptions());
}
