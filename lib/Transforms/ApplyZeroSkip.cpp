//===- ApplyZeroSkip.cpp - zero-skipping convolutions behind ReLUs --------===//
//
// sparse-train-apply-zero-skip: a convolution-shaped multiply-accumulate on
// NHWC tensors whose image operand is a ReLU output (or a gradient masked by
// one) becomes conv2d_zero_skip, conv2d_zero_skip_backward_data or
// conv2d_zero_skip_backward_filter. The three computations are told apart by
// their indexing maps alone, so named and generic forms match alike.
//
//===----------------------------------------------------------------------===//

#include "LinalgMatchers.h"
#include "SparseTrain/IR/SparseTrainOps.h"
#include "SparseTrain/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_SPARSETRAINAPPLYZEROSKIPPASS
#include "SparseTrain/Transforms/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

namespace {

/// `sum(coefficient * d_dim) + constant`.
struct LinearForm {
  SmallVector<std::pair<unsigned, int64_t>, 2> terms;
  int64_t constant = 0;

  /// The coefficient of `dim` (0 when absent).
  int64_t coefficient(unsigned dim) const {
    for (auto [d, c] : terms)
      if (d == dim)
        return c;
    return 0;
  }
};

/// `expr` as a linear form over the loop dimensions, if it is one.
static std::optional<LinearForm> getLinearForm(AffineExpr expr) {
  LinearForm form;
  std::function<bool(AffineExpr, int64_t)> add = [&](AffineExpr e,
                                                     int64_t scale) {
    if (auto c = dyn_cast<AffineConstantExpr>(e)) {
      form.constant += scale * c.getValue();
      return true;
    }
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      for (auto &[dim, coefficient] : form.terms)
        if (dim == d.getPosition()) {
          coefficient += scale;
          return true;
        }
      form.terms.push_back({d.getPosition(), scale});
      return true;
    }
    auto bin = dyn_cast<AffineBinaryOpExpr>(e);
    if (!bin)
      return false;
    if (bin.getKind() == AffineExprKind::Add)
      return add(bin.getLHS(), scale) && add(bin.getRHS(), scale);
    if (bin.getKind() == AffineExprKind::Mul) {
      if (auto c = dyn_cast<AffineConstantExpr>(bin.getRHS()))
        return add(bin.getLHS(), scale * c.getValue());
      if (auto c = dyn_cast<AffineConstantExpr>(bin.getLHS()))
        return add(bin.getRHS(), scale * c.getValue());
    }
    return false;
  };
  if (!add(expr, 1))
    return std::nullopt;
  llvm::erase_if(form.terms, [](auto term) { return term.second == 0; });
  return form;
}

/// The loop dimensions of a map whose results are all plain dimensions.
static std::optional<SmallVector<unsigned, 4>> getDims(AffineMap map) {
  SmallVector<unsigned, 4> dims;
  for (AffineExpr e : map.getResults()) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d)
      return std::nullopt;
    dims.push_back(d.getPosition());
  }
  return dims;
}

/// Which gradient of the convolution an op computes.
enum class ConvKind { Forward, BackwardData, BackwardFilter };

/// A convolution found in a linalg op: its kind, which input is the image
/// (scanned) operand, its window, and the constant terms of the image
/// map's spatial indices (`offsets`), from which and the image's own
/// tensor.pad the op's padding follows.
struct ConvMatch {
  ConvKind kind;
  unsigned image;
  int64_t strides[2], dilations[2], offsets[2];
};

/// Matches the indexing maps of a convolution and its two gradients on
/// NHWC images and HWCF filters (loop dimension names as in the ops):
///   forward:         y(n, a, b, f) += x(n, a*s + kh*d, b*s + kw*d, c) · w(kh,
///   kw, c, f) filter gradient: w(kh, kw, c, f) += x(n, a*s + kh*d, b*s + kw*d,
///   c) · y(n, a, b, f) data gradient:   x(n, i, j, c) += y(n, i + A - kh*d, j
///   + B - kw*d, f) · w(kh, kw, c, f)
/// (stride 1; A and B are the forward padding plus the image's own low
/// padding). The image is the operand with the compound indices.
static std::optional<ConvMatch> matchConvMaps(linalg::LinalgOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureTensorSemantics() || !isMultiplyAccumulate(op))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (llvm::any_of(maps, [](AffineMap m) { return m.getNumResults() != 4; }))
    return std::nullopt;
  std::optional<SmallVector<unsigned, 4>> out = getDims(maps[2]);
  if (!out)
    return std::nullopt;
  // Output dimensions are parallel, all others reductions.
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < iterators.size(); ++d)
    if ((iterators[d] == utils::IteratorType::parallel) !=
        llvm::is_contained(*out, d))
      return std::nullopt;
  for (unsigned image = 0; image < 2; ++image) {
    std::optional<SmallVector<unsigned, 4>> other = getDims(maps[1 - image]);
    AffineMap imageMap = maps[image];
    auto n = dyn_cast<AffineDimExpr>(imageMap.getResult(0));
    auto ch = dyn_cast<AffineDimExpr>(imageMap.getResult(3));
    if (!other || !n || !ch)
      continue;
    std::optional<LinearForm> rows = getLinearForm(imageMap.getResult(1));
    std::optional<LinearForm> cols = getLinearForm(imageMap.getResult(2));
    if (!rows || !cols || rows->terms.size() != 2 || cols->terms.size() != 2)
      continue;
    const SmallVector<unsigned, 4> &o = *other;
    ConvMatch match;
    match.image = image;
    // Spatial dims of the window and taps, per kind.
    unsigned spatial[2], taps[2];
    unsigned nDim = n.getPosition(), chDim = ch.getPosition();
    if ((*out)[0] == nDim && o[2] == chDim && (*out)[3] == o[3]) {
      match.kind = ConvKind::Forward;
      spatial[0] = (*out)[1], spatial[1] = (*out)[2];
      taps[0] = o[0], taps[1] = o[1];
    } else if ((*out)[2] == chDim && o[0] == nDim && (*out)[3] == o[3]) {
      match.kind = ConvKind::BackwardFilter;
      spatial[0] = o[1], spatial[1] = o[2];
      taps[0] = (*out)[0], taps[1] = (*out)[1];
    } else if ((*out)[0] == nDim && o[3] == chDim && (*out)[3] == o[2]) {
      match.kind = ConvKind::BackwardData;
      spatial[0] = (*out)[1], spatial[1] = (*out)[2];
      taps[0] = o[0], taps[1] = o[1];
    } else {
      continue;
    }
    // Seven distinct loops: batch, two spatial, two taps, two channels.
    llvm::SmallDenseSet<unsigned, 8> loops = {
        nDim,
        chDim,
        spatial[0],
        spatial[1],
        taps[0],
        taps[1],
        match.kind == ConvKind::BackwardData ? (*out)[3] : o[3]};
    if (loops.size() != 7 || op.getNumLoops() != 7)
      continue;
    bool ok = true;
    for (int i = 0; i < 2; ++i) {
      const LinearForm &form = i == 0 ? *rows : *cols;
      int64_t s = form.coefficient(spatial[i]), d = form.coefficient(taps[i]);
      if (match.kind == ConvKind::BackwardData) {
        // Stride 1: each input pixel reads dy at i + A - kh * d.
        ok &= s == 1 && d < 0;
        match.strides[i] = 1;
        match.dilations[i] = -d;
        match.offsets[i] = form.constant;
      } else {
        ok &= s > 0 && d > 0;
        match.strides[i] = s;
        match.dilations[i] = d;
        match.offsets[i] = form.constant;
      }
    }
    if (ok)
      return match;
  }
  return std::nullopt;
}

/// True when `v` is zero wherever a comparison with zero says so: the
/// yielded value of a ReLU (`max(v, 0)`, `select(v > 0, v, 0)`) or of a
/// ReLU's backward (`select(mask <= 0, 0, g)`), possibly at the end of a
/// fused body.
static bool isZeroedByComparison(Value v) {
  auto zero = [](Value x) { return matchPattern(x, m_AnyZeroFloat()); };
  Operation *def = v.getDefiningOp();
  if (!def)
    return false;
  if (isa<arith::MaximumFOp, arith::MaxNumFOp>(def))
    return zero(def->getOperand(0)) || zero(def->getOperand(1));
  if (auto select = dyn_cast<arith::SelectOp>(def)) {
    auto cmp = select.getCondition().getDefiningOp<arith::CmpFOp>();
    return cmp && (zero(cmp.getLhs()) || zero(cmp.getRhs())) &&
           (zero(select.getTrueValue()) || zero(select.getFalseValue()));
  }
  return false;
}

/// True when `tensor` is a ReLU output or a gradient masked by a ReLU: an
/// element-wise linalg op whose yielded value is zeroed by a comparison
/// with zero, or `arith.maximumf` of tensors with a zero splat.
static bool hasReluZeros(Value tensor) {
  Operation *def = tensor.getDefiningOp();
  if (!def)
    return false;
  if (isa<arith::MaximumFOp, arith::MaxNumFOp>(def))
    return isZeroedByComparison(tensor);
  auto linalgOp = dyn_cast<linalg::LinalgOp>(def);
  if (!linalgOp || linalgOp.getNumReductionLoops() != 0 || !linalgOp.getBlock())
    return false;
  auto result = cast<OpResult>(tensor);
  auto yield = cast<linalg::YieldOp>(linalgOp.getBlock()->getTerminator());
  return isZeroedByComparison(yield.getOperand(result.getResultNumber()));
}

/// The padding `[low, high]` of the spatial dims (1 and 2) of a rank-4
/// tensor.pad with zeros and static amounts, and its source.
struct ImagePadding {
  Value source;
  int64_t low[2] = {0, 0}, high[2] = {0, 0};
};

static FailureOr<ImagePadding> getImagePadding(Value image,
                                               std::string &reason) {
  ImagePadding result;
  result.source = image;
  auto pad = image.getDefiningOp<tensor::PadOp>();
  if (!pad)
    return result;
  Value padding = pad.getConstantPaddingValue();
  if (!padding || !matchPattern(padding, m_AnyZeroFloat())) {
    reason = "the image is padded with a value other than zero";
    return failure();
  }
  ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
  if (ShapedType::isDynamicShape(low) || ShapedType::isDynamicShape(high) ||
      low[0] || high[0] || low[3] || high[3]) {
    reason = "the image padding is dynamic or pads batch or channels";
    return failure();
  }
  result.source = pad.getSource();
  for (int i = 0; i < 2; ++i) {
    result.low[i] = low[1 + i];
    result.high[i] = high[1 + i];
  }
  return result;
}

/// The high padding that gives `out` outputs from `in` inputs with low
/// padding `low`, window `k`, stride and dilation, if one does.
static std::optional<int64_t> getHighPadding(int64_t in, int64_t out, int64_t k,
                                             int64_t low, int64_t stride,
                                             int64_t dilation) {
  if (ShapedType::isDynamic(in) || ShapedType::isDynamic(out) ||
      ShapedType::isDynamic(k) || out < 1)
    return std::nullopt;
  int64_t span = dilation * (k - 1) + 1;
  int64_t high = std::max<int64_t>(0, (out - 1) * stride + span - in - low);
  if ((in + low + high - span) / stride + 1 != out)
    return std::nullopt;
  return high;
}

struct ApplyZeroSkipPass
    : public sparse_train::impl::SparseTrainApplyZeroSkipPassBase<
          ApplyZeroSkipPass> {
  using SparseTrainApplyZeroSkipPassBase::SparseTrainApplyZeroSkipPassBase;

  void runOnOperation() override {
    if (maxDensity != -1.0 && !(maxDensity >= 0.0 && maxDensity <= 1.0)) {
      getOperation()->emitError()
          << "sparse-train-apply-zero-skip: max-density must be in [0, 1], got "
          << maxDensity;
      return signalPassFailure();
    }
    SmallVector<linalg::LinalgOp> candidates;
    getOperation()->walk(
        [&](linalg::LinalgOp op) { candidates.push_back(op); });
    for (linalg::LinalgOp op : candidates)
      if (std::optional<ConvMatch> match = matchConvMaps(op))
        apply(op, *match);
  }

  void apply(linalg::LinalgOp op, const ConvMatch &match) {
    static constexpr const char *kNames[] = {
        "conv2d_zero_skip", "conv2d_zero_skip_backward_data",
        "conv2d_zero_skip_backward_filter"};
    const char *name = kNames[static_cast<int>(match.kind)];
    auto decline = [&](const Twine &reason) {
      op->emitRemark() << "not rewritten to sparse_train." << name << ": "
                       << reason;
    };
    std::string reason;
    Value image = op.getDpsInputs()[match.image];
    Value other = op.getDpsInputs()[1 - match.image];
    Value init = op.getDpsInits()[0];
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Type elementType = resultType.getElementType();
    if (!isa<FloatType>(elementType) ||
        getElementTypeOrSelf(image.getType()) != elementType ||
        getElementTypeOrSelf(other.getType()) != elementType)
      return decline("the operands and the result differ in element type");
    FailureOr<ImagePadding> padded = getImagePadding(image, reason);
    if (failed(padded))
      return decline(reason);
    if (!hasReluZeros(padded->source))
      return decline(match.kind == ConvKind::BackwardData
                         ? "the output gradient is not masked by a ReLU"
                         : "the input is not a ReLU output");
    if (!isZeroTensor(init))
      return decline("the accumulator is not zero-filled");

    // Forward padding per spatial dim: top/left from the image's own pad
    // and the map's offset; bottom/right from the sizes.
    auto sourceType = cast<RankedTensorType>(padded->source.getType());
    auto otherType = cast<RankedTensorType>(other.getType());
    int64_t padding[4];
    for (int i = 0; i < 2; ++i) {
      int64_t low, high;
      if (match.kind == ConvKind::BackwardData) {
        // x(i) reads dy(i + A - kh*d) of the padded dy: dy(i + pt - kh*d)
        // of the unpadded one, so pt = A - low(dy).
        low = match.offsets[i] - padded->low[i];
        int64_t in = resultType.getDimSize(1 + i);
        int64_t out = sourceType.getDimSize(1 + i);
        int64_t k = otherType.getDimSize(i);
        std::optional<int64_t> h =
            low < 0 ? std::nullopt
                    : getHighPadding(in, out, k, low, 1, match.dilations[i]);
        if (!h)
          return decline("the data gradient's window does not match a "
                         "convolution with static sizes and padding >= 0");
        high = *h;
      } else {
        // x(a*s + kh*d + C) of the padded x is x(a*s + kh*d + C - low) of
        // the unpadded one, so the op's top padding is low - C.
        low = padded->low[i] - match.offsets[i];
        int64_t in = sourceType.getDimSize(1 + i);
        int64_t out = match.kind == ConvKind::Forward
                          ? resultType.getDimSize(1 + i)
                          : otherType.getDimSize(1 + i);
        int64_t k = match.kind == ConvKind::Forward ? otherType.getDimSize(i)
                                                    : resultType.getDimSize(i);
        std::optional<int64_t> h =
            low < 0 ? std::nullopt
                    : getHighPadding(in, out, k, low, match.strides[i],
                                     match.dilations[i]);
        if (!h)
          return decline("the window does not match a convolution with "
                         "static sizes and padding >= 0");
        high = *h;
      }
      padding[2 * i] = low;
      padding[2 * i + 1] = high;
    }

    OpBuilder b(op);
    auto strides = b.getDenseI64ArrayAttr(match.strides);
    auto dilations = b.getDenseI64ArrayAttr(match.dilations);
    auto paddingAttr = b.getDenseI64ArrayAttr(padding);
    FloatAttr density =
        maxDensity == -1.0 ? FloatAttr() : b.getF64FloatAttr(maxDensity);
    Location loc = op.getLoc();
    Operation *replacement;
    switch (match.kind) {
    case ConvKind::Forward:
      replacement =
          Conv2DZeroSkipOp::create(b, loc, padded->source, other, strides,
                                   dilations, paddingAttr, density);
      break;
    case ConvKind::BackwardData:
      replacement = Conv2DZeroSkipBackwardDataOp::create(
          b, loc, resultType, padded->source, other, strides, dilations,
          paddingAttr, density);
      break;
    case ConvKind::BackwardFilter:
      replacement = Conv2DZeroSkipBackwardFilterOp::create(
          b, loc, resultType, padded->source, other, strides, dilations,
          paddingAttr, density);
      break;
    }
    if (replacement->getResult(0).getType() != resultType) {
      replacement->erase();
      return decline("the sizes do not match the op's window rules");
    }
    op->emitRemark() << "rewritten to sparse_train." << name
                     << (match.kind == ConvKind::BackwardData
                             ? ": the output gradient is masked by a ReLU"
                             : ": the input is a ReLU output");
    op->getResult(0).replaceAllUsesWith(replacement->getResult(0));
    op->erase();
  }
};

} // namespace
