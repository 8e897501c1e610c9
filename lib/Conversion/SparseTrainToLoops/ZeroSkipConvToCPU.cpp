//===- ZeroSkipConvToCPU.cpp - vectorized zero-skipping convolutions ------===//
//
// Vector kernels for conv2d_zero_skip and its two gradients on f32, after
// SparseTrain (arXiv 1911.10175): the scanned operand supplies the scalar
// of an outer-product FMA, so one zero removes a whole group of vector
// FMAs.
//
// A vector of the scanned operand is loaded and compared with zero (NaN is
// not zero); the set bits of the mask are walked with count-trailing-zeros,
// and each non-zero is broadcast into a register tile of up to four
// vectors of output channels (filter gradient: one tile per filter column
// tap). No lane is tested one at a time.
//
//  - Forward and data gradient ("gather" kernels): a group of output rows
//    and a chunk of output channels per parallel iteration (each element
//    of the result has one owner); for each vector of scanned channels,
//    each filter row tap and each row of the group, every output pixel of
//    the row loads its accumulators, applies the filter column taps that
//    hit the unpadded operand, and stores them. The filter slice of one
//    row tap and one span of channels stays in cache (at most
//    kSpanSliceBytes) across the group's rows.
//    The data gradient reads the filter transposed to [KH, KW, F, C]
//    (packed once per call) so that input channels are contiguous.
//  - Filter gradient: the input is transposed once per call to [C, N, H, W]
//    so that the scan runs along input rows; each parallel iteration owns
//    a block of input channels and one chunk of filters, and accumulates
//    the filter column taps of a row tap in registers across a group of
//    output rows (no atomics, no reduction between threads). Narrow input
//    rows share mask words: two rows of up to 32 columns or four of up to
//    16 (16 lanes) per word.
//  - Pointwise ops (1x1 filter, unit strides, no padding) have kernels of
//    their own over the activations flattened to [pixels, channels]: the
//    forward and data gradient walk spans of 64 scanned channels per
//    pixel (emitPointwiseKernel); the filter gradient sums slices of the
//    pixels into partial gradients, added in order at the end, with one
//    mask word per channel and block of 64 pixels
//    (emitPointwiseFilterGradient).
//
// Before the kernel, a strided sample of the scanned operand estimates its
// density; above the op's `max_density` a dense loop runs instead. For the
// forward and the data gradient (width stride 1) it is register-tiled:
// several result pixels share each filter vector load, the scanned rows
// carry their zero padding and the loop has no tests; elsewhere it visits
// every lane without zero tests, two result pixels at a time in the forward
// and data-gradient kernels. Results do not depend on the thread count.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "SparseTrain/Conversion/SparseTrainToLoops.h"
#include "SparseTrain/IR/SparseTrainOps.h"
#include "ZeroSkipConvParts.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace {

/// Most vectors of output channels in one register tile.
constexpr int64_t kMaxTileVectors = 8;
/// Result pixels per tile of the dense loop of the forward and data
/// gradient kernels where the scanned column is not affine in the result
/// column (x 8 vectors of accumulators).
constexpr int64_t kDensePixels = 2;
/// Vector registers of the register-tiled dense loop: its accumulators, one
/// broadcast per result pixel and one filter vector.
constexpr int64_t kDenseRegisters = 31;
/// Most result pixels per register tile of the dense loop.
constexpr int64_t kMaxDensePixels = 12;
/// The most vectors of FMAs per non-zero at which the gather kernel
/// (forward and data gradient, not pointwise) skips only all-zero operands
/// by default: measured on ResNet-50's 1x1 layers before they had a kernel
/// of their own, skipping with 4 (64 result channels) was slower than the
/// dense loop even at 0.9 zeros, with 8 it won from about 0.3 zeros.
constexpr int64_t kMinSkipVectors = 4;
/// Vectors of the scanned operand the density test reads at most.
constexpr int64_t kDensitySample = 4096;
/// Bytes of the filter slice the forward and data-gradient kernels read per
/// result pixel visit at most (this bounds the span of scanned channels). Each
/// mask word ends in one mispredicted loop exit: on the Intel Xeon VM, 32
/// channels per word on 3x3 layers with 128 result channels (a 48 KiB slice)
/// ran 5-13 % faster at 0.7 zeros than 16 channels (24 KiB), though the slice
/// no longer stays in L1.
constexpr int64_t kSpanSliceBytes = 48 * 1024;
/// The forward and data-gradient kernels give each parallel item a group of
/// result rows, and read the filter slice of a span and row tap once for
/// all of them, where the filter panels of one chunk of result channels
/// exceed kGroupPanelBytes (half the 1 MiB L2 of a Zen 4; the panels of a
/// 3x3 layer with 512 scanned channels, 2.4 MB, were streamed from L3 once
/// per row): as many rows as hold kGroupBytes of one chunk of the result,
/// at most kMaxGroupRows. Smaller panels stay in L2 and one row per item
/// keeps the result row in L1 across the spans (on a 1x1 layer with 256
/// scanned channels, groups made the data gradient 1.5x slower).
constexpr int64_t kGroupPanelBytes = 512 * 1024;
constexpr int64_t kGroupBytes = 128 * 1024;
constexpr int64_t kMaxGroupRows = 16;
/// Register tiles of result pixels per parallel item of the pointwise
/// kernel.
constexpr int64_t kPointwiseTiles = 16;
/// Sets of accumulators the pointwise kernels' skipping loops deal the
/// non-zeros to (measured on the forward and data gradients of ResNet-50's
/// 1x1 layers: 2 gained 10-30 % over 1 from 0.5 zeros on; 3 and 4 no
/// more).
constexpr int64_t kSkipChains = 2;
/// The default max_density of pointwise forward and data-gradient ops:
/// their break-even on ResNet-50's 1x1 layers was 0.3-0.5 zeros with one
/// mask word of scanned channels per pixel, 0.5-0.7 with four.
constexpr double kPointwiseMaxDensity = 0.5;
/// The default max_density of pointwise filter gradients: on ResNet-50's
/// 1x1 layers their skipping kernel overtook the dense one between 0.5 and
/// 0.7 zeros.
constexpr double kPointwiseFilterMaxDensity = 0.35;
/// Results of at least this many bytes are written with streaming stores
/// where a kernel stores each of their vectors once (twice the 2 MiB L2 of
/// the Intel Xeon VM).
constexpr int64_t kStreamBytes = 4 << 20;
/// Alignment of the forward and data-gradient results (a cache line: the
/// pointwise kernel's streaming stores need their vectors aligned).
constexpr int64_t kResultAlignment = 64;
/// Input channels per parallel item of the filter gradient.
constexpr int64_t kChannelBlock = 32;
/// Input channels and vectors of filters per register tile of the filter
/// gradient's dense loop.
constexpr int64_t kDenseChannels = 4;
constexpr int64_t kDenseFilterVectors = 2;
/// The shortest input rows the filter gradient's dense loop tiles channels
/// on (measured: 28 gains 10-15 %, 14 loses 8 %).
constexpr int64_t kDenseMinWidth = 28;
/// Bytes of dy (one chunk of filters) in the group of output rows over
/// which the filter gradient keeps its accumulators in registers, and the
/// most rows of a group: the group's rows of dy then stay in L1 while the
/// channels of a block are scanned against them. Measured on the Intel
/// Xeon VM (48 KiB L1, two 512-bit FMAs per cycle), skipping at 0.7 zeros:
/// 32 KiB (two 28-wide rows of 8 vectors) beat 256 KiB by 15-20 % on VGG
/// conv3/conv4 and ResNet-50 3x3 64 and beat 16 and 64 KiB; on the Zen 4
/// of sessions 1-12 (one FMA per cycle, 32 KiB L1) groups held in L2
/// (256 KiB) had measured best.
constexpr int64_t kRowGroupBytes = 32 * 1024;
constexpr int64_t kMaxRowGroup = 32;
/// Most input rows whose non-zeros share one mask word in the filter
/// gradient's skipping loop.
constexpr int64_t kMaxRowsPerWord = 4;
/// Vector registers given to the accumulators of the filter gradient (the
/// rest hold the broadcast scalar and the loaded operand).
constexpr int64_t kAccumulatorRegisters = 28;
/// Most slices of the pixels whose partial gradients the pointwise filter
/// gradient sums at the end (a count that depends on the shape only, so
/// that the result does not depend on the thread count).
constexpr int64_t kFilterSlices = 8;
/// Bytes of dy (one chunk of filters) per block of pixels of the pointwise
/// filter gradient's dense loop: the block stays in L1 across the channels.
constexpr int64_t kFilterBlockBytes = 16 * 1024;

/// Vector types and helpers of one kernel of `lanes` f32 lanes.
struct Lanes {
  /// `scanVectors` vectors of the scanned operand share one mask word
  /// (at most 64 lanes).
  Lanes(KernelBuilder &k, int64_t lanes, int64_t scanVectors)
      : k(k), lanes(lanes),
        scanVectors(std::clamp<int64_t>(scanVectors, 1, 64 / lanes)),
        floats(VectorType::get({lanes}, k.b.getF32Type())),
        masks(VectorType::get({lanes}, k.b.getI1Type())),
        bits(k.b.getIntegerType(lanes)) {
    zeros = arith::ConstantOp::create(k.b, floats,
                                      DenseElementsAttr::get(floats, 0.0f));
  }

  /// Lanes `[0, count)` set (`count` is clamped to `[0, lanes]`).
  Value prefixMask(Value count) {
    return vector::CreateMaskOp::create(k.b, masks, ValueRange{count});
  }
  /// The lanes of `mask` set in `mask`, zeros elsewhere.
  Value load(Value memref, ValueRange indices, Value mask) {
    return vector::MaskedLoadOp::create(k.b, floats, memref, indices, mask,
                                        zeros, IntegerAttr());
  }
  void store(Value value, Value memref, ValueRange indices, Value mask) {
    vector::MaskedStoreOp::create(k.b, memref, indices, mask, value,
                                  IntegerAttr());
  }
  /// The lanes of `values` that are not ±0.0 (NaN is not zero), as the bits
  /// of an i64 (lane 0 lowest).
  Value nonZeroBits(Value values) {
    Value nonZero =
        arith::CmpFOp::create(k.b, arith::CmpFPredicate::UNE, values, zeros);
    Value asInteger =
        vector::BitCastOp::create(k.b, VectorType::get({1}, bits), nonZero);
    Value word =
        vector::ExtractOp::create(k.b, asInteger, ArrayRef<int64_t>{0});
    Type i64 = k.b.getI64Type();
    return lanes == 64 ? word : arith::ExtUIOp::create(k.b, i64, word);
  }

  /// For every set bit of `bits` (an i64), lowest first:
  /// `carried = body(bit index, carried)`. A while loop on the remaining
  /// bits: no branch per zero.
  template <typename Body>
  SmallVector<Value> forEachSetBit(Value bits, ValueRange init, Body body) {
    return forEachSetBitChained(bits, 1, init, body);
  }

  /// forEachSetBit with the bits dealt in turn to `chains` independent sets
  /// of carried values (`init` holds the sets one after the other): the
  /// j-th bit of every `chains` bits updates set j. The loop takes `chains`
  /// bits per iteration while that many remain, so that as many FMA chains
  /// progress at once (one alone waits out each FMA's latency); the fewer
  /// bits left after it are applied without a branch, each under a select
  /// on whether it exists (the carried values must be vectors of `lanes`).
  template <typename Body>
  SmallVector<Value> forEachSetBitChained(Value bits, int64_t chains,
                                          ValueRange init, Body body) {
    Type i64 = k.b.getI64Type();
    int64_t setSize = init.size() / chains;
    auto blsr = [&](Value rest) {
      return k.andI(rest, k.sub(rest, k.integer(i64, 1)));
    };
    auto lowest = [&](Value rest) {
      return k.toIndex(math::CountTrailingZerosOp::create(k.b, rest));
    };
    SmallVector<Type> types = {i64};
    llvm::append_range(types, init.getTypes());
    SmallVector<Value> inits = {bits};
    llvm::append_range(inits, init);
    SmallVector<Location> locs(types.size(), k.b.getLoc());
    auto loop = scf::WhileOp::create(k.b, types, inits);
    {
      OpBuilder::InsertionGuard guard(k.b);
      Block *before = k.b.createBlock(&loop.getBefore(), {}, types, locs);
      Value rest = before->getArgument(0);
      Value more =
          chains == 1
              ? k.cmp(arith::CmpIPredicate::ne, rest, k.integer(i64, 0))
              : k.cmp(arith::CmpIPredicate::uge,
                      math::CtPopOp::create(k.b, rest), k.integer(i64, chains));
      scf::ConditionOp::create(k.b, more, before->getArguments());
      Block *after = k.b.createBlock(&loop.getAfter(), {}, types, locs);
      rest = after->getArgument(0);
      SmallVector<Value> yielded = {Value()};
      for (int64_t j = 0; j < chains; ++j) {
        Value lane = lowest(rest);
        rest = blsr(rest);
        llvm::append_range(yielded, body(lane, after->getArguments().slice(
                                                   1 + j * setSize, setSize)));
      }
      yielded[0] = rest;
      scf::YieldOp::create(k.b, yielded);
    }
    Value rest = loop.getResult(0);
    SmallVector<Value> sets(loop.getResults().drop_front());
    for (int64_t j = 0; j + 1 < chains; ++j) {
      Value exists = k.cmp(arith::CmpIPredicate::ne, rest, k.integer(i64, 0));
      Value lane = k.select(exists, lowest(rest), k.index(0));
      rest = blsr(rest);
      MutableArrayRef<Value> set(sets.data() + j * setSize, setSize);
      SmallVector<Value> applied = body(lane, set);
      // A vector condition: LLVM turns a select on a scalar one between
      // vectors into a (mispredicted) branch.
      Value everyLane = vector::BroadcastOp::create(k.b, masks, exists);
      for (auto [value, next] : llvm::zip(set, applied))
        value = k.select(everyLane, next, value);
    }
    return sets;
  }

  /// `carried = body(lane, carried)` for the `span()` elements of the
  /// scanned operand from `at` on (`count` exist there): only the non-zero
  /// ones when `skip` (their masks joined into one word, so the bit loop
  /// exits, and mispredicts, once per span), every one otherwise.
  template <typename Body>
  SmallVector<Value> forEachLane(bool skip, Value memref, ValueRange at,
                                 Value count, ValueRange init, Body body) {
    if (!skip)
      return k.forAccumulate(k.index(0), k.minU(count, k.index(span())), init,
                             body);
    return forEachSetBit(nonZeroWord(memref, at, count, scanVectors), init,
                         body);
  }

  /// The non-zero bits (`nonZeroBits`) of the `vectors` vectors of `memref`
  /// from `at` on (along the last index), of which `count` elements exist,
  /// joined into one i64: element `at + e` at bit `firstBit + e`
  /// (`firstBit + vectors * lanes` <= 64).
  Value nonZeroWord(Value memref, ValueRange at, Value count, int64_t vectors,
                    int64_t firstBit = 0) {
    Value word;
    SmallVector<Value> indices(at);
    Value first = indices.back();
    for (int64_t v = 0; v < vectors; ++v) {
      indices.back() = k.add(first, k.index(v * lanes));
      Value values =
          load(memref, indices, prefixMask(k.sub(count, k.index(v * lanes))));
      Value bitsOfVector = nonZeroBits(values);
      if (firstBit + v * lanes > 0)
        bitsOfVector = arith::ShLIOp::create(
            k.b, bitsOfVector,
            k.integer(k.b.getI64Type(), firstBit + v * lanes));
      word = v == 0 ? bitsOfVector : k.orI(word, bitsOfVector);
    }
    return word;
  }

  /// `acc[p * vectors + v] += broadcasts[p] * row(v)` for every broadcast p
  /// and vector v < `vectors`: a register tile in which each row meets every
  /// broadcast. Rows are loaded one at a time, right before their FMAs, so
  /// that only one is live beside the accumulators and broadcasts.
  SmallVector<Value> fmaTile(ArrayRef<Value> broadcasts, int64_t vectors,
                             llvm::function_ref<Value(int64_t)> row,
                             ValueRange acc) {
    SmallVector<Value> next(acc);
    for (int64_t v = 0; v < vectors; ++v) {
      Value loaded = row(v);
      for (auto [p, broadcast] : llvm::enumerate(broadcasts))
        next[p * vectors + v] =
            vector::FMAOp::create(k.b, broadcast, loaded, acc[p * vectors + v]);
    }
    return next;
  }

  /// fmaTile with the rows read from a packed panel: row v is the vector at
  /// `panel[at..., v * lanes]`.
  SmallVector<Value> fmaTile(ArrayRef<Value> broadcasts, int64_t vectors,
                             Value panel, ValueRange at, ValueRange acc) {
    return fmaTile(
        broadcasts, vectors,
        [&](int64_t v) -> Value {
          SmallVector<Value> indices(at);
          indices.push_back(k.index(v * lanes));
          return vector::LoadOp::create(k.b, floats, panel, indices);
        },
        acc);
  }

  /// Elements of the scanned operand per mask word.
  int64_t span() const { return scanVectors * lanes; }

  /// The non-zeros and the elements of a strided sample of at most
  /// kDensitySample vectors of the contiguous buffer `memref` (any rank;
  /// all of it when it is that small), as i64.
  std::pair<Value, Value> sampleNonZeros(Value memref) {
    auto type = cast<MemRefType>(memref.getType());
    SmallVector<ReassociationIndices> all(1);
    for (int64_t d = 0; d < type.getRank(); ++d)
      all[0].push_back(d);
    Value flat = memref::CollapseShapeOp::create(k.b, memref, all);
    Value size = k.dim(flat, 0);
    Value numVectors = k.ceilDivU(size, lanes);
    Value samples = k.minU(numVectors, k.index(kDensitySample));
    Value stride =
        k.maxU(k.index(1), k.divU(numVectors, k.maxU(samples, k.index(1))));
    Type i64 = k.b.getI64Type();
    SmallVector<Value> counts = k.forAccumulate(
        k.index(0), samples, {k.integer(i64, 0), k.integer(i64, 0)},
        [&](Value i, ValueRange total) -> SmallVector<Value> {
          Value first = k.mul(k.mul(i, stride), k.index(lanes));
          Value inside = k.minU(k.sub(size, first), k.index(lanes));
          Value values = load(flat, {first}, prefixMask(inside));
          Value count = math::CtPopOp::create(k.b, nonZeroBits(values));
          return {
              k.add(total[0], count),
              k.add(total[1], arith::IndexCastUIOp::create(k.b, i64, inside))};
        });
    return {counts[0], counts[1]};
  }

  KernelBuilder &k;
  int64_t lanes;
  /// Vectors of the scanned operand per mask word.
  int64_t scanVectors;
  VectorType floats, masks;
  IntegerType bits;
  Value zeros;
};

/// Runs `kernel(skip)` twice under a density test of `scanned`: skipping
/// zeros when at most `maxDensity` of the elements of a strided sample are
/// non-zero (a full pass would cost as much as a 1x1 layer's arithmetic),
/// the dense loop otherwise (only the skipping kernel when `maxDensity >=
/// 1`).
template <typename Kernel>
static void dispatchOnDensity(Lanes &l, Value scanned, double maxDensity,
                              Kernel kernel) {
  if (maxDensity >= 1.0) {
    kernel(/*skip=*/true);
    return;
  }
  KernelBuilder &k = l.k;
  Type f64 = k.b.getF64Type();
  auto [sampledNonZeros, sampled] = l.sampleNonZeros(scanned);
  Value nonZeros = arith::UIToFPOp::create(k.b, f64, sampledNonZeros);
  Value limit = k.mulF(arith::UIToFPOp::create(k.b, f64, sampled),
                       k.floating(f64, maxDensity));
  Value sparse =
      arith::CmpFOp::create(k.b, arith::CmpFPredicate::OLE, nonZeros, limit);
  auto op = scf::IfOp::create(k.b, sparse, /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(k.b);
  k.b.setInsertionPoint(op.thenBlock()->getTerminator());
  kernel(/*skip=*/true);
  k.b.setInsertionPoint(op.elseBlock()->getTerminator());
  kernel(/*skip=*/false);
}

/// Vectors of output channels per tile for `channels` channels (possibly
/// dynamic).
static int64_t getTileVectors(int64_t channels, int64_t lanes) {
  if (ShapedType::isDynamic(channels))
    return kMaxTileVectors;
  return std::clamp<int64_t>((channels + lanes - 1) / lanes, 1,
                             kMaxTileVectors);
}

/// How the forward and data-gradient kernels tile: `tileVectors` vectors
/// of result channels; `scanVectors` vectors of the scanned operand per
/// mask word, as many as keep the filter slice one result pixel reads
/// (filter width x span x chunk floats) within kSpanSliceBytes, so that few
/// channels per visit do not leave the accumulator loads and stores
/// dominant (1x1 layers); and whether a sliding window of result pixels
/// stays in registers along each row (`taps` > 0: stride and dilation 1
/// along the width and a static filter width `taps`, `left` the left
/// padding; all taps' accumulators must then fit in registers).
struct GatherPlan {
  int64_t taps = 0, left = 0;
  int64_t tileVectors, scanVectors = 1;
  /// Whether the skipping kernel reads the scanned operand, and reads and
  /// writes the result, in place rather than through packed copies (see
  /// emitGatherKernel). The rotating kernel reads each scanned vector once
  /// per filter row tap, in row order, so a copy would only add its own
  /// traffic; the result's packed panels are its own layout when one chunk
  /// holds every result channel.
  bool scannedInPlace = false, resultInPlace = false;
  /// Result pixels per register tile of the dense loop, 0 where the scanned
  /// column a result column reads is not affine in it (data gradient with
  /// a width stride above 1): there the dense loop visits kDensePixels
  /// result pixels at a time, testing each tap.
  int64_t densePixels = 0;
  /// Vectors of FMAs the skipping loop adds per non-zero (one per filter
  /// column tap and vector of result channels).
  int64_t skipVectors() const {
    return std::max<int64_t>(taps, 1) * tileVectors;
  }
  /// Whether the dense loop reads and writes the activations in place: when
  /// nothing of the scanned rows needs padding (copies of 1x1 layers cost
  /// more than they save, in page faults of fresh buffers too).
  bool denseDirect = false;
  /// Result rows per parallel item (see emitGatherKernel): one, unless the
  /// filter panels of one chunk are larger than kGroupPanelBytes.
  int64_t groupRows = 1;
};

template <typename OpTy>
static GatherPlan getGatherPlan(OpTy op, bool fromOutput, int64_t filterWidth,
                                RankedTensorType resultType, int64_t lanes) {
  GatherPlan plan;
  int64_t resultChannels = resultType.getDimSize(3);
  plan.tileVectors = getTileVectors(resultChannels, lanes);
  SmallVector<int64_t, 4> padding = op.getPaddingOrDefault();
  bool unpaddedWidth = padding[2] == 0 && padding[3] == 0;
  if (!fromOutput || op.getStridesOrDefault()[1] == 1) {
    plan.densePixels = std::clamp<int64_t>(
        kDenseRegisters / (plan.tileVectors + 1), 1, kMaxDensePixels);
    // No tap of a result pixel reaches past the scanned row: the forward
    // without width padding, the data gradient whose padding covers the
    // filter's reach.
    int64_t reach = ShapedType::isDynamic(filterWidth)
                        ? ShapedType::kDynamic
                        : (filterWidth - 1) * op.getDilationsOrDefault()[1];
    plan.denseDirect = fromOutput
                           ? !ShapedType::isDynamic(reach) &&
                                 reach <= std::min(padding[2], padding[3])
                           : unpaddedWidth;
  }
  if (ShapedType::isDynamic(filterWidth))
    return plan;
  if (op.getStridesOrDefault()[1] == 1 && op.getDilationsOrDefault()[1] == 1 &&
      filterWidth >= 1 && filterWidth <= kAccumulatorRegisters) {
    plan.taps = filterWidth;
    plan.left = op.getPaddingOrDefault()[2];
    plan.tileVectors =
        std::min(plan.tileVectors, kAccumulatorRegisters / filterWidth);
  }
  int64_t sliceBytes =
      std::max<int64_t>(filterWidth, 1) * lanes * plan.tileVectors * lanes * 4;
  plan.scanVectors =
      std::clamp<int64_t>(kSpanSliceBytes / sliceBytes, 1, 64 / lanes);
  // Rows per item: as many as hold kGroupBytes of one chunk of the result
  // where a chunk's filter panels would not stay in L2 across rows.
  auto filterShape =
      cast<RankedTensorType>(op.getFilter().getType()).getShape();
  int64_t resultWidth = resultType.getDimSize(2);
  if (!ShapedType::isDynamic(resultWidth) &&
      llvm::none_of(filterShape, ShapedType::isDynamic)) {
    double panelBytes = 4.0 * filterShape[0] * filterShape[1] *
                        filterShape[fromOutput ? 3 : 2] * plan.tileVectors *
                        lanes;
    double rowBytes = 4.0 * resultWidth * plan.tileVectors * lanes;
    if (panelBytes > kGroupPanelBytes)
      plan.groupRows = std::clamp<int64_t>(
          kGroupBytes / std::max(rowBytes, 1.0), 1, kMaxGroupRows);
  }
  bool oneChunk = !ShapedType::isDynamic(resultChannels) &&
                  resultChannels <= plan.tileVectors * lanes;
  plan.scannedInPlace = plan.taps >= 1;
  plan.resultInPlace = plan.taps >= 1 && oneChunk;
  return plan;
}

/// The filter `w` ([KH, KW, C, F]) packed into panels of `chunk` result
/// channels: panels[j][kh][kw][s][e] = w[kh][kw][s][j * chunk + e] (scanned
/// channel s, result channel j * chunk + e), or w[kh][kw][j * chunk +
/// e][s] with `transposed` (the data gradient), zero past the last result
/// channel. The slice a kernel reads for one tap row and one scanned vector
/// is then contiguous (filter rows a power of two apart would share L1
/// sets), and its loads need no masks.
static Value packFilter(KernelBuilder &k, Value w, bool transposed,
                        int64_t chunk) {
  Value kh = k.dim(w, 0), kw = k.dim(w, 1);
  Value scannedChannels = k.dim(w, transposed ? 3 : 2);
  Value resultChannels = k.dim(w, transposed ? 2 : 3);
  Value numChunks = k.ceilDivU(resultChannels, chunk);
  int64_t dyn = ShapedType::kDynamic;
  auto type = MemRefType::get({dyn, dyn, dyn, dyn, chunk}, k.b.getF32Type());
  Value panels = memref::AllocOp::create(
      k.b, type, ValueRange{numChunks, kh, kw, scannedChannels},
      k.b.getI64IntegerAttr(64));
  Value zero = k.floating(k.b.getF32Type(), 0.0);
  Value last = k.sub(resultChannels, k.index(1));
  k.forEachParallel(
      k.index(0), k.mul(numChunks, k.mul(kh, kw)), [&](Value item) {
        Value j = k.divU(item, k.mul(kh, kw));
        Value tap = k.remU(item, k.mul(kh, kw));
        Value a = k.divU(tap, kw), b = k.remU(tap, kw);
        k.forEach(k.index(0), scannedChannels, [&](Value s) {
          k.forEach(k.index(0), k.index(chunk), [&](Value e) {
            Value r = k.add(k.mul(j, k.index(chunk)), e);
            Value inside = k.cmp(arith::CmpIPredicate::ult, r, resultChannels);
            Value clamped = k.select(inside, r, last);
            Value value = k.load(w, transposed ? ValueRange{a, b, clamped, s}
                                               : ValueRange{a, b, s, clamped});
            k.store(k.select(inside, value, zero), panels, {j, a, b, s, e});
          });
        });
      });
  return panels;
}

/// The forward and data-gradient kernel. `scanned` is [N, SH, SW, SC],
/// `panels` the filter packed by packFilter ([chunks, KH, KW, SC, chunk])
/// and `result` [N, RH, RW, RC]; result pixel
/// (rh, rw) meets scanned pixel (sh, sw) through tap (kh, kw) where
/// `sh = rh * stride + kh * dilation - pad` (forward) or
/// `rh = sh * stride + kh * dilation - pad` (data gradient, `fromOutput`).
static void emitGatherKernel(Lanes &l, const ConvWindowValues &win,
                             bool fromOutput, Value scanned, Value panels,
                             Value result, int64_t tileVectors,
                             const GatherPlan &rotation, bool skip) {
  KernelBuilder &k = l.k;
  int64_t lanes = l.lanes;
  Value batch = k.dim(result, 0), rh = k.dim(result, 1), rw = k.dim(result, 2);
  Value rc = k.dim(result, 3);
  Value sh = k.dim(scanned, 1), sw = k.dim(scanned, 2), sc = k.dim(scanned, 3);
  Value kh = k.dim(panels, 1), kw = k.dim(panels, 2);
  int64_t chunk = tileVectors * lanes;
  Value numChunks = k.ceilDivU(rc, chunk);
  Value numScans = k.ceilDivU(sc, l.span());
  // Where GatherPlan says so, the activations are repacked for the loops:
  // the scanned operand into blocks of one span of channels,
  // packedScanned[sb][n][s][t][e] = scanned[n][s][t][sb * span + e], and
  // the result into panels of one chunk, packedResult[ch][n][r][x][e] =
  // result[n][r][x][ch * chunk + e]; both zero-padded (the rows of the
  // window, pixels a power of two apart, would share L1 sets).
  // The register-tiled dense loop (`denseTile`) reads scanned column
  // `x * sx + off + b * bx` for result column x and filter column tap b:
  // the packed rows get `padLeft` and `padRight` zero columns so that every
  // tap of every result pixel reads inside them (in place, there is nothing
  // to pad: GatherPlan::denseDirect), and the loop needs no bounds tests.
  bool denseTile = !skip && rotation.densePixels > 0;
  int64_t groupRows = rotation.groupRows;
  bool scannedInPlace =
      denseTile ? rotation.denseDirect : rotation.scannedInPlace;
  bool resultInPlace =
      denseTile ? rotation.denseDirect : rotation.resultInPlace;
  int64_t span = l.span(), dyn = ShapedType::kDynamic;
  Type f32 = k.b.getF32Type();
  Value zeroIndex = k.index(0);
  Value sx = fromOutput ? k.index(1) : win.sw;
  Value off = fromOutput ? win.left : k.sub(zeroIndex, win.left);
  Value bx = fromOutput ? k.sub(zeroIndex, win.dw) : win.dw;
  Value padLeft = zeroIndex, padRight = zeroIndex;
  if (denseTile && !scannedInPlace) {
    Value reach = k.mul(k.sub(kw, k.index(1)), win.dw);
    Value lowest = fromOutput ? k.sub(off, reach) : off;
    Value highest = k.add(k.mul(k.sub(rw, k.index(1)), sx),
                          fromOutput ? off : k.add(off, reach));
    padLeft = arith::MaxSIOp::create(k.b, k.sub(zeroIndex, lowest), zeroIndex);
    padRight = arith::MaxSIOp::create(
        k.b, k.sub(highest, k.sub(sw, k.index(1))), zeroIndex);
  }
  Value packedWidth = k.add(sw, k.add(padLeft, padRight));
  Value packedScanned = scanned, packedResult = result;
  if (!scannedInPlace) {
    packedScanned = memref::AllocOp::create(
        k.b, MemRefType::get({dyn, dyn, dyn, dyn, span}, f32),
        ValueRange{numScans, batch, sh, packedWidth},
        k.b.getI64IntegerAttr(64));
    k.forEachParallel(k.index(0), k.mul(batch, sh), [&](Value row) {
      Value n = k.divU(row, sh), i = k.remU(row, sh);
      k.forEach(k.index(0), packedWidth, [&](Value j) {
        Value t = k.sub(j, padLeft);
        Value inside = k.andI(k.cmp(arith::CmpIPredicate::uge, j, padLeft),
                              k.cmp(arith::CmpIPredicate::ult, t, sw));
        Value column = k.select(inside, t, zeroIndex);
        k.forEach(k.index(0), numScans, [&](Value sb) {
          for (int64_t v = 0; v < l.scanVectors; ++v) {
            Value c = k.add(k.mul(sb, k.index(span)), k.index(v * lanes));
            Value count = k.select(inside, k.sub(sc, c), zeroIndex);
            vector::StoreOp::create(
                k.b, l.load(scanned, {n, i, column, c}, l.prefixMask(count)),
                packedScanned, ValueRange{sb, n, i, j, k.index(v * lanes)});
          }
        });
      });
    });
  }
  if (!resultInPlace)
    packedResult = memref::AllocOp::create(
        k.b, MemRefType::get({dyn, dyn, dyn, dyn, chunk}, f32),
        ValueRange{numChunks, batch, rh, rw}, k.b.getI64IntegerAttr(64));
  // Vector v of chunk ch of result pixel (n, r, x), and its mask.
  auto resultColumn = [&](Value ch, int64_t v) {
    return k.add(k.mul(ch, k.index(chunk)), k.index(v * lanes));
  };
  auto loadResult = [&](Value ch, Value n, Value r, Value x,
                        int64_t v) -> Value {
    if (resultInPlace) {
      Value c = resultColumn(ch, v);
      return l.load(result, {n, r, x, c}, l.prefixMask(k.sub(rc, c)));
    }
    return vector::LoadOp::create(k.b, l.floats, packedResult,
                                  ValueRange{ch, n, r, x, k.index(v * lanes)})
        .getResult();
  };
  auto storeResult = [&](Value value, Value ch, Value n, Value r, Value x,
                         int64_t v) {
    if (resultInPlace) {
      Value c = resultColumn(ch, v);
      l.store(value, result, {n, r, x, c}, l.prefixMask(k.sub(rc, c)));
      return;
    }
    vector::StoreOp::create(k.b, value, packedResult,
                            ValueRange{ch, n, r, x, k.index(v * lanes)});
  };
  // The accumulators of result pixel x: zeros on the row's first visit
  // (`fresh`: nothing stored yet), the stored partial sums after.
  auto loadAccumulators = [&](Value fresh, Value ch, Value n, Value r,
                              Value x) {
    return k.ifThenElse(
        fresh, SmallVector<Type>(tileVectors, l.floats),
        [&] { return SmallVector<Value>(tileVectors, l.zeros); },
        [&] {
          SmallVector<Value> slot;
          for (int64_t v = 0; v < tileVectors; ++v)
            slot.push_back(loadResult(ch, n, r, x, v));
          return slot;
        });
  };
  // Element c of scanned pixel (n, s, t), and where its span's vector is.
  auto scannedAt = [&](Value n, Value s, Value t, Value c) -> Value {
    if (scannedInPlace)
      return k.load(scanned, {n, s, t, c});
    return k.load(packedScanned, {k.divU(c, k.index(span)), n, s, t,
                                  k.remU(c, k.index(span))});
  };
  auto spanAt = [&](Value sb, Value n, Value s, Value t) -> SmallVector<Value> {
    if (scannedInPlace)
      return {n, s, t, k.mul(sb, k.index(span))};
    return {sb, n, s, t, k.index(0)};
  };
  // The mask words of the whole scanned operand, computed once up front:
  // maskWords[n][s][t][sb] is the word of span sb of scanned pixel (n, s,
  // t). The rotating loop reads each word once per filter row tap and
  // chunk of result channels; computed there, right after the mispredicted
  // exit of the previous word's bit loop, its loads' latency was exposed
  // at every visit.
  Value maskWords;
  bool precomputed = skip && rotation.taps;
  if (precomputed) {
    maskWords = k.alloc({dyn, dyn, dyn, dyn}, k.b.getI64Type(),
                        {batch, sh, sw, numScans});
    k.forEachParallel(k.index(0), k.mul(batch, sh), [&](Value row) {
      Value n = k.divU(row, sh), i = k.remU(row, sh);
      k.forEach(k.index(0), sw, [&](Value t) {
        k.forEach(k.index(0), numScans, [&](Value sb) {
          Value s0 = k.mul(sb, k.index(span));
          k.store(l.nonZeroWord(packedScanned, spanAt(sb, n, i, t),
                                k.sub(sc, s0), l.scanVectors),
                  maskWords, {n, i, t, sb});
        });
      });
    });
  }
  auto source = [&](Value out, Value tap, Value stride, Value dilation,
                    Value pad, Value size) {
    return fromOutput
               ? convOutputCoordinate(k, out, tap, stride, dilation, pad, size)
               : convInputCoordinate(k, out, tap, stride, dilation, pad, size);
  };
  // acc[p][v] += values[p] * panel row (ch, a, b, c), vector v: one load
  // of each panel vector for all the pixels.
  auto panelFMAs = [&](ArrayRef<Value> values, Value ch, Value a, Value b,
                       Value c, ValueRange acc) {
    SmallVector<Value> broadcasts;
    for (Value value : values)
      broadcasts.push_back(vector::BroadcastOp::create(k.b, l.floats, value));
    return l.fmaTile(broadcasts, tileVectors, panels, {ch, a, b, c}, acc);
  };
  // Stride and dilation 1 along the row (GatherPlan): scanned pixel t
  // feeds result pixels x = t + offset + j, j < taps, through filter column
  // tap b(j); their accumulators stay in registers while t advances, the
  // lowest is stored and a new one loaded at each step, so every scanned
  // vector is read and its mask walked once per filter row tap.
  auto applyRowRotating = [&](Value n, Value r, Value ch, Value a, Value s,
                              Value sb, Value s0, Value count, Value fresh) {
    int64_t taps = rotation.taps;
    int64_t offset = fromOutput ? -rotation.left : rotation.left - (taps - 1);
    auto tapOf = [&](int64_t j) { return fromOutput ? j : taps - 1 - j; };
    auto inRow = [&](Value x, Value size) {
      return k.andI(k.cmp(arith::CmpIPredicate::sge, x, k.index(0)),
                    k.cmp(arith::CmpIPredicate::slt, x, size));
    };
    SmallVector<Type> slotTypes(tileVectors, l.floats);
    // The accumulators of result pixel x (zeros outside the row).
    auto loadSlot = [&](Value x) {
      return k.ifThenElse(
          inRow(x, rw), slotTypes,
          [&] { return loadAccumulators(fresh, ch, n, r, x); },
          [&] { return SmallVector<Value>(tileVectors, l.zeros); });
    };
    Value first = k.index(-offset - (taps - 1));
    SmallVector<Value> init;
    for (int64_t j = 0; j < taps; ++j)
      llvm::append_range(init, loadSlot(k.add(first, k.index(offset + j))));
    SmallVector<Type> accTypes(init.size(), l.floats);
    k.forAccumulate(
        first, k.sub(rw, k.index(offset)), init,
        [&](Value t, ValueRange slots) {
          SmallVector<Value> acc = k.ifThenElse(
              inRow(t, sw), accTypes,
              [&] {
                auto body = [&](Value lane, ValueRange laneAcc) {
                  Value c = k.add(s0, lane);
                  Value value = vector::BroadcastOp::create(
                      k.b, l.floats, scannedAt(n, s, t, c));
                  SmallVector<Value> next;
                  for (int64_t j = 0; j < taps; ++j)
                    for (int64_t v = 0; v < tileVectors; ++v)
                      next.push_back(vector::FMAOp::create(
                          k.b, value,
                          vector::LoadOp::create(
                              k.b, l.floats, panels,
                              ValueRange{ch, a, k.index(tapOf(j)), c,
                                         k.index(v * lanes)}),
                          laneAcc[j * tileVectors + v]));
                  return next;
                };
                if (precomputed)
                  return l.forEachSetBit(k.load(maskWords, {n, s, t, sb}),
                                         slots, body);
                return l.forEachLane(skip, packedScanned, spanAt(sb, n, s, t),
                                     count, slots, body);
              },
              [&] { return SmallVector<Value>(slots); });
          // Result pixel t + offset has all its taps: store it, rotate.
          Value done = k.add(t, k.index(offset));
          k.ifThen(inRow(done, rw), [&] {
            for (int64_t v = 0; v < tileVectors; ++v)
              storeResult(acc[v], ch, n, r, done, v);
          });
          SmallVector<Value> next(acc.begin() + tileVectors, acc.end());
          llvm::append_range(next, loadSlot(k.add(t, k.index(offset + taps))));
          return next;
        });
  };
  // The register-tiled dense loop over result row r for filter row tap a
  // (scanned row s) and the channels of span sb (from s0; `count` exist
  // from s0): tiles of result pixels whose accumulators stay in registers
  // across every filter column tap and channel of the span; each filter
  // vector is loaded once per tile and meets one broadcast per pixel. The
  // last tile of the row is as large as the pixels left.
  auto applyDenseRow = [&](Value n, Value r, Value ch, Value a, Value s,
                           Value sb, Value s0, Value count, Value fresh) {
    Value channels = k.minU(count, k.index(span));
    auto applyTile = [&](Value x0, int64_t pixels) {
      SmallVector<Value> acc;
      for (int64_t p = 0; p < pixels; ++p)
        llvm::append_range(
            acc, loadAccumulators(fresh, ch, n, r, k.add(x0, k.index(p))));
      Value column0 = k.add(k.add(k.mul(x0, sx), off), padLeft);
      acc =
          k.forAccumulate(zeroIndex, kw, acc, [&](Value b, ValueRange tapAcc) {
            Value column = k.add(column0, k.mul(b, bx));
            SmallVector<Value> columns;
            for (int64_t p = 0; p < pixels; ++p)
              columns.push_back(k.add(column, k.mul(k.index(p), sx)));
            return k.forAccumulate(
                zeroIndex, channels, tapAcc,
                [&](Value lane, ValueRange laneAcc) {
                  Value c = k.add(s0, lane);
                  SmallVector<Value> values;
                  for (Value t : columns)
                    values.push_back(
                        scannedInPlace
                            ? k.load(scanned, {n, s, t, c})
                            : k.load(packedScanned, {sb, n, s, t, lane}));
                  return panelFMAs(values, ch, a, b, c, laneAcc);
                });
          });
      for (int64_t p = 0; p < pixels; ++p)
        for (int64_t v = 0; v < tileVectors; ++v)
          storeResult(acc[p * tileVectors + v], ch, n, r, k.add(x0, k.index(p)),
                      v);
    };
    int64_t pixels = rotation.densePixels;
    Value tiled = k.sub(rw, k.remU(rw, k.index(pixels)));
    k.forEachStep(zeroIndex, tiled, pixels,
                  [&](Value x0) { applyTile(x0, pixels); });
    if (pixels == 1)
      return;
    SmallVector<int64_t> tails = llvm::to_vector(llvm::seq<int64_t>(1, pixels));
    auto tail = scf::IndexSwitchOp::create(k.b, TypeRange{}, k.sub(rw, tiled),
                                           tails, tails.size());
    OpBuilder::InsertionGuard guard(k.b);
    k.b.createBlock(&tail.getDefaultRegion());
    scf::YieldOp::create(k.b);
    for (auto [i, size] : llvm::enumerate(tails)) {
      k.b.createBlock(&tail.getCaseRegions()[i]);
      applyTile(tiled, size);
      scf::YieldOp::create(k.b);
    }
  };
  // One parallel item per group of `groupRows` result rows (flattened over
  // the batch) and chunk of result channels, chunks outermost: consecutive
  // items (one thread's share) read the same chunk of the filter panels.
  // Within an item the spans of scanned channels are outermost, then the
  // filter row taps, then the rows: the filter slice of one span and row
  // tap stays in cache across the group's rows and is read from memory once
  // per group (a chunk's panels of a 3x3 layer with 512 scanned channels,
  // 2.4 MB, do not stay in L2 from one row to the next), and the span's
  // scanned rows stay in cache across the row taps.
  Value rows = k.mul(batch, rh);
  Value groups = k.ceilDivU(rows, k.index(groupRows));
  // Whether a filter row tap below `a` reaches the scanned operand from
  // result row r (which was then written before).
  auto reachedBelow = [&](Value r, Value a) {
    return k.forAccumulate(
        k.index(0), a, {k.boolean(false)},
        [&](Value below, ValueRange any) -> SmallVector<Value> {
          auto hit = source(r, below, win.sh, win.dh, win.top, sh).second;
          return {k.orI(any[0], hit)};
        })[0];
  };
  k.forEachParallel(k.index(0), k.mul(numChunks, groups), [&](Value item) {
    Value ch = k.divU(item, groups);
    Value firstRow = k.mul(k.remU(item, groups), k.index(groupRows));
    Value endRow = k.minU(k.add(firstRow, k.index(groupRows)), rows);
    k.forEach(k.index(0), numScans, [&](Value sb) {
      Value s0 = k.mul(sb, k.index(l.span()));
      Value count = k.sub(sc, s0);
      k.forEach(k.index(0), kh, [&](Value a) {
        k.forEach(firstRow, endRow, [&](Value row) {
          Value n = k.divU(row, rh), r = k.remU(row, rh);
          auto [s, insideH] = source(r, a, win.sh, win.dh, win.top, sh);
          k.ifThen(insideH, [&] {
            // The first visit of the row: nothing stored yet.
            Value fresh =
                k.andI(k.cmp(arith::CmpIPredicate::eq, sb, k.index(0)),
                       k.cmp(arith::CmpIPredicate::eq, reachedBelow(r, a),
                             k.boolean(false)));
            // One result pixel: each filter column tap that hits the
            // scanned operand adds its span of channels.
            auto applyPixel = [&](Value x) {
              SmallVector<Value> acc = loadAccumulators(fresh, ch, n, r, x);
              acc = k.forAccumulate(
                  k.index(0), kw, acc, [&](Value b, ValueRange tapAcc) {
                    auto [t, insideW] =
                        source(x, b, win.sw, win.dw, win.left, sw);
                    SmallVector<Type> types(tileVectors, l.floats);
                    return k.ifThenElse(
                        insideW, types,
                        [&] {
                          return l.forEachLane(
                              skip, packedScanned, {sb, n, s, t, k.index(0)},
                              count, tapAcc,
                              [&](Value lane, ValueRange laneAcc) {
                                Value c = k.add(s0, lane);
                                Value value = scannedAt(n, s, t, c);
                                return panelFMAs({value}, ch, a, b, c, laneAcc);
                              });
                        },
                        [&] { return SmallVector<Value>(tapAcc); });
                  });
              for (int64_t v = 0; v < tileVectors; ++v)
                storeResult(acc[v], ch, n, r, x, v);
            };
            // The dense loop's tile of kDensePixels result pixels,
            // which share every panel load; a pixel whose tap falls in
            // the padding reads a zero.
            auto applyDenseTile = [&](Value x0) {
              SmallVector<Value> acc, xs;
              for (int64_t p = 0; p < kDensePixels; ++p) {
                xs.push_back(k.add(x0, k.index(p)));
                llvm::append_range(acc,
                                   loadAccumulators(fresh, ch, n, r, xs[p]));
              }
              acc = k.forAccumulate(
                  k.index(0), kw, acc, [&](Value b, ValueRange tapAcc) {
                    SmallVector<Value> at, inside;
                    for (Value x : xs) {
                      auto [t, hit] =
                          source(x, b, win.sw, win.dw, win.left, sw);
                      at.push_back(k.select(hit, t, k.index(0)));
                      inside.push_back(hit);
                    }
                    Value zero = k.floating(k.b.getF32Type(), 0.0);
                    return k.forAccumulate(
                        k.index(0), k.minU(count, k.index(l.span())), tapAcc,
                        [&](Value lane, ValueRange laneAcc) {
                          Value c = k.add(s0, lane);
                          SmallVector<Value> values;
                          // A tap in the padding reads nothing
                          // (the scanned row may be empty).
                          for (int64_t p = 0; p < kDensePixels; ++p)
                            values.push_back(k.ifThenElse(
                                inside[p], {k.b.getF32Type()},
                                [&] {
                                  return SmallVector<Value>{
                                      scannedAt(n, s, at[p], c)};
                                },
                                [&] { return SmallVector<Value>{zero}; })[0]);
                          return panelFMAs(values, ch, a, b, c, laneAcc);
                        });
                  });
              for (int64_t p = 0; p < kDensePixels; ++p)
                for (int64_t v = 0; v < tileVectors; ++v)
                  storeResult(acc[p * tileVectors + v], ch, n, r, xs[p], v);
            };
            if (denseTile) {
              applyDenseRow(n, r, ch, a, s, sb, s0, count, fresh);
              return;
            }
            if (rotation.taps) {
              applyRowRotating(n, r, ch, a, s, sb, s0, count, fresh);
              return;
            }
            Value tiled = k.index(0);
            if (!skip) {
              tiled = k.sub(rw, k.remU(rw, k.index(kDensePixels)));
              k.forEachStep(k.index(0), tiled, kDensePixels, applyDenseTile);
            }
            k.forEach(tiled, rw, applyPixel);
          });
        });
      });
    });
    // A row no filter row tap reaches (padding only), or with no channel to
    // scan, was not written: it is zero.
    k.forEach(firstRow, endRow, [&](Value row) {
      Value n = k.divU(row, rh), r = k.remU(row, rh);
      Value written =
          k.andI(reachedBelow(r, kh),
                 k.cmp(arith::CmpIPredicate::ugt, numScans, k.index(0)));
      k.ifThen(k.cmp(arith::CmpIPredicate::eq, written, k.boolean(false)), [&] {
        k.forEach(k.index(0), rw, [&](Value x) {
          for (int64_t v = 0; v < tileVectors; ++v)
            storeResult(l.zeros, ch, n, r, x, v);
        });
      });
    });
  });
  if (resultInPlace)
    return;
  // The result from its panels.
  k.forEachParallel(k.index(0), k.mul(batch, rh), [&](Value row) {
    Value n = k.divU(row, rh), r = k.remU(row, rh);
    k.forEach(k.index(0), rw, [&](Value x) {
      k.forEach(k.index(0), numChunks, [&](Value ch) {
        for (int64_t v = 0; v < tileVectors; ++v) {
          Value c = k.add(k.mul(ch, k.index(chunk)), k.index(v * lanes));
          l.store(loadResult(ch, n, r, x, v), result, {n, r, x, c},
                  l.prefixMask(k.sub(rc, c)));
        }
      });
    });
  });
}

/// Whether a convolution is pointwise: a 1x1 filter (static), unit
/// strides and no padding. Each of its passes is then one product of the
/// activations flattened to [pixels, channels].
template <typename OpTy>
static bool isPointwise(OpTy op, ArrayRef<int64_t> filterShape) {
  return filterShape[0] == 1 && filterShape[1] == 1 &&
         op.getStridesOrDefault() == ArrayRef<int64_t>{1, 1} &&
         llvm::all_of(op.getPaddingOrDefault(),
                      [](int64_t p) { return p == 0; });
}

/// A rank-4 NHWC buffer as [pixels, channels]: its leading three dims
/// flattened, as the pointwise kernels read it.
static Value flattenPixels(KernelBuilder &k, Value buffer) {
  return memref::CollapseShapeOp::create(
      k.b, buffer, ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
}

/// The forward and data-gradient kernel of a pointwise convolution
/// (isPointwise): over the activations flattened to [pixels, channels],
/// result[p][ch * chunk + e] = sum over scanned channels c of scanned[p][c]
/// * panels[ch][0][0][c][e] (packFilter's panels of `tileVectors` vectors).
/// One parallel item per block of pixels; within it the chunks of result
/// channels, then the spans of scanned channels (one mask word each) are
/// outermost, so that the filter slice of a span (at most 64 x chunk
/// floats) stays in L1 across the block: read per non-zero, the whole
/// panel of a 256-channel layer (64 KiB) came from L2 at about a line per
/// FMA. A tile of result vectors stays in registers over a span. Skipping,
/// a pixel's non-zeros are dealt to `chains` sets of accumulators, summed at
/// the end of the span: with few result channels one set would leave every
/// FMA waiting for the previous one. The dense loop tiles `densePixels`
/// pixels, which share each panel load.
static void emitPointwiseKernel(Lanes &l, Value scanned, Value panels,
                                Value result, int64_t tileVectors,
                                int64_t densePixels, int64_t chains,
                                bool skip) {
  KernelBuilder &k = l.k;
  int64_t lanes = l.lanes, chunk = tileVectors * lanes, span = l.span();
  // Streaming (non-temporal) stores where each result vector is stored
  // once (one span), whole and aligned (result channels a multiple of the
  // lanes; the result allocated 64-byte aligned), and the result is too
  // large to stay in cache for its reader.
  auto scannedType = cast<MemRefType>(scanned.getType());
  auto resultType = cast<MemRefType>(result.getType());
  int64_t resultChannels = resultType.getDimSize(3);
  bool stream = resultType.hasStaticShape() && !scannedType.isDynamicDim(3) &&
                scannedType.getDimSize(3) <= span &&
                resultChannels % lanes == 0 &&
                resultType.getNumElements() * 4 >= kStreamBytes;
  Value from = flattenPixels(k, scanned), to = flattenPixels(k, result);
  Value pixels = k.dim(from, 0), sc = k.dim(from, 1), rc = k.dim(to, 1);
  Value numChunks = k.ceilDivU(rc, chunk);
  Value zero = k.index(0);
  Value spanSize = k.index(span);
  // At least one span, so that a result without scanned channels is
  // written (zeros).
  Value numSpans = k.maxU(k.ceilDivU(sc, spanSize), k.index(1));
  int64_t tilePixels = skip ? 1 : densePixels;
  int64_t blockPixels = tilePixels * kPointwiseTiles;
  auto resultColumn = [&](Value ch, int64_t v) {
    return k.add(k.mul(ch, k.index(chunk)), k.index(v * lanes));
  };
  // The result vectors of `count` pixels from p: zeros in the first span,
  // the partial sums stored by the previous span after.
  auto loadTile = [&](Value ch, Value s, Value p, int64_t count) {
    return k.ifThenElse(
        k.cmp(arith::CmpIPredicate::eq, s, zero),
        SmallVector<Type>(count * tileVectors, l.floats),
        [&] { return SmallVector<Value>(count * tileVectors, l.zeros); },
        [&] {
          SmallVector<Value> acc;
          for (int64_t q = 0; q < count; ++q)
            for (int64_t v = 0; v < tileVectors; ++v) {
              Value c = resultColumn(ch, v);
              acc.push_back(l.load(to, {k.add(p, k.index(q)), c},
                                   l.prefixMask(k.sub(rc, c))));
            }
          return acc;
        });
  };
  auto storeTile = [&](Value ch, Value p, int64_t count, ValueRange acc) {
    for (int64_t q = 0; q < count; ++q)
      for (int64_t v = 0; v < tileVectors; ++v) {
        Value c = resultColumn(ch, v);
        SmallVector<Value, 2> at = {k.add(p, k.index(q)), c};
        if (stream)
          vector::StoreOp::create(k.b, acc[q * tileVectors + v], to, at,
                                  /*nontemporal=*/true, llvm::Align(lanes * 4));
        else
          l.store(acc[q * tileVectors + v], to, at, l.prefixMask(k.sub(rc, c)));
      }
  };
  // acc[q * tileVectors + v] += scanned[p + q][c] * panel vector v of c.
  auto fmaPixels = [&](Value ch, Value p, int64_t count, Value c,
                       ValueRange acc) {
    SmallVector<Value> broadcasts;
    for (int64_t q = 0; q < count; ++q)
      broadcasts.push_back(vector::BroadcastOp::create(
          k.b, l.floats, k.load(from, {k.add(p, k.index(q)), c})));
    return l.fmaTile(broadcasts, tileVectors, panels, {ch, zero, zero, c}, acc);
  };
  // Asks for the cache lines of `count` pixels from p, channels [c0, c0 +
  // span), ahead of their use (the hardware prefetcher missed the short
  // strided runs of one span per pixel), into L1 (`locality` 3) or L2 (2).
  // The dense loop prefetches its next tile into L1; the skipping kernel
  // its next block (16 KiB of the scanned operand with 256 channels) into
  // L2: into L1 it evicted the block and filter slice being walked (4-6 %
  // slower on ResNet-50's 1x1 layers with 256 scanned channels).
  int64_t lineFloats = 64 / 4;
  Value lastPixel = k.sub(k.maxU(pixels, k.index(1)), k.index(1));
  auto prefetch = [&](Value p, int64_t count, Value c0, int64_t locality) {
    for (int64_t q = 0; q < count; ++q)
      for (int64_t c = 0; c < span; c += lineFloats)
        memref::PrefetchOp::create(
            k.b, from,
            ValueRange{k.minU(k.add(p, k.index(q)), lastPixel),
                       k.add(c0, k.index(c))},
            /*isWrite=*/false, /*localityHint=*/locality, /*isDataCache=*/true);
  };
  // `count` pixels from p, every channel of span s.
  auto denseTile = [&](Value ch, Value s, Value p, int64_t count) {
    Value c0 = k.mul(s, spanSize);
    prefetch(k.add(p, k.index(count)), count, c0, /*locality=*/3);
    SmallVector<Value> acc = k.forAccumulate(
        c0, k.minU(sc, k.add(c0, spanSize)), loadTile(ch, s, p, count),
        [&](Value c, ValueRange tileAcc) {
          return fmaPixels(ch, p, count, c, tileAcc);
        });
    storeTile(ch, p, count, acc);
  };
  // Pixel p, the non-zeros of span s (`bits`).
  auto skipPixel = [&](Value ch, Value s, Value p, Value bits) {
    Value c0 = k.mul(s, spanSize);
    SmallVector<Value> acc = loadTile(ch, s, p, 1);
    acc.append((chains - 1) * tileVectors, l.zeros);
    acc = l.forEachSetBitChained(
        bits, chains, acc, [&](Value lane, ValueRange set) {
          return fmaPixels(ch, p, 1, k.add(c0, lane), set);
        });
    for (int64_t j = 1; j < chains; ++j)
      for (int64_t v = 0; v < tileVectors; ++v)
        acc[v] = k.addF(acc[v], acc[j * tileVectors + v]);
    storeTile(ch, p, 1, acc);
  };
  Value numItems = k.ceilDivU(pixels, blockPixels);
  // Skipping, each item first computes the mask words of its block
  // (words[item][s][p - first]) in a loop without branches, whose loads
  // overlap; loaded at the start of each pixel's walk, right after the
  // mispredicted exit of the previous one, the scanned vectors' latency
  // from memory was paid once per word.
  Value words;
  if (skip) {
    int64_t dyn = ShapedType::kDynamic;
    words = k.alloc({dyn, dyn, blockPixels}, k.b.getI64Type(),
                    {numItems, numSpans});
  }
  k.forEachParallel(zero, numItems, [&](Value item) {
    Value first = k.mul(item, k.index(blockPixels));
    Value end = k.minU(k.add(first, k.index(blockPixels)), pixels);
    // Whole tiles, then the pixels left one at a time.
    Value tiled = k.sub(end, k.remU(k.sub(end, first), k.index(tilePixels)));
    if (skip)
      k.forEach(zero, numSpans, [&](Value s) {
        Value c0 = k.mul(s, spanSize);
        k.forEach(first, end, [&](Value p) {
          prefetch(k.add(p, k.index(blockPixels)), 1, c0, /*locality=*/2);
          k.store(l.nonZeroWord(from, {p, c0}, k.sub(sc, c0), l.scanVectors),
                  words, {item, s, k.sub(p, first)});
        });
      });
    k.forEach(zero, numChunks, [&](Value ch) {
      k.forEach(zero, numSpans, [&](Value s) {
        if (skip) {
          k.forEach(first, end, [&](Value p) {
            skipPixel(ch, s, p, k.load(words, {item, s, k.sub(p, first)}));
          });
          return;
        }
        k.forEachStep(first, tiled, tilePixels,
                      [&](Value p) { denseTile(ch, s, p, tilePixels); });
        k.forEach(tiled, end, [&](Value p) { denseTile(ch, s, p, 1); });
      });
    });
  });
}

/// The filter gradient of a pointwise convolution (isPointwise):
/// dw[0][0][c][e] = sum over pixels p of x[p][c] * dy[p][e], over x and dy
/// flattened to [pixels, channels]. The pixels are cut into kFilterSlices
/// slices (fewer when there are fewer blocks of them: a count fixed by the
/// shape, not by the thread count); one parallel item per slice sums its
/// pixels into a partial gradient of its own, and a last parallel loop adds
/// the slices' partials in order: deterministic, no atomics, and x and dy
/// read once (cutting the channels instead has every item read all of dy).
///
/// An item walks its pixels in blocks. It first copies the block of x to a
/// buffer whose rows are a vector longer than x's (in place, the pixels of
/// a channel lie a row of x apart, in a few of L1's sets: a 256-channel row
/// is 1 KiB, 4 of 64 sets) and asks for the next block of x and dy. Then,
/// per chunk of `tileVectors` vectors of filters, every channel meets the
/// block's rows of dy, which stay in L1 (kFilterBlockBytes), with the
/// channel's gradient chunk in registers: a dense tile of `tileChannels`
/// channels, each dy vector meeting all of them; or, skipping, blocks of 64
/// pixels with one mask word per channel (computed once per block, a
/// pixel's compare OR-ed into the lanes of its channels) and a walk of the
/// set bits with `chains` sets of accumulators.
static void emitPointwiseFilterGradient(Lanes &l, Value x, Value dy, Value dw,
                                        int64_t tileVectors,
                                        int64_t tileChannels, int64_t chains,
                                        bool skip) {
  KernelBuilder &k = l.k;
  int64_t lanes = l.lanes, chunk = tileVectors * lanes;
  Type f32 = k.b.getF32Type(), i32 = k.b.getI32Type(), i64 = k.b.getI64Type();
  Value xs = flattenPixels(k, x), dys = flattenPixels(k, dy),
        grad = flattenPixels(k, dw);
  Value pixels = k.dim(xs, 0), c = k.dim(xs, 1), f = k.dim(dys, 1);
  Value zero = k.index(0);
  int64_t blockPixels =
      skip ? 64
           : std::max<int64_t>(lanes, llvm::bit_floor<uint64_t>(
                                          kFilterBlockBytes / (chunk * 4)));
  Value numChunks = k.ceilDivU(f, chunk);
  Value numBlocks = k.ceilDivU(pixels, blockPixels);
  Value numSlices =
      k.maxU(k.index(1), k.minU(numBlocks, k.index(kFilterSlices)));
  Value blocksPerSlice = k.ceilDivU(numBlocks, numSlices);
  Value inVectors = k.ceilDivU(c, lanes), outVectors = k.ceilDivU(f, lanes);
  Value inWidth = k.mul(inVectors, k.index(lanes));
  int64_t dyn = ShapedType::kDynamic;
  // partial[s][ci][e]: slice s's gradient, whole chunks wide.
  Value partial = k.alloc({dyn, dyn, dyn}, f32,
                          {numSlices, c, k.mul(numChunks, k.index(chunk))}, 64);
  // values[s][q][ci] = x[p0 + q][ci]; skipping, words[s][ci] is channel
  // ci's mask word of the block.
  Value values = k.alloc({dyn, blockPixels, dyn}, f32,
                         {numSlices, k.add(inWidth, k.index(lanes))}, 64);
  Value words;
  if (skip)
    words = k.alloc({dyn, dyn}, i64, {numSlices, inWidth}, 64);
  Value lastPixel = k.sub(pixels, k.index(1));
  auto prefetch = [&](Value memref, Value p, Value col) {
    memref::PrefetchOp::create(k.b, memref, ValueRange{p, col},
                               /*isWrite=*/false, /*localityHint=*/2,
                               /*isDataCache=*/true);
  };
  k.forEachParallel(zero, numSlices, [&](Value s) {
    k.forEach(zero, c, [&](Value ci) {
      k.forEach(zero, k.mul(numChunks, k.index(tileVectors)), [&](Value v) {
        vector::StoreOp::create(k.b, l.zeros, partial,
                                ValueRange{s, ci, k.mul(v, k.index(lanes))});
      });
    });
    Value b0 = k.mul(s, blocksPerSlice);
    Value b1 = k.minU(numBlocks, k.add(b0, blocksPerSlice));
    k.forEach(b0, b1, [&](Value block) {
      Value p0 = k.mul(block, k.index(blockPixels));
      Value p1 = k.minU(pixels, k.add(p0, k.index(blockPixels)));
      k.forEach(p0, p1, [&](Value p) {
        Value ahead = k.minU(k.add(p, k.index(blockPixels)), lastPixel);
        k.forEach(zero, outVectors, [&](Value v) {
          prefetch(dys, ahead, k.mul(v, k.index(lanes)));
        });
        k.forEach(zero, inVectors, [&](Value v) {
          Value c0 = k.mul(v, k.index(lanes));
          prefetch(xs, ahead, c0);
          vector::StoreOp::create(
              k.b, l.load(xs, {p, c0}, l.prefixMask(k.sub(c, c0))), values,
              ValueRange{s, k.sub(p, p0), c0});
        });
      });
      if (skip) {
        // Lane e of half h: bit q of the 32 pixels p0 + 32 h + q of channel
        // c0 + e; only the pixels that exist (all but in the last block).
        Value count = k.indexCast(i64, k.sub(p1, p0));
        Value exist = k.sub(
            k.select(k.cmp(arith::CmpIPredicate::eq, count, k.integer(i64, 64)),
                     k.integer(i64, 0),
                     arith::ShLIOp::create(k.b, k.integer(i64, 1), count)),
            k.integer(i64, 1));
        auto halfType = VectorType::get({lanes}, i32);
        auto wordType = VectorType::get({lanes}, i64);
        Value noBits = arith::ConstantOp::create(
            k.b, halfType, DenseElementsAttr::get(halfType, int32_t(0)));
        k.forEach(zero, inVectors, [&](Value v) {
          Value c0 = k.mul(v, k.index(lanes));
          Value halves[2] = {noBits, noBits};
          for (int64_t q = 0; q < 64; ++q) {
            Value nonZero = arith::CmpFOp::create(
                k.b, arith::CmpFPredicate::UNE,
                vector::LoadOp::create(k.b, l.floats, values,
                                       ValueRange{s, k.index(q), c0}),
                l.zeros);
            Value bit = arith::ConstantOp::create(
                k.b, halfType,
                DenseElementsAttr::get(halfType, int32_t(1u << (q % 32))));
            halves[q / 32] =
                k.orI(halves[q / 32], k.select(nonZero, bit, noBits));
          }
          Value low = arith::ExtUIOp::create(k.b, wordType, halves[0]);
          Value high = arith::ShLIOp::create(
              k.b, arith::ExtUIOp::create(k.b, wordType, halves[1]),
              vector::BroadcastOp::create(k.b, wordType, k.integer(i64, 32)));
          vector::StoreOp::create(
              k.b,
              k.andI(k.orI(low, high),
                     vector::BroadcastOp::create(k.b, wordType, exist)),
              words, ValueRange{s, c0});
        });
      }
      k.forEach(zero, numChunks, [&](Value ch) {
        SmallVector<Value, kMaxTileVectors> cols, masks;
        for (int64_t v = 0; v < tileVectors; ++v) {
          cols.push_back(k.add(k.mul(ch, k.index(chunk)), k.index(v * lanes)));
          masks.push_back(l.prefixMask(k.sub(f, cols.back())));
        }
        // Row i of a tile of `count` channels from ci: channel ci + i, or
        // in the last, partial tile (`partialTile`), at most c - 1, where
        // the rows past it compute a copy of the last channel's gradient
        // that is not stored.
        auto channelOf = [&](Value ci, int64_t i, bool partialTile) {
          Value channel = k.add(ci, k.index(i));
          return partialTile ? k.minU(channel, k.sub(c, k.index(1))) : channel;
        };
        auto loadGradient = [&](Value ci, int64_t count, bool partialTile) {
          SmallVector<Value> acc;
          for (int64_t i = 0; i < count; ++i)
            for (Value col : cols)
              acc.push_back(vector::LoadOp::create(
                  k.b, l.floats, partial,
                  ValueRange{s, channelOf(ci, i, partialTile), col}));
          return acc;
        };
        auto storeGradient = [&](Value ci, int64_t count, bool partialTile,
                                 ValueRange acc) {
          for (int64_t i = 0; i < count; ++i) {
            auto storeRow = [&] {
              for (int64_t v = 0; v < tileVectors; ++v)
                vector::StoreOp::create(
                    k.b, acc[i * tileVectors + v], partial,
                    ValueRange{s, k.add(ci, k.index(i)), cols[v]});
            };
            if (partialTile && i > 0)
              k.ifThen(
                  k.cmp(arith::CmpIPredicate::ult, k.add(ci, k.index(i)), c),
                  storeRow);
            else
              storeRow();
          }
        };
        // acc[i * tileVectors + v] += value of row i's channel at pixel
        // p0 + q * dy vector v of pixel p0 + q.
        auto fmaPixel = [&](Value q, Value ci, int64_t count, bool partialTile,
                            ValueRange acc) {
          SmallVector<Value> broadcasts;
          for (int64_t i = 0; i < count; ++i)
            broadcasts.push_back(vector::BroadcastOp::create(
                k.b, l.floats,
                k.load(values, {s, q, channelOf(ci, i, partialTile)})));
          Value p = k.add(p0, q);
          return l.fmaTile(
              broadcasts, tileVectors,
              [&](int64_t v) {
                return l.load(dys, {p, cols[v]}, masks[v]);
              },
              acc);
        };
        if (skip) {
          k.forEach(zero, c, [&](Value ci) {
            SmallVector<Value> acc = loadGradient(ci, 1, false);
            acc.append((chains - 1) * tileVectors, l.zeros);
            acc =
                l.forEachSetBitChained(k.load(words, {s, ci}), chains, acc,
                                       [&](Value q, ValueRange set) {
                                         return fmaPixel(q, ci, 1, false, set);
                                       });
            for (int64_t j = 1; j < chains; ++j)
              for (int64_t v = 0; v < tileVectors; ++v)
                acc[v] = k.addF(acc[v], acc[j * tileVectors + v]);
            storeGradient(ci, 1, false, acc);
          });
          return;
        }
        // Tiles of tileChannels channels from ci; the last may be partial.
        auto denseTile = [&](Value ci, bool partialTile) {
          SmallVector<Value> acc = k.forAccumulate(
              zero, k.sub(p1, p0), loadGradient(ci, tileChannels, partialTile),
              [&](Value q, ValueRange tileAcc) {
                return fmaPixel(q, ci, tileChannels, partialTile, tileAcc);
              });
          storeGradient(ci, tileChannels, partialTile, acc);
        };
        Value tiled = k.sub(c, k.remU(c, k.index(tileChannels)));
        k.forEachStep(zero, tiled, tileChannels,
                      [&](Value ci) { denseTile(ci, false); });
        k.ifThen(k.cmp(arith::CmpIPredicate::ult, tiled, c),
                 [&] { denseTile(tiled, true); });
      });
    });
  });
  // dw = the sum of the slices' partials, in slice order.
  k.forEachParallel(zero, c, [&](Value ci) {
    k.forEach(zero, outVectors, [&](Value v) {
      Value col = k.mul(v, k.index(lanes));
      SmallVector<Value> sum = k.forAccumulate(
          zero, numSlices, {l.zeros}, [&](Value s, ValueRange acc) {
            Value part = vector::LoadOp::create(k.b, l.floats, partial,
                                                ValueRange{s, ci, col});
            return SmallVector<Value>{k.addF(acc[0], part)};
          });
      l.store(sum[0], grad, {ci, col}, l.prefixMask(k.sub(f, col)));
    });
  });
}

/// The op's max_density; without one, `fallback`: the op's default, or
/// where the benchmarks found another break-even, 0 (only an all-zero
/// operand skips) for gather kernels whose skipping loop adds at most
/// kMinSkipVectors vectors per non-zero (the bit walk costs as much as the
/// FMAs it saves), and kPointwiseMaxDensity or kPointwiseFilterMaxDensity
/// for the pointwise kernels.
template <typename OpTy>
static double getEffectiveMaxDensity(OpTy op, double fallback) {
  return op.getMaxDensity() ? op.getMaxDensity()->convertToDouble() : fallback;
}

/// The pointwise kernel of a forward or data-gradient op under its density
/// dispatch.
template <typename OpTy>
static void emitPointwise(Lanes &l, OpTy op, Value scanned, Value panels,
                          Value result, const GatherPlan &plan) {
  Lanes words(l.k, l.lanes, 64 / l.lanes);
  dispatchOnDensity(
      words, scanned, getEffectiveMaxDensity(op, kPointwiseMaxDensity),
      [&](bool skip) {
        emitPointwiseKernel(words, scanned, panels, result, plan.tileVectors,
                            plan.densePixels, kSkipChains, skip);
      });
}

/// Whether an op has the f32 operands and result the kernels handle.
static bool allF32(Operation *op) {
  auto isF32 = [](Type type) {
    return cast<RankedTensorType>(type).getElementType().isF32();
  };
  return llvm::all_of(op->getOperandTypes(), isF32) &&
         llvm::all_of(op->getResultTypes(), isF32);
}

/// Base of the three patterns: the vector width, and the match on f32.
template <typename OpTy>
struct ZeroSkipConvVectorPattern : public OpConversionPattern<OpTy> {
  ZeroSkipConvVectorPattern(const TypeConverter &converter,
                            MLIRContext *context,
                            const CPULoweringOptions &options)
      : OpConversionPattern<OpTy>(converter, context, /*benefit=*/2),
        lanes(options.vectorBits / 32) {}

  int64_t lanes;
};

struct Conv2DZeroSkipVectorLowering
    : public ZeroSkipConvVectorPattern<Conv2DZeroSkipOp> {
  using ZeroSkipConvVectorPattern::ZeroSkipConvVectorPattern;

  LogicalResult
  matchAndRewrite(Conv2DZeroSkipOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!allF32(op))
      return rewriter.notifyMatchFailure(op, "the vector kernel is f32 only");
    KernelBuilder k(rewriter, op.getLoc());
    RankedTensorType resultType = op.getType();
    auto filterType = cast<RankedTensorType>(op.getFilter().getType());
    GatherPlan plan = getGatherPlan(
        op, /*fromOutput=*/false, filterType.getDimSize(1), resultType, lanes);
    Lanes l(k, lanes, plan.scanVectors);
    Value x = k.bufferOf(adaptor.getInput());
    Value w = k.bufferOf(adaptor.getFilter());
    Value y = k.allocShaped(resultType.getShape(), k.b.getF32Type(),
                            convForwardSizes(k, op, x, w), kResultAlignment);
    Value panels =
        packFilter(k, w, /*transposed=*/false, plan.tileVectors * lanes);
    if (isPointwise(op, filterType.getShape())) {
      emitPointwise(l, op, x, panels, y, plan);
      rewriter.replaceOp(op, k.tensorOf(y));
      return success();
    }
    ConvWindowValues win = getConvWindowValues(k, op);
    double maxDensity = getEffectiveMaxDensity(
        op, plan.skipVectors() > kMinSkipVectors ? op.getMaxDensityOrDefault()
                                                 : 0.0);
    dispatchOnDensity(l, x, maxDensity, [&](bool skip) {
      emitGatherKernel(l, win, /*fromOutput=*/false, x, panels, y,
                       plan.tileVectors, plan, skip);
    });
    rewriter.replaceOp(op, k.tensorOf(y));
    return success();
  }
};

struct Conv2DZeroSkipBackwardDataVectorLowering
    : public ZeroSkipConvVectorPattern<Conv2DZeroSkipBackwardDataOp> {
  using ZeroSkipConvVectorPattern::ZeroSkipConvVectorPattern;

  LogicalResult
  matchAndRewrite(Conv2DZeroSkipBackwardDataOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    if (!allF32(op))
      return rewriter.notifyMatchFailure(op, "the vector kernel is f32 only");
    if (resultType.isDynamicDim(1) || resultType.isDynamicDim(2))
      return rewriter.notifyMatchFailure(
          op, "the input gradient needs static spatial sizes");
    KernelBuilder k(rewriter, op.getLoc());
    auto filterType = cast<RankedTensorType>(op.getFilter().getType());
    GatherPlan plan = getGatherPlan(
        op, /*fromOutput=*/true, filterType.getDimSize(1), resultType, lanes);
    Lanes l(k, lanes, plan.scanVectors);
    Type f32 = k.b.getF32Type();
    Value dy = k.bufferOf(adaptor.getGradOutput());
    Value w = k.bufferOf(adaptor.getFilter());
    Value dx = k.allocShaped(resultType.getShape(), f32,
                             convInputGradientSizes(k, resultType, dy, w),
                             kResultAlignment);
    // Input channels contiguous in the panels: the filter transposed.
    Value panels =
        packFilter(k, w, /*transposed=*/true, plan.tileVectors * lanes);
    if (isPointwise(op, filterType.getShape())) {
      emitPointwise(l, op, dy, panels, dx, plan);
      rewriter.replaceOp(op, k.tensorOf(dx));
      return success();
    }
    ConvWindowValues win = getConvWindowValues(k, op);
    double maxDensity = getEffectiveMaxDensity(
        op, plan.skipVectors() > kMinSkipVectors ? op.getMaxDensityOrDefault()
                                                 : 0.0);
    dispatchOnDensity(l, dy, maxDensity, [&](bool skip) {
      emitGatherKernel(l, win, /*fromOutput=*/true, dy, panels, dx,
                       plan.tileVectors, plan, skip);
    });
    rewriter.replaceOp(op, k.tensorOf(dx));
    return success();
  }
};

struct Conv2DZeroSkipBackwardFilterVectorLowering
    : public ZeroSkipConvVectorPattern<Conv2DZeroSkipBackwardFilterOp> {
  using ZeroSkipConvVectorPattern::ZeroSkipConvVectorPattern;

  LogicalResult
  matchAndRewrite(Conv2DZeroSkipBackwardFilterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    if (!allF32(op))
      return rewriter.notifyMatchFailure(op, "the vector kernel is f32 only");
    if (resultType.isDynamicDim(0) || resultType.isDynamicDim(1))
      return rewriter.notifyMatchFailure(
          op, "the filter gradient needs a static filter size");
    KernelBuilder k(rewriter, op.getLoc());
    Lanes l(k, lanes, /*scanVectors=*/4);
    Type f32 = k.b.getF32Type();
    Value x = k.bufferOf(adaptor.getInput());
    Value dy = k.bufferOf(adaptor.getGradOutput());
    Value batch = k.dim(x, 0), h = k.dim(x, 1), w = k.dim(x, 2);
    Value c = k.dim(x, 3), f = k.dim(dy, 3);
    Value oh = k.dim(dy, 1), ow = k.dim(dy, 2);
    int64_t kh = resultType.getDimSize(0), kw = resultType.getDimSize(1);

    Value dw = k.allocShaped(resultType.getShape(), f32,
                             convFilterGradientSizes(k, resultType, x, dy));
    // The skipping kernel, or its dense loop, with the layout copies it
    // reads.
    auto emitKernel = [&](bool skip) {
      // The input with rows of one channel contiguous: xt[c][n][h][w].
      auto inputType = cast<RankedTensorType>(op.getInput().getType());
      ArrayRef<int64_t> xs = inputType.getShape();
      Value xt =
          k.allocShaped({xs[3], xs[0], xs[1], xs[2]}, f32, {c, batch, h, w});
      k.forEachParallel(k.index(0), k.mul(batch, h), [&](Value row) {
        Value n = k.divU(row, h), i = k.remU(row, h);
        k.forEach(k.index(0), c, [&](Value ci) {
          k.forEach(k.index(0), w, [&](Value j) {
            k.store(k.load(x, {n, i, j, ci}), xt, {ci, n, i, j});
          });
        });
      });

      // The skipping loop broadcasts one channel into up to 8 vectors of
      // filters per tap; the dense loop tiles kDenseChannels channels x 2
      // vectors, so that each dy vector it loads meets several broadcasts,
      // on rows long enough to pay for the larger tile's loads and stores.
      int64_t tileVectors = getTileVectors(resultType.getDimSize(3), lanes);
      int64_t tileChannels = 1;
      if (!skip && (ShapedType::isDynamic(xs[2]) || xs[2] >= kDenseMinWidth)) {
        tileVectors = std::min<int64_t>(tileVectors, kDenseFilterVectors);
        tileChannels = kDenseChannels;
      }
      int64_t chunk = tileVectors * lanes;
      // The skipping loop joins the non-zero bits of `rowsPerWord` input
      // rows of `rowVectors` vectors each into one mask word when the rows
      // are narrow (row p at bit p * rowVectors * lanes), so that its
      // mispredicted exit is paid once per word, not once per row.
      int64_t rowsPerWord = 1, rowVectors = l.scanVectors;
      if (skip && !ShapedType::isDynamic(xs[2])) {
        int64_t vectors = llvm::PowerOf2Ceil(
            std::max<int64_t>(1, llvm::divideCeil(xs[2], lanes)));
        int64_t fit = std::min(kMaxRowsPerWord, (64 / lanes) / vectors);
        if (fit > 1) {
          rowsPerWord = fit;
          rowVectors = vectors;
        }
      }
      int64_t rowSpan = rowVectors * lanes;
      // Filter column taps per pass over the input: as many as the
      // accumulator registers hold.
      int64_t group = std::clamp<int64_t>(kAccumulatorRegisters /
                                              (tileChannels * tileVectors),
                                          1, std::max<int64_t>(kw, 1));
      ConvWindowValues win = getConvWindowValues(k, op);
      Value numChunks = k.ceilDivU(f, chunk);
      // dy in panels of `chunk` filters, zero past the last one, its output
      // rows (n, o) flattened to r = n * OH + o:
      // dyPanels[j][r][q][e] = dy[n][o][q][j * chunk + e]. The rows a
      // channel's scan reads are then contiguous and need no masks.
      int64_t dyn = ShapedType::kDynamic;
      Value numRows = k.mul(batch, oh);
      Value dyPanels = memref::AllocOp::create(
          k.b, MemRefType::get({dyn, dyn, dyn, chunk}, f32),
          ValueRange{numChunks, numRows, ow}, k.b.getI64IntegerAttr(64));
      k.forEachParallel(k.index(0), numRows, [&](Value row) {
        Value n = k.divU(row, oh), o = k.remU(row, oh);
        k.forEach(k.index(0), ow, [&](Value q) {
          k.forEach(k.index(0), numChunks, [&](Value j) {
            for (int64_t v = 0; v < tileVectors; ++v) {
              Value col = k.add(k.mul(j, k.index(chunk)), k.index(v * lanes));
              vector::StoreOp::create(
                  k.b, l.load(dy, {n, o, q, col}, l.prefixMask(k.sub(f, col))),
                  dyPanels, ValueRange{j, row, q, k.index(v * lanes)});
            }
          });
        });
      });
      // xt with the rows of a channel flattened: xRows[c][(n * H + i) * W +
      // j].
      Value xRows = memref::CollapseShapeOp::create(
          k.b, xt, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
      Value numScans = k.ceilDivU(w, rowSpan);
      // Input pixel j of `broadcasts.size()` consecutive channels, added
      // into the accumulators of taps g0.. of a row tap for every tap that
      // maps it to an output pixel q of output row r (flattened):
      // acc[(t * channels + p) * tileVectors + v]. Each dy vector is loaded
      // once for all the channels.
      auto applyPixel = [&](ArrayRef<Value> broadcasts, Value r, Value j,
                            int64_t g0, Value fc, ValueRange acc) {
        int64_t tile = broadcasts.size() * tileVectors;
        SmallVector<Value> next;
        for (int64_t t = 0; t * tile < static_cast<int64_t>(acc.size()); ++t) {
          ValueRange tapAcc = acc.slice(t * tile, tile);
          auto [q, hit] = convOutputCoordinate(k, j, k.index(g0 + t), win.sw,
                                               win.dw, win.left, ow);
          llvm::append_range(
              next, k.ifThenElse(
                        hit, SmallVector<Type>(tile, l.floats),
                        [&] {
                          return l.fmaTile(broadcasts, tileVectors, dyPanels,
                                           {fc, r, q}, tapAcc);
                        },
                        [&] { return SmallVector<Value>(tapAcc); }));
        }
        return next;
      };
      // Each parallel item owns the filter gradient of a block of input
      // channels and a chunk of filters. Its outermost loop runs over groups
      // of output rows (kRowGroupBytes of dy), outside the filter taps and
      // the channels, so that the chunk of the group's rows of dy stays in
      // L1 while every tap and channel of the block is scanned against it
      // (with the taps outside the groups, each item read its dy from L3
      // once per row tap: VGG16 conv3's filter gradient at 0.7 zeros took
      // 1.4x as long); the accumulators of `channels` channels and a row
      // tap's group of taps live in registers across the group's input
      // rows and in dW between groups.
      Value numBlocks = k.ceilDivU(c, kChannelBlock);
      Value rowGroup = k.minU(
          k.index(kMaxRowGroup),
          k.maxU(k.index(1),
                 k.divU(k.index(kRowGroupBytes),
                        k.mul(k.maxU(ow, k.index(1)), k.index(chunk * 4)))));
      // Whole mask words of rows per group.
      if (rowsPerWord > 1)
        rowGroup =
            k.mul(k.ceilDivU(rowGroup, rowsPerWord), k.index(rowsPerWord));
      Value numRowGroups = k.ceilDivU(numRows, rowGroup);
      k.forEachParallel(
          k.index(0), k.mul(numBlocks, numChunks), [&](Value item) {
            Value c0 = k.mul(k.divU(item, numChunks), k.index(kChannelBlock));
            Value c1 = k.minU(c, k.add(c0, k.index(kChannelBlock)));
            Value fc = k.remU(item, numChunks);
            Value f0 = k.mul(fc, k.index(chunk));
            SmallVector<Value, kMaxTileVectors> cols, masks;
            for (int64_t v = 0; v < tileVectors; ++v) {
              cols.push_back(k.add(f0, k.index(v * lanes)));
              masks.push_back(l.prefixMask(k.sub(f, cols.back())));
            }
            k.forEach(k.index(0), k.index(kh * kw), [&](Value tap) {
              Value a = k.divU(tap, k.index(kw)), b = k.remU(tap, k.index(kw));
              k.forEach(c0, c1, [&](Value ci) {
                for (int64_t v = 0; v < tileVectors; ++v)
                  l.store(l.zeros, dw, {a, b, ci, cols[v]}, masks[v]);
              });
            });
            k.forEach(k.index(0), numRowGroups, [&](Value g) {
              Value r0 = k.mul(g, rowGroup);
              Value r1 = k.minU(numRows, k.add(r0, rowGroup));
              k.forEach(k.index(0), k.index(kh), [&](Value a) {
                for (int64_t g0 = 0; g0 < kw; g0 += group) {
                  int64_t taps = std::min(group, kw - g0);
                  // Input row (n, i) of channels ci.. meeting output row r
                  // through row tap a, added to the accumulators `acc` of
                  // their gradients, every pixel (the dense loop).
                  auto applyRow = [&](Value r, Value n, Value i, Value ci,
                                      int64_t channels, ValueRange acc) {
                    return k.forAccumulate(
                        k.index(0), w, acc, [&](Value j, ValueRange rowAcc) {
                          SmallVector<Value> values;
                          for (int64_t p = 0; p < channels; ++p)
                            values.push_back(vector::BroadcastOp::create(
                                k.b, l.floats,
                                k.load(xt, {k.add(ci, k.index(p)), n, i, j})));
                          return applyPixel(values, r, j, g0, fc, rowAcc);
                        });
                  };
                  // The skipping loop over output rows [r0, r1) for
                  // channel ci: the input rows that rowsPerWord consecutive
                  // output rows meet through row tap a are scanned
                  // together, one mask word per rowSpan columns.
                  auto scanRows = [&](Value ci, ValueRange acc) {
                    Value numBlocks =
                        k.ceilDivU(k.sub(r1, r0), k.index(rowsPerWord));
                    return k.forAccumulate(
                        k.index(0), numBlocks, acc,
                        [&](Value block, ValueRange blockAcc) {
                          Value rb =
                              k.add(r0, k.mul(block, k.index(rowsPerWord)));
                          // Where each row starts in xRows, and whether it
                          // exists (padding rows and rows past r1 do not).
                          SmallVector<Value, kMaxRowsPerWord> starts, exist;
                          for (int64_t p = 0; p < rowsPerWord; ++p) {
                            Value r = k.add(rb, k.index(p));
                            Value n = k.divU(r, oh), o = k.remU(r, oh);
                            auto [i, insideH] = convInputCoordinate(
                                k, o, a, win.sh, win.dh, win.top, h);
                            exist.push_back(
                                k.andI(insideH, k.cmp(arith::CmpIPredicate::ult,
                                                      r, r1)));
                            starts.push_back(k.select(
                                exist.back(), k.mul(k.add(k.mul(n, h), i), w),
                                k.index(0)));
                          }
                          return k.forAccumulate(
                              k.index(0), numScans, blockAcc,
                              [&](Value sb, ValueRange scanAcc) {
                                Value j0 = k.mul(sb, k.index(rowSpan));
                                Value left = k.sub(w, j0);
                                Value word;
                                for (int64_t p = 0; p < rowsPerWord; ++p) {
                                  Value bits = l.nonZeroWord(
                                      xRows, {ci, k.add(starts[p], j0)},
                                      k.select(exist[p], left, k.index(0)),
                                      rowVectors, p * rowSpan);
                                  word = p == 0 ? bits : k.orI(word, bits);
                                }
                                return l.forEachSetBit(
                                    word, scanAcc,
                                    [&](Value lane, ValueRange laneAcc) {
                                      Value p = k.index(0), column = lane;
                                      Value start = starts[0];
                                      if (rowsPerWord > 1) {
                                        p = k.divU(lane, k.index(rowSpan));
                                        column = k.remU(lane, k.index(rowSpan));
                                      }
                                      for (int64_t q = 1; q < rowsPerWord; ++q)
                                        start = k.select(
                                            k.cmp(arith::CmpIPredicate::eq, p,
                                                  k.index(q)),
                                            starts[q], start);
                                      Value j = k.add(j0, column);
                                      Value value = vector::BroadcastOp::create(
                                          k.b, l.floats,
                                          k.load(xRows, {ci, k.add(start, j)}));
                                      return applyPixel({value}, k.add(rb, p),
                                                        j, g0, fc, laneAcc);
                                    });
                              });
                        });
                  };
                  // Output rows [r0, r1) (row r is (r / oh, r % oh)) applied
                  // to the gradients of channels ci..: the accumulators stay
                  // in registers across the rows.
                  auto applyRows = [&](Value ci, int64_t channels) {
                    SmallVector<Value> acc;
                    for (int64_t t = 0; t < taps; ++t)
                      for (int64_t p = 0; p < channels; ++p)
                        for (int64_t v = 0; v < tileVectors; ++v)
                          acc.push_back(l.load(dw,
                                               {a, k.index(g0 + t),
                                                k.add(ci, k.index(p)), cols[v]},
                                               masks[v]));
                    if (skip) {
                      acc = scanRows(ci, acc);
                    } else {
                      SmallVector<Type> accTypes(acc.size(), l.floats);
                      acc = k.forAccumulate(
                          r0, r1, acc, [&](Value r, ValueRange rowsAcc) {
                            Value n = k.divU(r, oh), o = k.remU(r, oh);
                            auto [i, insideH] = convInputCoordinate(
                                k, o, a, win.sh, win.dh, win.top, h);
                            return k.ifThenElse(
                                insideH, accTypes,
                                [&] {
                                  return applyRow(r, n, i, ci, channels,
                                                  rowsAcc);
                                },
                                [&] { return SmallVector<Value>(rowsAcc); });
                          });
                    }
                    for (int64_t t = 0; t < taps; ++t)
                      for (int64_t p = 0; p < channels; ++p)
                        for (int64_t v = 0; v < tileVectors; ++v)
                          l.store(acc[(t * channels + p) * tileVectors + v], dw,
                                  {a, k.index(g0 + t), k.add(ci, k.index(p)),
                                   cols[v]},
                                  masks[v]);
                  };
                  if (tileChannels == 1) {
                    k.forEach(c0, c1, [&](Value ci) { applyRows(ci, 1); });
                    continue;
                  }
                  // `tileChannels` channels at a time, the last ones of
                  // the block one by one.
                  Value tiled =
                      k.sub(c1, k.remU(k.sub(c1, c0), k.index(tileChannels)));
                  k.forEachStep(c0, tiled, tileChannels,
                                [&](Value ci) { applyRows(ci, tileChannels); });
                  k.forEach(tiled, c1, [&](Value ci) { applyRows(ci, 1); });
                }
              });
            });
          });
    };
    if (isPointwise(op, resultType.getShape())) {
      int64_t tileVectors = getTileVectors(resultType.getDimSize(3), lanes);
      dispatchOnDensity(
          l, x, getEffectiveMaxDensity(op, kPointwiseFilterMaxDensity),
          [&](bool skip) {
            emitPointwiseFilterGradient(
                l, x, dy, dw, tileVectors,
                (kDenseRegisters - 1) / (tileVectors + 1), kSkipChains, skip);
          });
    } else {
      dispatchOnDensity(l, x, op.getMaxDensityOrDefault(), emitKernel);
    }
    rewriter.replaceOp(op, k.tensorOf(dw));
    return success();
  }
};

} // namespace

void mlir::sparse_train::populateZeroSkipConvToCPUPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns,
    const CPULoweringOptions &options) {
  patterns.add<Conv2DZeroSkipVectorLowering,
               Conv2DZeroSkipBackwardDataVectorLowering,
               Conv2DZeroSkipBackwardFilterVectorLowering>(
      converter, patterns.getContext(), options);
}
