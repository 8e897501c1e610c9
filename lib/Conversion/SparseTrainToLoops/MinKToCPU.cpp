//===- MinKToCPU.cpp - vectorized DropIT kernels -------------------------===//
//
// min_k_retain on f32: exact, deterministic selection in streaming vector
// passes instead of the reference's bit-by-bit search.
//
// Keys are the i32 bit patterns of |x| with every NaN mapped to one key
// above +Inf (0x7F800001); for floats this orders by magnitude exactly like
// the reference's f64 keys. For each set (the tensor, or each row):
//  1. a strided sample of at most 65536 keys (whole vectors) gives,
//     through a two-level histogram, a bracket [lo, hi] that holds the K-th
//     largest key with overwhelming probability;
//  2. one vector pass counts the keys above hi and those equal to lo, and
//     compress-stores the keys in (lo, hi] (if the bracket missed, a second
//     pass takes every key: the result is exact either way);
//  3. the two-level histogram of the candidates gives the K-th largest key
//     T and how many ties at T are kept (T is lo itself when the stored
//     candidates are too few: the zeros of a ReLU output are counted, never
//     stored or sorted);
//  4. one vector pass keeps every key above T and the first ties in index
//     order: compress-stores of the values (and of the indices), or the
//     mask bits into the bitmask.
// A bitmask retain keeping at most a fifth of the set reads x once instead:
// step 2 also stores every value above lo and its bit, and step 4 becomes
// a fix-up of what it stored (clear the bits of the candidates below T,
// compact the stored values).
// The passes over x run in parallel over chunks of the set, each with its
// own counts and output position (a prefix over the chunks, from the
// candidates): deterministic, the same result for any thread count.
// min_k_restore on f32: expanding loads (bitmask) or a scatter (indices),
// in parallel over chunks.
// min_k_weight_grad, linear form on f32: at most 15 % kept, straight from
// the retained form (entries grouped by column, dy rows summed per dW row in
// registers); above, restore + linalg.matmul (BLAS), which is then faster.
// Other element types, rows shorter than 65536 (the histograms' fixed cost
// would dominate), and rows whose bitmask words would straddle two rows
// fall through to the reference patterns.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "LeadingLanes.h"
#include "MinKParts.h"
#include "SparseTrain/Conversion/SparseTrainToLoops.h"
#include "SparseTrain/IR/SparseTrainOps.h"
#include "SparseTrain/Utils/MatmulMaps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace {

/// How far ahead of the vector being loaded a streaming pass prefetches
/// its input. The passes do enough work per vector that the hardware
/// prefetchers alone left one core reading x at about half a plain read's
/// rate. Measured interleaved (Intel Xeon VM, 1 thread, 2^24 floats,
/// bitmask): min_k_retain 24-32 % less time at keep 0.1-0.5 (Gaussian and
/// ReLU), min_k_restore 1-20 % less; 4 to 16 KiB ahead beat 2 KiB,
/// within noise of each other.
constexpr int64_t kStreamPrefetchBytes = 8192;
/// Key of every NaN: one above the key of +Inf.
constexpr int64_t kNaNKey32 = 0x7F800001;
/// Elements per parallel item of min_k_retain and min_k_restore: a
/// multiple of 32, so that no bitmask word is shared by two items.
constexpr int64_t kChunk = 16384;
/// Most keys sampled per set to bracket the threshold.
constexpr int64_t kMaxSample = 65536;
/// Buckets of one histogram level (16 bits of the key).
constexpr int64_t kBuckets = 65536;
/// Each super-bucket counts the keys of this many consecutive buckets, so
/// that finding a bucket reads 2 x 256 counters instead of kBuckets.
constexpr int64_t kBucketsPerSuper = 256;
constexpr int64_t kSuperBuckets = kBuckets / kBucketsPerSuper;
/// The histogram buffer: kBuckets counters, then the super-buckets'.
constexpr int64_t kHistogramSize = kBuckets + kSuperBuckets;
/// A bitmask retain reads x once when K <= set length / kOnePassKeepDivisor.
/// Above, the one-pass form's traffic (every value above the bracket
/// written to scratch, read back twice, then written out) costs more than
/// a second read of x: on 2^24 floats (AMD EPYC, 1 thread) it was ahead at
/// keep 0.1 and 0.2 and behind at 0.3 and 0.5.
constexpr int64_t kOnePassKeepDivisor = 5;

/// The magnitude keys of `x`, an f32 or a vector of f32: the bits of |x|
/// as i32, every NaN clamped to the one key above +Inf.
static Value magnitudeKeys(KernelBuilder &k, Value x) {
  Type i32 = k.b.getI32Type();
  auto vectorType = dyn_cast<VectorType>(x.getType());
  Type keyType = vectorType ? vectorType.clone(i32) : i32;
  auto constant = [&](int64_t value) -> Value {
    TypedAttr attr = k.b.getI32IntegerAttr(value);
    if (vectorType)
      attr = DenseElementsAttr::get(cast<ShapedType>(keyType), attr);
    return arith::ConstantOp::create(k.b, keyType, attr);
  };
  Value raw = arith::BitcastOp::create(k.b, keyType, x);
  Value magnitude = k.andI(raw, constant(0x7FFFFFFF));
  return k.minU(magnitude, constant(kNaNKey32));
}

/// The first element of chunk `chunk` (chunks of kChunk) of a range of
/// `length` elements, and the element after its last.
static std::pair<Value, Value> chunkRange(KernelBuilder &k, Value chunk,
                                          Value length) {
  Value begin = k.mul(chunk, k.index(kChunk));
  return {begin, k.minU(k.add(begin, k.index(kChunk)), length)};
}

/// Vector helpers for one lane count.
struct Lanes {
  KernelBuilder &k;
  int64_t n;
  VectorType f32s, i32s, masks;
  IntegerType bits;
  /// Compress-stores through an AVX-512 register compress.
  bool x86Compress = false;

  Lanes(KernelBuilder &k, int64_t n)
      : k(k), n(n), f32s(VectorType::get({n}, k.b.getF32Type())),
        i32s(VectorType::get({n}, k.b.getI32Type())),
        masks(VectorType::get({n}, k.b.getI1Type())),
        bits(k.b.getIntegerType(n)) {}

  Value splat(VectorType type, Attribute value) {
    return arith::ConstantOp::create(k.b, type,
                                     DenseElementsAttr::get(type, value));
  }
  /// The lanes of `mask` as the bits of an integer (lane 0 lowest).
  Value toBits(Value mask) {
    Value one =
        vector::BitCastOp::create(k.b, VectorType::get({1}, bits), mask);
    return vector::ExtractOp::create(k.b, one, ArrayRef<int64_t>{0});
  }
  /// The mask whose lanes are the bits of `value`.
  Value fromBits(Value value) {
    Value one =
        vector::BroadcastOp::create(k.b, VectorType::get({1}, bits), value);
    return vector::BitCastOp::create(k.b, masks, one);
  }
  Value popcount(Value bitsValue) {
    return k.toIndex(arith::ExtUIOp::create(
        k.b, k.b.getI64Type(), math::CtPopOp::create(k.b, bitsValue)));
  }
  /// Lanes [0, count) set.
  Value prefixMask(Value count) {
    return vector::CreateMaskOp::create(k.b, masks, ValueRange{count});
  }
  /// Streams x[offset, offset + length) a vector at a time:
  /// `body(j, xs, inside, carried)` sees the elements (f32, or i32 keys)
  /// at offset + j and the mask of the lanes inside the set, and returns
  /// the next carried values. Whole vectors use plain loads, each with a
  /// prefetch kStreamPrefetchBytes ahead (clamped to the last element of
  /// x, so that a chunk's last vectors prefetch the next chunk's first);
  /// the last partial one a masked load.
  template <typename Body>
  SmallVector<Value> stream(Value x, Value offset, Value length,
                            ValueRange init, Body body) {
    VectorType type =
        cast<MemRefType>(x.getType()).getElementType().isF32() ? f32s : i32s;
    // Elements are 4 bytes (f32 or i32).
    Value prefetchAhead = k.index(kStreamPrefetchBytes / 4);
    Value last = k.sub(k.dim(x, 0), k.index(1));
    Value whole = k.sub(length, k.remU(length, k.index(n)));
    Value all = splat(masks, k.b.getBoolAttr(true));
    auto loop = scf::ForOp::create(k.b, k.index(0), whole, k.index(n), init);
    k.yieldFrom(loop.getBody(), [&] {
      Value j = loop.getInductionVar();
      Value at = k.add(offset, j);
      memref::PrefetchOp::create(
          k.b, x, ValueRange{k.minU(k.add(at, prefetchAhead), last)},
          /*isWrite=*/false, /*localityHint=*/3,
          /*isDataCache=*/true);
      Value xs = vector::LoadOp::create(k.b, type, x, ValueRange{at});
      return body(j, xs, all, loop.getRegionIterArgs());
    });
    Value partial = k.cmp(arith::CmpIPredicate::ult, whole, length);
    return k.ifThenElse(
        partial, loop.getResultTypes(),
        [&] {
          Value inside = prefixMask(k.sub(length, whole));
          Value xs = vector::MaskedLoadOp::create(
              k.b, type, x, ValueRange{k.add(offset, whole)}, inside,
              splat(type, k.b.getZeroAttr(type.getElementType())));
          return body(whole, xs, inside, loop.getResults());
        },
        [&] { return SmallVector<Value>(loop.getResults()); });
  }

  /// The magnitude keys of a vector of floats.
  Value keys(Value x) { return magnitudeKeys(k, x); }
};

/// Stores the `mask` lanes of `value` contiguously at `base[at]`. With
/// `x86Compress` and 16 lanes of 32 bits (AVX-512) the lanes are compressed
/// in a register (x86vector.avx512.mask.compress) and written by a masked
/// store of the leading popcount(mask) lanes: AMD's Zen 4 and 5 run the
/// memory form of vpcompressd/vcompressps as microcode, an order of
/// magnitude slower (measured: 80 % of min_k_retain's time). Otherwise
/// vector.compressstore, which LLVM legalizes for any target. (Its builder
/// taking an llvm::MaybeAlign swaps mask and value in MLIR 22.1.8; the one
/// taking an IntegerAttr does not.)
static void compressStore(KernelBuilder &k, bool x86Compress, Value base,
                          Value at, Value mask, Value value) {
  auto type = cast<VectorType>(value.getType());
  if (!x86Compress || type.getNumElements() != 16 ||
      type.getElementType().getIntOrFloatBitWidth() != 32) {
    vector::CompressStoreOp::create(k.b, base, ValueRange{at}, mask, value,
                                    IntegerAttr());
    return;
  }
  Value packed = x86vector::MaskCompressOp::create(
      k.b, k.b.getUnknownLoc(), type, mask, value, Value(), ElementsAttr());
  vector::MaskedStoreOp::create(k.b, base, ValueRange{at},
                                getLeadingLanes(k.b, k.b.getUnknownLoc(), mask),
                                packed);
}

/// Scans the `length` counters `hist[base, base + length)` from the top
/// for the one at which the count of keys reaches `rank` (i64); returns
/// its offset from `base` and how many keys the counters above it hold.
static std::pair<Value, Value> scanFromTop(KernelBuilder &k, Value hist,
                                           Value base, int64_t length,
                                           Value rank) {
  Type i64 = k.b.getI64Type();
  SmallVector<Value> init = {k.boolean(false), k.index(0), k.integer(i64, 0),
                             k.integer(i64, 0)};
  SmallVector<Value> found = k.forAccumulate(
      k.index(0), k.index(length), init, [&](Value j, ValueRange acc) {
        Value bucket = k.sub(k.index(length - 1), j);
        Value count =
            arith::ExtUIOp::create(k.b, i64, k.load(hist, k.add(base, bucket)));
        Value total = k.add(acc[3], count);
        Value hit =
            k.andI(k.cmp(arith::CmpIPredicate::uge, total, rank),
                   k.cmp(arith::CmpIPredicate::eq, acc[0], k.boolean(false)));
        return SmallVector<Value>{k.orI(acc[0], hit),
                                  k.select(hit, bucket, acc[1]),
                                  k.select(hit, acc[3], acc[2]), total};
      });
  return {found[1], found[2]};
}

/// The bucket of `hist` holding the `rank`-th largest key and how many
/// keys lie in higher buckets: the super-bucket first, then its buckets.
static std::pair<Value, Value> findBucket(KernelBuilder &k, Value hist,
                                          Value rank) {
  auto [super, aboveSuper] =
      scanFromTop(k, hist, k.index(kBuckets), kSuperBuckets, rank);
  Value base = k.mul(super, k.index(kBucketsPerSuper));
  auto [bucket, above] =
      scanFromTop(k, hist, base, kBucketsPerSuper, k.sub(rank, aboveSuper));
  return {k.add(base, bucket), k.add(aboveSuper, above)};
}

/// Sets each super-bucket counter of `hist` to the sum of its buckets'
/// counters, a vector of `i32s` at a time. Bumping a super-bucket per key
/// instead serialized the passes on a few counters (keys near the
/// threshold share their high bits), each bump waiting for the last one's
/// store.
static void sumSuperBuckets(KernelBuilder &k, Value hist, VectorType i32s) {
  int64_t lanes = i32s.getNumElements();
  Value zeros = arith::ConstantOp::create(
      k.b, i32s, DenseElementsAttr::get(i32s, k.b.getI32IntegerAttr(0)));
  k.forEach(k.index(0), k.index(kSuperBuckets), [&](Value super) {
    Value base = k.mul(super, k.index(kBucketsPerSuper));
    Value sum = k.forAccumulate(
        k.index(0), k.index(kBucketsPerSuper / lanes), {zeros},
        [&](Value j, ValueRange acc) {
          Value counts = vector::LoadOp::create(
              k.b, i32s, hist,
              ValueRange{k.add(base, k.mul(j, k.index(lanes)))});
          return SmallVector<Value>{k.add(acc[0], counts)};
        })[0];
    k.store(vector::ReductionOp::create(k.b, vector::CombiningKind::ADD, sum),
            hist, k.add(k.index(kBuckets), super));
  });
}

/// The number of low bits that emitKthLargestKeys leaves to its second
/// level for keys in [origin, top] (i32, unsigned): the first level then
/// spreads them over all kBuckets buckets, whatever their span.
static Value getLevelShift(KernelBuilder &k, Value origin, Value top) {
  Type i32 = k.b.getI32Type();
  Value span = arith::SubIOp::create(k.b, top, origin);
  Value width = arith::SubIOp::create(
      k.b, k.integer(i32, 32), math::CountLeadingZerosOp::create(k.b, span));
  return arith::MaxSIOp::create(
      k.b, k.integer(i32, 0),
      arith::SubIOp::create(k.b, width, k.integer(i32, 16)));
}

/// For each of `ranks` (i64, 1-based, `1 <= rank <= count`), the rank-th
/// largest of the i32 keys `keys[0, count)` and how many keys are larger,
/// by a two-level histogram of key - `origin` (the keys lie in [origin,
/// top], unsigned): its high bits (getLevelShift), one pass for all ranks,
/// then, among the keys of each rank's bucket, its low bits. `hist` holds
/// kHistogramSize i32 counters; the kBuckets bucket counters are zero on entry
/// and again on return, the super-bucket counters are scratch.
static SmallVector<std::pair<Value, Value>>
emitKthLargestKeys(KernelBuilder &k, Value keys, Value count,
                   ArrayRef<Value> ranks, Value hist, Value origin, Value top,
                   VectorType i32s) {
  Type i32 = k.b.getI32Type();
  Value shift = getLevelShift(k, origin, top);
  auto bump = [&](Value bucket) {
    k.store(k.add(k.load(hist, bucket), k.integer(i32, 1)), hist, bucket);
  };
  // Zeroes the counters a pass over the keys may have bumped: those of
  // the keys' buckets when the keys are few, else all of them.
  auto clear = [&](function_ref<Value(Value)> bucketOf) {
    Value few = k.cmp(arith::CmpIPredicate::ult, count, k.index(kBuckets / 8));
    k.ifThen(few, [&] {
      k.forEach(k.index(0), count, [&](Value i) {
        k.store(k.integer(i32, 0), hist, bucketOf(k.load(keys, i)));
      });
    });
    k.ifThen(arith::XOrIOp::create(k.b, few, k.boolean(true)), [&] {
      k.forEach(k.index(0), k.index(kBuckets),
                [&](Value b) { k.store(k.integer(i32, 0), hist, b); });
    });
  };
  Value lowMask = arith::SubIOp::create(
      k.b, arith::ShLIOp::create(k.b, k.integer(i32, 1), shift),
      k.integer(i32, 1));
  auto relative = [&](Value key) {
    return arith::SubIOp::create(k.b, key, origin);
  };
  auto high = [&](Value key) {
    return k.toIndex(arith::ShRUIOp::create(k.b, relative(key), shift));
  };
  auto lowBits = [&](Value key) {
    return k.toIndex(k.andI(relative(key), lowMask));
  };
  k.forEach(k.index(0), count, [&](Value i) { bump(high(k.load(keys, i))); });
  sumSuperBuckets(k, hist, i32s);
  SmallVector<std::pair<Value, Value>> topBuckets;
  for (Value rank : ranks)
    topBuckets.push_back(findBucket(k, hist, rank));
  clear(high);
  SmallVector<std::pair<Value, Value>> found;
  for (auto [rank, topBucket] : llvm::zip_equal(ranks, topBuckets)) {
    auto [top, aboveTop] = topBucket;
    k.forEach(k.index(0), count, [&](Value i) {
      Value key = k.load(keys, i);
      k.ifThen(k.cmp(arith::CmpIPredicate::eq, high(key), top),
               [&] { bump(lowBits(key)); });
    });
    sumSuperBuckets(k, hist, i32s);
    auto [low, aboveLow] = findBucket(k, hist, k.sub(rank, aboveTop));
    clear(lowBits);
    Value key = k.add(
        origin, k.orI(arith::ShLIOp::create(k.b, k.indexCast(i32, top), shift),
                      k.indexCast(i32, low)));
    found.push_back({key, k.add(aboveTop, aboveLow)});
  }
  return found;
}

struct MinKRetainVectorLowering : public OpConversionPattern<MinKRetainOp> {
  MinKRetainVectorLowering(const TypeConverter &converter, MLIRContext *context,
                           unsigned vectorBits, bool x86Compress)
      : OpConversionPattern(converter, context, /*benefit=*/2),
        vectorBits(vectorBits), x86Compress(x86Compress) {}

  /// Scratch buffers of the one-pass bitmask retain, one slot per element
  /// of the set (a chunk uses the slots of its own elements).
  struct OnePassScratch {
    Value values;           ///< f32: the values above lo
    Value candidateIndices; ///< i32: where the candidates are in the chunk
  };

  /// What the kernel of one op works with.
  struct Context {
    Value x;          ///< the input, flat
    Value length;     ///< elements per set
    Value keep;       ///< K per set
    Value sampleSize; ///< keys sampled per set
    Value sample;     ///< i32 x sampleSize
    Value candidates; ///< i32 x length: candidate keys, per chunk then packed
    Value hist;       ///< the histogram of emitKthLargestKeys
    Value numChunks;  ///< chunks per set
    /// Per chunk (index x numChunks): keys above the bracket, in it (the
    /// candidates), equal to its bottom; where its candidates start in the
    /// packed list; where its kept values go; how many ties at T it keeps.
    Value above, inside, atLo, packedAt, out, ties;
    /// i1: whether a bitmask retain reads x once (null for indices).
    Value onePass;
    OnePassScratch scratch;
    Value values, positions; ///< the result's buffers
    /// Whether the result is a bitmask (only a bitmask retain has onePass).
    bool bitmask() const { return static_cast<bool>(onePass); }
  };

  LogicalResult
  matchAndRewrite(MinKRetainOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RetainedType type = op.getType();
    RankedTensorType inputType = op.getInput().getType();
    bool perRow = op.getGranularity() == Granularity::Row;
    bool bitmask = type.getEncoding() == RetainEncoding::Bitmask;
    int64_t rowLength = inputType.getShape().back();
    if (!inputType.getElementType().isF32() || vectorBits / 32 >= 32 ||
        32 % (vectorBits / 32) != 0)
      return rewriter.notifyMatchFailure(op, "no vector kernel for this type");
    // Rows: the selection's fixed cost (the histograms) pays off only on
    // long rows, and bitmask words must not straddle two rows.
    if (perRow && (ShapedType::isDynamic(rowLength) || rowLength < kMaxSample))
      return rewriter.notifyMatchFailure(op, "rows too short for this kernel");
    if (perRow && bitmask && rowLength % 32 != 0)
      return rewriter.notifyMatchFailure(op, "rows not whole bitmask words");

    KernelBuilder k(rewriter, op.getLoc());
    Lanes v(k, vectorBits / 32);
    v.x86Compress = x86Compress;
    Type i32 = k.b.getI32Type(), indexType = k.b.getIndexType();
    Value input = adaptor.getInput();
    SmallVector<Type> partTypes;
    if (failed(getTypeConverter()->convertType(type, partTypes)))
      return failure();
    RetainSetup setup = setUpRetain(k, op, input, partTypes);

    Context c;
    c.x = k.bufferOf(flatten(k, input));
    c.length = setup.setLength;
    c.keep = clampKeep(k, setup.keepPerSet, c.length);
    c.sampleSize = k.minU(c.length, k.index(kMaxSample));
    c.sample = k.alloc({ShapedType::kDynamic}, i32, {c.sampleSize});
    c.candidates = k.alloc({ShapedType::kDynamic}, i32, {c.length});
    c.hist = k.alloc({kHistogramSize}, i32);
    k.forEach(k.index(0), k.index(kHistogramSize),
              [&](Value b) { k.store(k.integer(i32, 0), c.hist, b); });
    c.numChunks = k.ceilDivU(c.length, kChunk);
    for (Value *perChunk :
         {&c.above, &c.inside, &c.atLo, &c.packedAt, &c.out, &c.ties})
      *perChunk = k.alloc({ShapedType::kDynamic}, indexType, {c.numChunks});
    c.values = setup.values;
    c.positions = setup.positions;
    if (bitmask) {
      // One pass over x when K is at most a fifth of the set (and the set
      // shorter than 2^31: i32 candidate indices); see retainSet.
      c.onePass = k.andI(
          k.cmp(arith::CmpIPredicate::ult, c.length, k.index(int64_t(1) << 31)),
          k.cmp(arith::CmpIPredicate::ule,
                k.mul(setup.keepPerSet, k.index(kOnePassKeepDivisor)),
                c.length));
      Value scratchLength = k.select(c.onePass, c.length, k.index(0));
      c.scratch.values =
          k.alloc({ShapedType::kDynamic}, k.b.getF32Type(), {scratchLength});
      c.scratch.candidateIndices =
          k.alloc({ShapedType::kDynamic}, i32, {scratchLength});
    }
    k.forAccumulate(k.index(0), setup.numSets, {k.index(0)},
                    [&](Value set, ValueRange out) {
                      return SmallVector<Value>{
                          retainSet(k, v, c, k.mul(set, c.length), out[0])};
                    });

    SmallVector<Value> parts = setup.resultParts(k, inputType);
    rewriter.replaceOpWithMultiple(op, {parts});
    return success();
  }

  /// What one pass over a set found about a bracket [lo, hi].
  struct Gathered {
    Value above;  ///< keys above hi
    Value inside; ///< keys in (lo, hi], the candidates
    Value atLo;   ///< keys equal to lo
  };

  /// min_k_retain of the set at x[offset]: stores its kept values from
  /// values[out] on, and their indices or bits; returns the position after
  /// them. The set's streaming passes run over chunks of kChunk elements in
  /// parallel, each chunk writing its own slots of the scratch buffers and
  /// of the bitmask (a chunk is whole words), and from an output position
  /// computed for it beforehand: the result does not depend on the thread
  /// count.
  ///  1. A sample of the set gives a bracket [lo, hi] (sampleBracket).
  ///  2. One pass counts, per chunk, the keys above hi and equal to lo, and
  ///     stores the keys in (lo, hi], the candidates (gatherChunks); if the
  ///     K-th largest key is not in the bracket, a second pass takes every
  ///     key above 0 as a candidate, so the result is exact either way.
  ///  3. The threshold T, the K-th largest key, from the two-level
  ///     histogram of the candidates, and how many ties at T are kept (T is
  ///     the bracket's bottom itself when the candidates are too few: the
  ///     zeros of a ReLU output are counted, never stored or sorted).
  ///  4. Per chunk, how many keys it keeps and where they go
  ///     (assignChunks), then one pass keeps every key above T and the
  ///     first ties in index order: compress-stores of the values (and of
  ///     the indices), or the bits into the bitmask.
  /// A bitmask retain keeping at most a fifth of the set (`onePass`) reads
  /// x once instead: step 2 also stores every value above lo and its bit
  /// (takeAboveBracket), and when T is above lo step 4 becomes a fix-up of
  /// what it stored (dropBelowThreshold). Otherwise the chunk's bitmask
  /// words are cleared and step 4 runs as above.
  static Value retainSet(KernelBuilder &k, Lanes &v, const Context &c,
                         Value offset, Value out) {
    Type i32 = k.b.getI32Type(), i64 = k.b.getI64Type();
    Type index = k.b.getIndexType();
    Value none = k.cmp(arith::CmpIPredicate::eq, c.keep, k.index(0));
    // With K == 0 nothing is stored (the bitmask words stay zero).
    return k.ifThenElse(
        none, {index}, [&] { return SmallVector<Value>{out}; },
        [&] {
          auto [lo, hi] = sampleBracket(k, v, c.x, offset, c.length, c.keep,
                                        c.sampleSize, c.sample, c.hist);
          Gathered gathered = gatherChunks(k, v, c, offset, lo, hi, c.onePass);
          // The K-th largest key must lie in the bracket: fewer than K keys
          // above it, and at least K from its top to its bottom.
          Value missed =
              k.orI(k.cmp(arith::CmpIPredicate::uge, gathered.above, c.keep),
                    k.cmp(arith::CmpIPredicate::ult,
                          k.add(k.add(gathered.above, gathered.inside),
                                gathered.atLo),
                          c.keep));
          SmallVector<Value> bracket = k.ifThenElse(
              missed, {i32, index, index, i32},
              [&] {
                Value nanKey = k.integer(i32, kNaNKey32);
                Gathered all = gatherChunks(k, v, c, offset, k.integer(i32, 0),
                                            nanKey, /*onePass=*/Value());
                return SmallVector<Value>{k.integer(i32, 0), all.above,
                                          all.inside, nanKey};
              },
              [&] {
                return SmallVector<Value>{lo, gathered.above, gathered.inside,
                                          hi};
              });
          // T: among the candidates, or the bottom of the bracket when they
          // are fewer than needed (the rest are ties at it).
          Value bottom = bracket[0], inside = bracket[2];
          Value need = k.sub(c.keep, bracket[1]);
          Value amongCandidates =
              k.cmp(arith::CmpIPredicate::ule, need, inside);
          SmallVector<Value> t = k.ifThenElse(
              amongCandidates, {i32, index},
              [&] {
                // The candidates lie in (bottom, top].
                Value origin = k.add(bottom, k.integer(i32, 1));
                std::pair<Value, Value> kth = emitKthLargestKeys(
                    k, c.candidates, inside, {k.indexCast(i64, need)}, c.hist,
                    origin, bracket[3], v.i32s)[0];
                return SmallVector<Value>{kth.first,
                                          k.sub(need, k.toIndex(kth.second))};
              },
              [&] {
                return SmallVector<Value>{bottom, k.sub(need, inside)};
              });
          Value threshold = t[0];
          Value end =
              assignChunks(k, v, c, threshold, t[1], amongCandidates, out);
          compactChunks(k, v, c, offset, threshold, missed, amongCandidates);
          return SmallVector<Value>{end};
        })[0];
  }

  /// Offset (from the set's start) and length of chunk `chunk`.
  static std::pair<Value, Value> chunkBounds(KernelBuilder &k, const Context &c,
                                             Value chunk) {
    auto [begin, end] = chunkRange(k, chunk, c.length);
    return {begin, k.sub(end, begin)};
  }

  /// The rank-1 view `buffer[at ...]`.
  static Value tail(KernelBuilder &k, Value buffer, Value at) {
    OpFoldResult size = k.sub(k.dim(buffer, 0), at);
    return memref::SubViewOp::create(
        k.b, buffer, ArrayRef<OpFoldResult>{at}, ArrayRef<OpFoldResult>{size},
        ArrayRef<OpFoldResult>{k.b.getIndexAttr(1)});
  }

  /// Step 2 of retainSet with the bracket [lo, hi], the chunks in parallel:
  /// their counts into c.above, c.inside and c.atLo, their candidates in
  /// their own slots of c.candidates; then the candidates packed in chunk
  /// order at the front of c.candidates. With `onePass` (i1, or null:
  /// false) true, the values above lo and their bits are stored too
  /// (takeAboveBracket), and the candidates are taken from those values.
  /// Returns the set's totals.
  static Gathered gatherChunks(KernelBuilder &k, Lanes &v, const Context &c,
                               Value offset, Value lo, Value hi,
                               Value onePass) {
    Type index = k.b.getIndexType();
    k.forEachParallel(k.index(0), c.numChunks, [&](Value chunk) {
      auto [begin, length] = chunkBounds(k, c, chunk);
      Value candidates = tail(k, c.candidates, begin);
      auto fromX = [&] {
        Gathered g = gatherCandidates(k, v, c.x, k.add(offset, begin), length,
                                      lo, hi, candidates);
        return SmallVector<Value>{g.above, g.inside, g.atLo};
      };
      SmallVector<Value> counts =
          !onePass ? fromX()
                   : k.ifThenElse(
                         onePass, {index, index, index},
                         [&] {
                           OnePassScratch scratch = {
                               tail(k, c.scratch.values, begin),
                               tail(k, c.scratch.candidateIndices, begin)};
                           Gathered g = takeAboveBracket(
                               k, v, c.x, k.add(offset, begin), length, lo, hi,
                               scratch, c.positions);
                           // The candidates' keys (in index order): the
                           // stored values' up to hi, all above lo.
                           gatherCandidates(k, v, scratch.values, k.index(0),
                                            k.add(g.above, g.inside),
                                            k.integer(k.b.getI32Type(), 0), hi,
                                            candidates);
                           return SmallVector<Value>{g.above, g.inside, g.atLo};
                         },
                         fromX);
      k.store(counts[0], c.above, chunk);
      k.store(counts[1], c.inside, chunk);
      k.store(counts[2], c.atLo, chunk);
    });
    // Pack the candidates: each chunk's move to the end of the previous
    // ones', never past where they are (a forward copy is safe).
    SmallVector<Value> totals = k.forAccumulate(
        k.index(0), c.numChunks, {k.index(0), k.index(0), k.index(0)},
        [&](Value chunk, ValueRange acc) {
          Value inside = k.load(c.inside, chunk);
          Value begin = chunkBounds(k, c, chunk).first;
          k.ifThen(k.cmp(arith::CmpIPredicate::ne, begin, acc[1]), [&] {
            v.stream(c.candidates, begin, inside, {},
                     [&](Value j, Value keys, Value lanes, ValueRange) {
                       vector::MaskedStoreOp::create(
                           k.b, c.candidates, ValueRange{k.add(acc[1], j)},
                           lanes, keys, IntegerAttr());
                       return SmallVector<Value>{};
                     });
          });
          return SmallVector<Value>{k.add(acc[0], k.load(c.above, chunk)),
                                    k.add(acc[1], inside),
                                    k.add(acc[2], k.load(c.atLo, chunk))};
        });
    return {totals[0], totals[1], totals[2]};
  }

  /// Step 4 of retainSet, first half, one chunk after the other: how many
  /// keys each chunk keeps (above T, and ties at T while `ties` last, the
  /// first in index order), into c.out (where they go, from `out` on) and
  /// c.ties; c.packedAt gets where its candidates start. With
  /// `amongCandidates` T is one of the candidates and a chunk's counts come
  /// from its candidates; else T is the bracket's bottom and they are its
  /// counts from the gathering pass. Returns the position after the set.
  static Value assignChunks(KernelBuilder &k, Lanes &v, const Context &c,
                            Value threshold, Value ties, Value amongCandidates,
                            Value out) {
    Type index = k.b.getIndexType();
    Value tV = vector::BroadcastOp::create(k.b, v.i32s, threshold);
    auto count = [&](Value keys, Value lanes, arith::CmpIPredicate predicate) {
      Value mask =
          k.andI(arith::CmpIOp::create(k.b, predicate, keys, tV), lanes);
      return v.popcount(v.toBits(mask));
    };
    return k.forAccumulate(
        k.index(0), c.numChunks, {out, ties, k.index(0)},
        [&](Value chunk, ValueRange acc) {
          Value at = acc[0], tiesLeft = acc[1], packed = acc[2];
          Value above = k.load(c.above, chunk);
          Value inside = k.load(c.inside, chunk);
          SmallVector<Value> kept = k.ifThenElse(
              amongCandidates, {index, index},
              [&] {
                SmallVector<Value> counts = v.stream(
                    c.candidates, packed, inside, {above, k.index(0)},
                    [&](Value, Value keys, Value lanes, ValueRange sums) {
                      return SmallVector<Value>{
                          k.add(sums[0],
                                count(keys, lanes, arith::CmpIPredicate::ugt)),
                          k.add(sums[1],
                                count(keys, lanes, arith::CmpIPredicate::eq))};
                    });
                return counts;
              },
              [&] {
                return SmallVector<Value>{k.add(above, inside),
                                          k.load(c.atLo, chunk)};
              });
          Value chunkTies = k.minU(kept[1], tiesLeft);
          k.store(at, c.out, chunk);
          k.store(chunkTies, c.ties, chunk);
          k.store(packed, c.packedAt, chunk);
          return SmallVector<Value>{k.add(at, k.add(kept[0], chunkTies)),
                                    k.sub(tiesLeft, chunkTies),
                                    k.add(packed, inside)};
        })[0];
  }

  /// Step 4 of retainSet, second half, the chunks in parallel: each stores
  /// what it keeps from c.out[chunk] on. When the one-pass gathering ran
  /// and T is above lo (not `missed`, `amongCandidates`), a fix-up of what
  /// it stored; else a pass over x (after clearing the chunk's bitmask
  /// words if the one-pass gathering set bits in them).
  static void compactChunks(KernelBuilder &k, Lanes &v, const Context &c,
                            Value offset, Value threshold, Value missed,
                            Value amongCandidates) {
    auto fromX = [&] {
      k.forEachParallel(k.index(0), c.numChunks, [&](Value chunk) {
        auto [begin, length] = chunkBounds(k, c, chunk);
        Value first = k.add(offset, begin);
        if (c.onePass) {
          k.ifThen(c.onePass, [&] {
            Value firstWord = k.divU(first, k.index(32));
            k.forEach(
                firstWord, k.add(firstWord, k.ceilDivU(length, int64_t(32))),
                [&](Value word) {
                  k.store(k.integer(k.b.getI32Type(), 0), c.positions, word);
                });
          });
        }
        compact(k, v, c.x, first, length, threshold, k.load(c.ties, chunk),
                k.load(c.out, chunk), c.values, c.positions, c.bitmask());
      });
    };
    if (!c.onePass) {
      fromX();
      return;
    }
    Value fixUp = k.andI(
        k.andI(c.onePass, arith::XOrIOp::create(k.b, missed, k.boolean(true))),
        amongCandidates);
    k.ifThenElse(
        fixUp,
        [&] {
          k.forEachParallel(k.index(0), c.numChunks, [&](Value chunk) {
            Value begin = chunkBounds(k, c, chunk).first;
            Value inside = k.load(c.inside, chunk);
            OnePassScratch scratch = {
                tail(k, c.scratch.values, begin),
                tail(k, c.scratch.candidateIndices, begin)};
            dropBelowThreshold(k, v, k.add(offset, begin), threshold,
                               k.load(c.ties, chunk),
                               k.add(k.load(c.above, chunk), inside), inside,
                               c.candidates, k.load(c.packedAt, chunk), scratch,
                               k.load(c.out, chunk), c.values, c.positions);
          });
        },
        fromX);
  }

  /// K beyond the set breaks the op's contract (only a dynamic shape can
  /// hide it from the verifier): keep the whole set rather than read past
  /// it.
  static Value clampKeep(KernelBuilder &k, Value keep, Value length) {
    return k.minU(keep, length);
  }

  /// A bracket [lo, hi] of keys that holds the K-th largest key of the set
  /// with overwhelming probability (0 < K <= length), from a sample of S
  /// keys: the whole set when it is short, else S / lanes vectors at an
  /// even stride (a vector costs the same memory traffic as one key, and
  /// 65536 strided keys took 9 % of a 2^24 retain); ranks r -+ margin,
  /// where r = ceil(K * S / n) and the margin is S / 128 + 144 (656 at the
  /// full sample: 5 standard deviations of the sample rank of independent
  /// keys, at most sqrt(S) / 2 = 128). Keys correlated within a vector
  /// widen the deviation; a missed bracket costs a pass, never exactness.
  static std::pair<Value, Value>
  sampleBracket(KernelBuilder &k, Lanes &v, Value x, Value offset, Value length,
                Value keep, Value sampleSize, Value sample, Value hist) {
    Type i64 = k.b.getI64Type();
    k.ifThenElse(
        k.cmp(arith::CmpIPredicate::eq, sampleSize, length),
        [&] {
          k.forEach(k.index(0), length, [&](Value i) {
            k.store(magnitudeKeys(k, k.load(x, k.add(offset, i))), sample, i);
          });
        },
        [&] {
          Value chunks = k.divU(sampleSize, k.index(v.n));
          Value stride = k.divU(length, chunks);
          k.forEachParallel(k.index(0), chunks, [&](Value i) {
            Value xs = vector::LoadOp::create(
                k.b, v.f32s, x, ValueRange{k.add(offset, k.mul(i, stride))});
            vector::StoreOp::create(k.b, v.keys(xs), sample,
                                    ValueRange{k.mul(i, k.index(v.n))});
          });
        });
    Value rank = k.divU(
        k.add(k.mul(keep, sampleSize), k.sub(length, k.index(1))), length);
    Value margin = k.add(k.divU(sampleSize, k.index(128)), k.index(144));
    Value rankHi = k.select(k.cmp(arith::CmpIPredicate::ugt, rank, margin),
                            k.sub(rank, margin), k.index(1));
    Value rankLo = k.minU(k.add(rank, margin), sampleSize);
    auto toI64 = [&](Value index) { return k.indexCast(i64, index); };
    // The histograms spread the sample's span [least, most] over their
    // buckets.
    Value allOnes = v.splat(v.i32s, k.b.getI32IntegerAttr(-1));
    SmallVector<Value> span =
        v.stream(sample, k.index(0), sampleSize,
                 {allOnes, v.splat(v.i32s, k.b.getI32IntegerAttr(0))},
                 [&](Value, Value keys, Value inside, ValueRange acc) {
                   return SmallVector<Value>{
                       k.minU(acc[0], arith::SelectOp::create(k.b, inside, keys,
                                                              allOnes)),
                       k.maxU(acc[1], keys)};
                 });
    Value origin =
        vector::ReductionOp::create(k.b, vector::CombiningKind::MINUI, span[0]);
    Value most =
        vector::ReductionOp::create(k.b, vector::CombiningKind::MAXUI, span[1]);
    SmallVector<std::pair<Value, Value>> bounds = emitKthLargestKeys(
        k, sample, sampleSize, {toI64(rankLo), toI64(rankHi)}, hist, origin,
        most, v.i32s);
    return {bounds[0].first, bounds[1].first};
  }

  /// One pass over the set: counts the keys above `hi` and equal to `lo`,
  /// and compress-stores the keys in (lo, hi] into `candidates`.
  static Gathered gatherCandidates(KernelBuilder &k, Lanes &v, Value x,
                                   Value offset, Value length, Value lo,
                                   Value hi, Value candidates) {
    Value loV = vector::BroadcastOp::create(k.b, v.i32s, lo);
    Value hiV = vector::BroadcastOp::create(k.b, v.i32s, hi);
    auto count = [&](Value mask) { return v.popcount(v.toBits(mask)); };
    SmallVector<Value> counts = v.stream(
        x, offset, length, {k.index(0), k.index(0), k.index(0)},
        [&](Value, Value xs, Value inside, ValueRange acc) {
          Value keys = v.keys(xs);
          auto compare = [&](arith::CmpIPredicate predicate, Value bound) {
            return k.andI(arith::CmpIOp::create(k.b, predicate, keys, bound),
                          inside);
          };
          Value gt = compare(arith::CmpIPredicate::ugt, hiV);
          Value in = k.andI(compare(arith::CmpIPredicate::ugt, loV),
                            compare(arith::CmpIPredicate::ule, hiV));
          Value eq = compare(arith::CmpIPredicate::eq, loV);
          compressStore(k, v.x86Compress, candidates, acc[1], in, keys);
          return SmallVector<Value>{k.add(acc[0], count(gt)),
                                    k.add(acc[1], count(in)),
                                    k.add(acc[2], count(eq))};
        });
    return {counts[0], counts[1], counts[2]};
  }

  /// The vector 0, 1, ..., n - 1 of `type` (an integer type).
  static Value laneIota(KernelBuilder &k, Lanes &v, Type type) {
    SmallVector<Attribute> iota;
    for (int64_t l = 0; l < v.n; ++l)
      iota.push_back(k.b.getIntegerAttr(type, l));
    auto vectorType = VectorType::get({v.n}, type);
    return arith::ConstantOp::create(k.b, vectorType,
                                     DenseElementsAttr::get(vectorType, iota));
  }

  /// ORs the lane bits `take` of the vector at flat element `flat` into the
  /// bitmask. The set starts on a word (tensor granularity, or rows of
  /// whole words), and the lane count divides 32.
  static void orIntoBitmask(KernelBuilder &k, Value positions, Value flat,
                            Value take) {
    Type wordType = cast<MemRefType>(positions.getType()).getElementType();
    Value word = k.divU(flat, k.index(32));
    Value shift = k.indexCast(wordType, k.remU(flat, k.index(32)));
    Value wide = arith::ExtUIOp::create(k.b, wordType, take);
    Value bits = arith::ShLIOp::create(k.b, wide, shift);
    k.store(k.orI(k.load(positions, word), bits), positions, word);
  }

  /// The one-pass gathering of retainSet over x[offset, offset + length)
  /// (a chunk, starting on a bitmask word): the values above lo into the
  /// scratch and their bits into the bitmask, and the indices (from
  /// `offset`) of the candidates, the keys in (lo, hi]; counts as
  /// gatherCandidates does.
  static Gathered takeAboveBracket(KernelBuilder &k, Lanes &v, Value x,
                                   Value offset, Value length, Value lo,
                                   Value hi, const OnePassScratch &scratch,
                                   Value positions) {
    Type i32 = k.b.getI32Type();
    Value loV = vector::BroadcastOp::create(k.b, v.i32s, lo);
    Value hiV = vector::BroadcastOp::create(k.b, v.i32s, hi);
    Value lanesIota = laneIota(k, v, i32);
    SmallVector<Value> counts = v.stream(
        x, offset, length, {k.index(0), k.index(0), k.index(0)},
        [&](Value j, Value xs, Value inside, ValueRange acc) {
          Value at = acc[0], stored = acc[1];
          Value keys = v.keys(xs);
          auto compare = [&](arith::CmpIPredicate predicate, Value bound) {
            return k.andI(arith::CmpIOp::create(k.b, predicate, keys, bound),
                          inside);
          };
          Value take = compare(arith::CmpIPredicate::ugt, loV);
          Value in = k.andI(take, compare(arith::CmpIPredicate::ule, hiV));
          Value eq = compare(arith::CmpIPredicate::eq, loV);
          compressStore(k, v.x86Compress, scratch.values, at, take, xs);
          Value takeBits = v.toBits(take);
          orIntoBitmask(k, positions, k.add(offset, j), takeBits);
          Value where = k.add(
              vector::BroadcastOp::create(k.b, v.i32s, k.indexCast(i32, j)),
              lanesIota);
          compressStore(k, v.x86Compress, scratch.candidateIndices, stored, in,
                        where);
          return SmallVector<Value>{k.add(at, v.popcount(takeBits)),
                                    k.add(stored, v.popcount(v.toBits(in))),
                                    k.add(acc[2], v.popcount(v.toBits(eq)))};
        });
    return {k.sub(counts[0], counts[1]), counts[1], counts[2]};
  }

  /// The fix-up of the one-pass gathering of the chunk at x[offset] (T
  /// above lo): clears the bits of its candidates below T (and of the ties
  /// at T after the first `ties`), then compacts the scratch values that
  /// stay into values[out ...]. Its `inside` candidate keys are at
  /// candidates[candidatesAt ...], its `taken` values above lo and its
  /// candidates' indices in `scratch`. Every key equal to T is a candidate
  /// (T > lo), and both lists are in index order, so both keep the same
  /// first ties.
  static Value dropBelowThreshold(KernelBuilder &k, Lanes &v, Value offset,
                                  Value threshold, Value ties, Value taken,
                                  Value inside, Value candidates,
                                  Value candidatesAt,
                                  const OnePassScratch &scratch, Value out,
                                  Value values, Value positions) {
    Type i32 = k.b.getI32Type();
    Value tV = vector::BroadcastOp::create(k.b, v.i32s, threshold);
    Value zeros = v.splat(v.i32s, k.b.getI32IntegerAttr(0));
    // The indices of the dropped candidates, compress-stored over the
    // front of the list (never past what was read).
    Value dropped = v.stream(
        candidates, candidatesAt, inside, {k.index(0), ties},
        [&](Value j, Value keys, Value in, ValueRange acc) {
          SmallVector<Value> kept = keptLanes(k, v, keys, tV, in, acc[1]);
          Value drop = k.andI(
              v.toBits(in),
              arith::XOrIOp::create(k.b, kept[0], k.integer(v.bits, -1)));
          Value where = vector::MaskedLoadOp::create(
              k.b, v.i32s, scratch.candidateIndices, ValueRange{j}, in, zeros);
          compressStore(k, v.x86Compress, scratch.candidateIndices, acc[0],
                        v.fromBits(drop), where);
          return SmallVector<Value>{k.add(acc[0], v.popcount(drop)), kept[1]};
        })[0];
    Value one = k.integer(i32, 1);
    k.forEach(k.index(0), dropped, [&](Value i) {
      // The chunk starts on a word: the bit is the chunk-relative index's.
      Value index = k.load(scratch.candidateIndices, i);
      Value word = k.add(
          k.divU(offset, k.index(32)),
          k.toIndex(arith::ShRUIOp::create(k.b, index, k.integer(i32, 5))));
      Value bit =
          arith::ShLIOp::create(k.b, one, k.andI(index, k.integer(i32, 31)));
      k.store(arith::XOrIOp::create(k.b, k.load(positions, word), bit),
              positions, word);
    });
    return compact(k, v, scratch.values, k.index(0), taken, threshold, ties,
                   out, values, /*positions=*/Value(), /*bitmask=*/false);
  }

  /// Stores the kept elements of the set (keys above `threshold`, then the
  /// first `ties` equal to it) from position `out` on, and their bits or
  /// indices into `positions` unless it is null; returns the position
  /// after them.
  static Value compact(KernelBuilder &k, Lanes &v, Value x, Value offset,
                       Value length, Value threshold, Value ties, Value out,
                       Value values, Value positions, bool bitmask) {
    Type positionType =
        positions ? cast<MemRefType>(positions.getType()).getElementType()
                  : k.b.getI32Type();
    Value tV = vector::BroadcastOp::create(k.b, v.i32s, threshold);
    Value lanesIota = laneIota(k, v, positionType);

    SmallVector<Value> end = v.stream(
        x, offset, length, {out, ties},
        [&](Value j, Value xs, Value inside, ValueRange acc) {
          Value at = acc[0], tiesLeft = acc[1];
          Value flat = k.add(offset, j);
          Value keys = v.keys(xs);
          SmallVector<Value> kept = keptLanes(k, v, keys, tV, inside, tiesLeft);
          Value take = kept[0];
          Value mask = v.fromBits(take);
          compressStore(k, v.x86Compress, values, at, mask, xs);
          if (positions && bitmask) {
            orIntoBitmask(k, positions, flat, take);
          } else if (positions) {
            Value base = vector::BroadcastOp::create(
                k.b, lanesIota.getType(), k.indexCast(positionType, flat));
            compressStore(k, v.x86Compress, positions, at, mask,
                          k.add(base, lanesIota));
          }
          return SmallVector<Value>{k.add(at, v.popcount(take)), kept[1]};
        });
    return end[0];
  }

  /// The lanes of `keys` (inside the set) that a threshold keeps, as lane
  /// bits: those above `thresholds` (T in every lane) and the ties at it
  /// while any are left; and the ties left after them.
  static SmallVector<Value> keptLanes(KernelBuilder &k, Lanes &v, Value keys,
                                      Value thresholds, Value inside,
                                      Value tiesLeft) {
    auto lanes = [&](arith::CmpIPredicate predicate) {
      return v.toBits(k.andI(
          arith::CmpIOp::create(k.b, predicate, keys, thresholds), inside));
    };
    SmallVector<Value> tie =
        takeTies(k, v, lanes(arith::CmpIPredicate::eq), tiesLeft);
    return {k.orI(lanes(arith::CmpIPredicate::ugt), tie[0]), tie[1]};
  }

  /// The ties at T a vector keeps, as lane bits, and the ties left after
  /// it: all of `eq` while enough are left, else its lowest lanes.
  static SmallVector<Value> takeTies(KernelBuilder &k, Lanes &v, Value eq,
                                     Value tiesLeft) {
    Value noBits = k.integer(v.bits, 0);
    Value anyTie =
        k.andI(k.cmp(arith::CmpIPredicate::ne, eq, noBits),
               k.cmp(arith::CmpIPredicate::ugt, tiesLeft, k.index(0)));
    SmallVector<Type, 2> types = {v.bits, k.b.getIndexType()};
    return k.ifThenElse(
        anyTie, types,
        [&] {
          Value count = v.popcount(eq);
          Value all = k.cmp(arith::CmpIPredicate::ule, count, tiesLeft);
          return k.ifThenElse(
              all, types,
              [&] {
                return SmallVector<Value>{eq, k.sub(tiesLeft, count)};
              },
              [&] {
                // The lowest `tiesLeft` set bits of eq.
                SmallVector<Value> lowest = k.forAccumulate(
                    k.index(0), tiesLeft, {eq, noBits},
                    [&](Value, ValueRange acc) {
                      Value bit = k.andI(acc[0], k.sub(noBits, acc[0]));
                      Value rest =
                          k.andI(acc[0], k.sub(acc[0], k.integer(v.bits, 1)));
                      return SmallVector<Value>{rest, k.orI(acc[1], bit)};
                    });
                return SmallVector<Value>{lowest[1], k.index(0)};
              });
        },
        [&] {
          return SmallVector<Value>{noBits, tiesLeft};
        });
  }

  unsigned vectorBits;
  bool x86Compress;
};

/// min_k_restore on f32: zeros with the kept values in place, in parallel
/// over chunks of kChunk elements. With a bitmask, one pass of expanding
/// loads (each vector's bits select how many values it takes) from where
/// the chunk's values start (a popcount pass over the bitmask and a prefix
/// over the chunks first); with indices, a zero fill (loops LLVM turns
/// into memsets) and a scatter.
struct MinKRestoreVectorLowering : public OpConversionPattern<MinKRestoreOp> {
  MinKRestoreVectorLowering(const TypeConverter &converter,
                            MLIRContext *context, unsigned vectorBits)
      : OpConversionPattern(converter, context, /*benefit=*/2),
        vectorBits(vectorBits) {}

  LogicalResult
  matchAndRewrite(MinKRestoreOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RetainedType type = op.getRetained().getType();
    if (!type.getElementType().isF32() || vectorBits / 32 >= 32 ||
        32 % (vectorBits / 32) != 0)
      return rewriter.notifyMatchFailure(op, "no vector kernel for this type");
    KernelBuilder k(rewriter, op.getLoc());
    Lanes v(k, vectorBits / 32);
    RetainedParts parts = unpackRetained(k, type, adaptor.getRetained());
    RankedTensorType resultType = op.getType();
    // Aligned to a vector, so that the whole vectors are written with
    // non-temporal stores (the dense result is not read back soon, and a
    // streaming store skips the read for ownership a plain store pays).
    int64_t vectorBytes = vectorBits / 8;
    Value dense = k.allocShaped(resultType.getShape(), k.b.getF32Type(),
                                parts.shape, vectorBytes);
    Value flat = dense;
    if (resultType.getRank() != 1) {
      ReassociationIndices all;
      for (int64_t d = 0; d < resultType.getRank(); ++d)
        all.push_back(d);
      flat = memref::CollapseShapeOp::create(
          k.b, dense, ArrayRef<ReassociationIndices>{all});
    }
    Value n = parts.numElements;
    Value numChunks = k.ceilDivU(n, kChunk);
    Value zeros = v.splat(v.f32s, k.b.getF32FloatAttr(0.0f));
    if (type.getEncoding() == RetainEncoding::Indices) {
      // Zeros, then the kept values scattered; both in parallel over
      // chunks (the indices of a retained value are distinct).
      k.forEachParallel(k.index(0), numChunks, [&](Value chunk) {
        auto [begin, end] = chunkRange(k, chunk, n);
        k.forEach(begin, end, [&](Value i) {
          k.store(k.floating(k.b.getF32Type(), 0.0), flat, i);
        });
      });
      Value kept = k.dim(parts.values, 0);
      k.forEachParallel(k.index(0), k.ceilDivU(kept, kChunk), [&](Value chunk) {
        auto [begin, end] = chunkRange(k, chunk, kept);
        k.forEach(begin, end, [&](Value j) {
          Value at = k.toIndex(k.load(parts.positions, j));
          k.store(k.load(parts.values, j), flat, at);
        });
      });
    } else {
      Type wordType =
          cast<MemRefType>(parts.positions.getType()).getElementType();
      // The lanes of the vector at j: bits j % 32 .. of word j / 32 (the
      // lane count divides 32, so a vector never straddles two words).
      auto laneBits = [&](Value j) {
        Value word = k.load(parts.positions, k.divU(j, k.index(32)));
        Value shift = k.indexCast(wordType, k.remU(j, k.index(32)));
        return arith::TruncIOp::create(
            k.b, v.bits, arith::ShRUIOp::create(k.b, word, shift));
      };
      auto expand = [&](Value j, Value at, Value inside) {
        Value bits = laneBits(j);
        Value mask = k.andI(v.fromBits(bits), inside);
        Value xs = vector::ExpandLoadOp::create(k.b, v.f32s, parts.values,
                                                ValueRange{at}, mask, zeros,
                                                IntegerAttr());
        return std::make_pair(xs, k.add(at, v.popcount(v.toBits(mask))));
      };
      // Where each chunk's values start: the bits set before it (a chunk
      // is whole words; bits past the last element are zero).
      Value starts =
          k.alloc({ShapedType::kDynamic}, k.b.getIndexType(), {numChunks});
      k.forEachParallel(k.index(0), numChunks, [&](Value chunk) {
        auto [begin, end] = chunkRange(k, chunk, n);
        Value count = k.forAccumulate(
            k.divU(begin, k.index(32)), k.ceilDivU(end, int64_t(32)),
            {k.index(0)}, [&](Value w, ValueRange acc) {
              Value bits =
                  math::CtPopOp::create(k.b, k.load(parts.positions, w));
              return SmallVector<Value>{k.add(acc[0], k.toIndex(bits))};
            })[0];
        k.store(count, starts, chunk);
      });
      k.forAccumulate(k.index(0), numChunks, {k.index(0)},
                      [&](Value chunk, ValueRange acc) {
                        Value count = k.load(starts, chunk);
                        k.store(acc[0], starts, chunk);
                        return SmallVector<Value>{k.add(acc[0], count)};
                      });
      Value all = v.splat(v.masks, k.b.getBoolAttr(true));
      k.forEachParallel(k.index(0), numChunks, [&](Value chunk) {
        auto [begin, end] = chunkRange(k, chunk, n);
        Value whole = k.sub(end, k.remU(k.sub(end, begin), k.index(v.n)));
        Value at = k.forAccumulate(
            k.divU(begin, k.index(v.n)), k.divU(whole, k.index(v.n)),
            {k.load(starts, chunk)}, [&](Value step, ValueRange acc) {
              Value j = k.mul(step, k.index(v.n));
              auto [xs, next] = expand(j, acc[0], all);
              vector::StoreOp::create(k.b, xs, flat, ValueRange{j},
                                      /*nontemporal=*/true,
                                      llvm::Align(vectorBytes));
              return SmallVector<Value>{next};
            })[0];
        k.ifThen(k.cmp(arith::CmpIPredicate::ult, whole, end), [&] {
          Value inside = v.prefixMask(k.sub(end, whole));
          Value xs = expand(whole, at, inside).first;
          vector::MaskedStoreOp::create(k.b, flat, ValueRange{whole}, inside,
                                        xs, IntegerAttr());
        });
      });
    }
    rewriter.replaceOp(op, k.tensorOf(dense));
    return success();
  }

  unsigned vectorBits;
};

/// min_k_weight_grad, linear form, f32: the restored input times dy, as
/// min_k_restore (the kernel above) and a linalg.matmul with a transposed
/// left operand, which sparse-train-to-cpu runs through BLAS. This is never
/// slower than restore + dense GEMM; a product that skips the dropped
/// entries without restoring them is not written yet.
struct MinKWeightGradAsGemm : public OpConversionPattern<MinKWeightGradOp> {
  MinKWeightGradAsGemm(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern(converter, context, /*benefit=*/2) {}

  LogicalResult
  matchAndRewrite(MinKWeightGradOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RetainedType type = op.getRetained().getType();
    RankedTensorType resultType = op.getType();
    if (op.isConvForm() || !type.getElementType().isF32() ||
        !op.getGradOutput().getType().getElementType().isF32() ||
        !resultType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "not the f32 linear form");
    KernelBuilder k(rewriter, op.getLoc());
    auto denseType = RankedTensorType::get(type.getShape(), k.b.getF32Type());
    Value x = MinKRestoreOp::create(k.b, denseType, op.getRetained());
    x = flattenToMatrix(k, x);
    Value dy = flattenToMatrix(k, op.getGradOutput());
    Value in = tensor::DimOp::create(k.b, x, 1);
    Value out = tensor::DimOp::create(k.b, dy, 1);
    SmallVector<Value> dynamicSizes;
    if (resultType.isDynamicDim(0))
      dynamicSizes.push_back(in);
    if (resultType.isDynamicDim(1))
      dynamicSizes.push_back(out);
    Value empty = tensor::EmptyOp::create(k.b, resultType.getShape(),
                                          k.b.getF32Type(), dynamicSizes);
    Value zero = linalg::FillOp::create(
                     k.b, ValueRange{k.floating(k.b.getF32Type(), 0.0)},
                     ValueRange{empty})
                     .getResult(0);
    SmallVector<AffineMap, 3> maps =
        getMatmulMaps(k.b.getContext(), /*transA=*/true, /*transB=*/false);
    auto matmul = linalg::MatmulOp::create(k.b, TypeRange{resultType},
                                           ValueRange{x, dy}, ValueRange{zero});
    matmul.setIndexingMapsAttr(k.b.getAffineMapArrayAttr(maps));
    rewriter.replaceOp(op, matmul.getResult(0));
    return success();
  }
};

/// Largest fraction of kept elements for which min_k_weight_grad runs
/// straight from the retained form; above it, restore + BLAS GEMM is faster
/// (4096 x 1024 by 1024, one thread: 30-34 ms against 68 ms at keep 0.1,
/// even at 0.2; docs/Performance.md).
constexpr double kDirectWeightGradMaxKeep = 0.15;
/// Vectors of output columns per accumulator tile of that kernel.
constexpr int64_t kWeightGradVectors = 8;

/// min_k_weight_grad, linear f32 form, straight from the retained form:
/// dW[c, :] = sum over kept (r, c) of x[r, c] * dy[r, :]. The kept entries
/// are grouped by column (a stable counting sort, so each column's rows
/// stay ascending); each parallel item owns one row of dW and one chunk of
/// its columns and sums its entries' dy rows into registers. dy is packed
/// into contiguous panels of the chunk first (its rows are a power of two
/// apart). No dense restore, no atomics, deterministic.
struct MinKWeightGradDirect : public OpConversionPattern<MinKWeightGradOp> {
  MinKWeightGradDirect(const TypeConverter &converter, MLIRContext *context,
                       unsigned vectorBits)
      : OpConversionPattern(converter, context, /*benefit=*/3),
        lanes(vectorBits / 32) {}

  LogicalResult
  matchAndRewrite(MinKWeightGradOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RetainedType type = op.getRetained().getType();
    RankedTensorType resultType = op.getType();
    auto dyType = op.getGradOutput().getType();
    if (op.isConvForm() || !type.getElementType().isF32() ||
        !dyType.getElementType().isF32() ||
        !resultType.getElementType().isF32() ||
        !type.getDenseType().hasStaticShape() || !type.hasStaticKept() ||
        !resultType.hasStaticShape() || !dyType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "not the static f32 linear form");
    int64_t numElements = type.getNumElements();
    if (numElements == 0 ||
        static_cast<double>(type.getKept()) >
            kDirectWeightGradMaxKeep * static_cast<double>(numElements))
      return rewriter.notifyMatchFailure(op, "too many kept elements");
    KernelBuilder k(rewriter, op.getLoc());
    Type f32 = k.b.getF32Type(), indexType = k.b.getIndexType();
    RetainedParts parts = unpackRetained(k, type, adaptor.getRetained());
    int64_t in = type.getShape().back(), rows = numElements / in;
    int64_t out = dyType.getShape().back(), kept = type.getKept();
    Value inValue = k.index(in);

    // 1. The flat index of every kept element, in storage order.
    Value flat = k.alloc({kept}, indexType);
    if (type.getEncoding() == RetainEncoding::Indices) {
      k.forEach(k.index(0), k.index(kept), [&](Value j) {
        k.store(k.toIndex(k.load(parts.positions, j)), flat, j);
      });
    } else {
      // Decode the bitmask: the set bits of each 32-bit word, lowest first.
      Type wordType =
          cast<MemRefType>(parts.positions.getType()).getElementType();
      Value numWords = k.dim(parts.positions, 0);
      k.forAccumulate(
          k.index(0), numWords, {k.index(0)},
          [&](Value w, ValueRange count) -> SmallVector<Value> {
            Value word = k.load(parts.positions, w);
            SmallVector<Type> types = {wordType, indexType};
            auto loop =
                scf::WhileOp::create(k.b, types, ValueRange{word, count[0]});
            OpBuilder::InsertionGuard guard(k.b);
            SmallVector<Location> locs(2, k.b.getLoc());
            Block *before = k.b.createBlock(&loop.getBefore(), {}, types, locs);
            scf::ConditionOp::create(k.b,
                                     k.cmp(arith::CmpIPredicate::ne,
                                           before->getArgument(0),
                                           k.integer(wordType, 0)),
                                     before->getArguments());
            Block *after = k.b.createBlock(&loop.getAfter(), {}, types, locs);
            Value rest = after->getArgument(0), at = after->getArgument(1);
            Value bit =
                k.toIndex(math::CountTrailingZerosOp::create(k.b, rest));
            k.store(k.add(k.mul(w, k.index(32)), bit), flat, at);
            scf::YieldOp::create(
                k.b,
                ValueRange{k.andI(rest, k.sub(rest, k.integer(wordType, 1))),
                           k.add(at, k.index(1))});
            k.b.setInsertionPointAfter(loop);
            return {loop.getResult(1)};
          });
    }

    // 2. Group by column: begins[c] .. begins[c + 1] are column c's
    // entries, with their rows and values.
    Value begins = k.alloc({in + 1}, indexType);
    Value next = k.alloc({in}, indexType);
    Value entryRows = k.alloc({kept}, indexType);
    Value entryValues = k.alloc({kept}, f32);
    k.fill(begins, k.index(0));
    k.forEach(k.index(0), k.index(kept), [&](Value j) {
      Value at = k.add(k.remU(k.load(flat, j), inValue), k.index(1));
      k.store(k.add(k.load(begins, at), k.index(1)), begins, at);
    });
    k.forEach(k.index(0), inValue, [&](Value c) {
      Value after = k.add(c, k.index(1));
      k.store(k.add(k.load(begins, after), k.load(begins, c)), begins, after);
      k.store(k.load(begins, c), next, c);
    });
    k.forEach(k.index(0), k.index(kept), [&](Value j) {
      Value p = k.load(flat, j);
      Value c = k.remU(p, inValue);
      Value at = k.load(next, c);
      k.store(k.divU(p, inValue), entryRows, at);
      k.store(k.load(parts.values, j), entryValues, at);
      k.store(k.add(at, k.index(1)), next, c);
    });

    // 3. dy in panels of `chunk` columns, zero past the last.
    int64_t chunk = kWeightGradVectors * lanes;
    int64_t numChunks = (out + chunk - 1) / chunk;
    auto floats = VectorType::get({lanes}, f32);
    auto maskType = VectorType::get({lanes}, k.b.getI1Type());
    Value zeros = arith::ConstantOp::create(
        k.b, floats, DenseElementsAttr::get(floats, 0.0f));
    auto columnMask = [&](Value column) {
      return vector::CreateMaskOp::create(
          k.b, maskType, ValueRange{k.sub(k.index(out), column)});
    };
    Value dy = k.bufferOf(flattenToMatrix(k, op.getGradOutput()));
    Value panels = memref::AllocOp::create(
        k.b, MemRefType::get({numChunks, rows, chunk}, f32), ValueRange{},
        k.b.getI64IntegerAttr(64));
    k.forEachParallel(k.index(0), k.index(rows), [&](Value r) {
      k.forEach(k.index(0), k.index(numChunks), [&](Value ch) {
        for (int64_t v = 0; v < kWeightGradVectors; ++v) {
          Value col = k.add(k.mul(ch, k.index(chunk)), k.index(v * lanes));
          Value row = vector::MaskedLoadOp::create(
              k.b, floats, dy, ValueRange{r, col}, columnMask(col), zeros,
              IntegerAttr());
          vector::StoreOp::create(k.b, row, panels,
                                  ValueRange{ch, r, k.index(v * lanes)});
        }
      });
    });

    // 4. One item per (chunk, row of dW), chunk-major: a thread's panel
    // stays in L2 while it sweeps the rows of dW.
    Value dw = k.alloc(resultType.getShape(), f32);
    k.forEachParallel(k.index(0), k.index(numChunks * in), [&](Value item) {
      Value ch = k.divU(item, inValue), c = k.remU(item, inValue);
      Value first = k.load(begins, c);
      Value last = k.load(begins, k.add(c, k.index(1)));
      SmallVector<Value> acc = k.forAccumulate(
          first, last, SmallVector<Value>(kWeightGradVectors, zeros),
          [&](Value e, ValueRange sums) {
            Value x = vector::BroadcastOp::create(k.b, floats,
                                                  k.load(entryValues, e));
            Value r = k.load(entryRows, e);
            SmallVector<Value> next;
            for (int64_t v = 0; v < kWeightGradVectors; ++v)
              next.push_back(vector::FMAOp::create(
                  k.b, x,
                  vector::LoadOp::create(k.b, floats, panels,
                                         ValueRange{ch, r, k.index(v * lanes)}),
                  sums[v]));
            return next;
          });
      for (int64_t v = 0; v < kWeightGradVectors; ++v) {
        Value col = k.add(k.mul(ch, k.index(chunk)), k.index(v * lanes));
        vector::MaskedStoreOp::create(k.b, dw, ValueRange{c, col},
                                      columnMask(col), acc[v], IntegerAttr());
      }
    });
    rewriter.replaceOp(op, k.tensorOf(dw));
    return success();
  }

  int64_t lanes;
};

} // namespace

void mlir::sparse_train::populateMinKToCPUPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns,
    const CPULoweringOptions &options) {
  patterns.add<MinKRetainVectorLowering>(converter, patterns.getContext(),
                                         options.vectorBits,
                                         options.x86Compress);
  patterns.add<MinKRestoreVectorLowering>(converter, patterns.getContext(),
                                          options.vectorBits);
  patterns.add<MinKWeightGradAsGemm>(converter, patterns.getContext());
  patterns.add<MinKWeightGradDirect>(converter, patterns.getContext(),
                                     options.vectorBits);
}
