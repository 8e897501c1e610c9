//===- ApplyZeroSkip.cpp - zero-skipping convolutions behind ReLUs --------===//
//
// sparse-train-apply-zero-skip: a convolution-shaped multiply-accumulate
// whose image operand is a ReLU output (or a gradient masked by one) becomes
// conv2d_zero_skip, conv2d_zero_skip_backward_data or
// conv2d_zero_skip_backward_filter. The operands are traced through
// transposes, zero padding and torch-mlir's weight flip; the three
// computations are then told apart by their indexing maps, so named and
// generic forms, NHWC and NCHW layouts, and torch-mlir's decomposed
// convolution_backward match alike.
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

/// The loop dimension `form` is, if it is a plain one (coefficient 1, no
/// constant).
static std::optional<unsigned> getPlainDim(const LinearForm &form) {
  if (form.constant != 0 || form.terms.size() != 1 ||
      form.terms[0].second != 1)
    return std::nullopt;
  return form.terms[0].first;
}

/// One index of torch-mlir's weight flip: loop `loop`, or `reflectAbout -
/// loop` when set.
struct FlipIndex {
  unsigned loop;
  std::optional<int64_t> reflectAbout;
};

/// If `v` is torch-mlir's weight flip for conv_transpose -- a generic
/// without inputs whose body yields `tensor.extract %w[...]` at indices
/// that are loop indices or `constant - loop index` -- returns %w and, per
/// dimension of %w, where its index comes from.
static std::optional<std::pair<Value, SmallVector<FlipIndex, 4>>>
matchWeightFlip(Value v) {
  auto generic = v.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInputs() != 0 ||
      generic.getNumDpsInits() != 1 || generic.getNumReductionLoops() != 0 ||
      !generic.getIndexingMapsArray()[0].isIdentity())
    return std::nullopt;
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  auto extract = yield.getOperand(0).getDefiningOp<tensor::ExtractOp>();
  if (!extract ||
      generic.getRegion().isAncestor(extract.getTensor().getParentRegion()))
    return std::nullopt;
  // Each index ranges over its dimension of %w: a reflection is about the
  // last index of the dimension, and the sizes agree.
  SmallVector<int64_t> flippedShape = generic.getStaticLoopRanges();
  ArrayRef<int64_t> weightShape = extract.getTensor().getType().getShape();
  SmallVector<FlipIndex, 4> indices;
  llvm::SmallDenseSet<unsigned, 4> loops;
  for (Value index : extract.getIndices()) {
    FlipIndex flip;
    auto sub = index.getDefiningOp<arith::SubIOp>();
    Value loop = sub ? sub.getRhs() : index;
    auto indexOp = loop.getDefiningOp<linalg::IndexOp>();
    if (!indexOp || indexOp->getParentOp() != generic)
      return std::nullopt;
    flip.loop = indexOp.getDim();
    if (sub) {
      APInt constant;
      if (!matchPattern(sub.getLhs(), m_ConstantInt(&constant)))
        return std::nullopt;
      flip.reflectAbout = constant.getSExtValue();
    }
    int64_t size = flippedShape[flip.loop];
    if (!loops.insert(flip.loop).second || ShapedType::isDynamic(size) ||
        size != weightShape[indices.size()] ||
        (flip.reflectAbout && *flip.reflectAbout != size - 1))
      return std::nullopt;
    indices.push_back(flip);
  }
  return std::make_pair(extract.getTensor(), indices);
}

/// An operand of the convolution traced back to the value the new op
/// reads, through `linalg.transpose`, zero `tensor.pad` (the image) and
/// torch-mlir's weight flip (the filter). `forms[i]` is the index the
/// convolution reads along dimension i of `source`; `padLow`/`padHigh` the
/// zero padding looked through, per dimension of `source`.
struct TracedOperand {
  Value source;
  SmallVector<LinearForm, 4> forms;
  SmallVector<int64_t, 4> padLow, padHigh;
};

static FailureOr<TracedOperand> traceOperand(Value v, AffineMap map,
                                             bool isImage,
                                             std::string &reason) {
  TracedOperand t;
  for (AffineExpr e : map.getResults()) {
    std::optional<LinearForm> form = getLinearForm(e);
    if (!form)
      return failure();
    t.forms.push_back(*form);
  }
  unsigned rank = t.forms.size();
  t.padLow.assign(rank, 0);
  t.padHigh.assign(rank, 0);
  while (true) {
    if (auto transpose = v.getDefiningOp<linalg::TransposeOp>()) {
      // Result dimension i is input dimension perm[i].
      ArrayRef<int64_t> perm = transpose.getPermutation();
      TracedOperand next = t;
      for (unsigned i = 0; i < rank; ++i) {
        next.forms[perm[i]] = t.forms[i];
        next.padLow[perm[i]] = t.padLow[i];
        next.padHigh[perm[i]] = t.padHigh[i];
      }
      t = std::move(next);
      v = transpose.getInput();
      continue;
    }
    if (auto pad = isImage ? v.getDefiningOp<tensor::PadOp>() : nullptr) {
      Value padding = pad.getConstantPaddingValue();
      if (!padding || !matchPattern(padding, m_AnyZeroFloat())) {
        reason = "the image is padded with a value other than zero";
        return failure();
      }
      ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
      if (ShapedType::isDynamicShape(low) || ShapedType::isDynamicShape(high)) {
        reason = "the image padding is dynamic";
        return failure();
      }
      // padded[i] = source[i - low].
      for (unsigned i = 0; i < rank; ++i) {
        t.forms[i].constant -= low[i];
        t.padLow[i] += low[i];
        t.padHigh[i] += high[i];
      }
      v = pad.getSource();
      continue;
    }
    if (auto flip = isImage ? std::nullopt : matchWeightFlip(v)) {
      auto &[weight, indices] = *flip;
      SmallVector<LinearForm, 4> forms;
      for (const FlipIndex &index : indices) {
        LinearForm form = t.forms[index.loop];
        if (index.reflectAbout) {
          for (auto &term : form.terms)
            term.second = -term.second;
          form.constant = *index.reflectAbout - form.constant;
        }
        forms.push_back(form);
      }
      t.forms = std::move(forms);
      v = weight;
      continue;
    }
    break;
  }
  t.source = v;
  return t;
}

/// Which gradient of the convolution an op computes.
enum class ConvKind { Forward, BackwardData, BackwardFilter };

/// A convolution found in a linalg op: its kind, the traced image (scanned)
/// and other operand, the permutations that bring them and the result to
/// the op's layouts (dimension i of the op's operand is dimension perm[i]
/// of the traced value: NHWC images and output gradients, HWCF filters and
/// filter gradients), and the window.
struct ConvMatch {
  ConvKind kind;
  TracedOperand image, other;
  SmallVector<int64_t, 4> imagePerm, otherPerm, resultPerm;
  int64_t strides[2], dilations[2];
  /// The constant of each spatial index of the image: minus the forward
  /// padding (forward, filter gradient) or the padding (data gradient).
  int64_t offsets[2];
};

/// The position of `dim` in `dims`, or -1.
static int64_t positionOf(ArrayRef<unsigned> dims, unsigned dim) {
  auto it = llvm::find(dims, dim);
  return it == dims.end() ? -1 : it - dims.begin();
}

/// Matches a convolution or one of its gradients in any layout, once its
/// operands are traced (loop dimension names as in the ops):
///   forward:         y(n,a,b,f)    += x(n, a*s + kh*d, b*s + kw*d, c) * w(kh,kw,c,f)
///   filter gradient: dw(kh,kw,c,f) += x(n, a*s + kh*d, b*s + kw*d, c) * dy(n,a,b,f)
///   data gradient:   dx(n,i,j,c)   += dy(n, i + A - kh*d, j + B - kw*d, f) * w(kh,kw,c,f)
/// The image is the operand with two compound indices; its batch is its
/// first dimension (NCHW and NHWC alike), which tells a filter gradient
/// (batch reduced) from a forward convolution (batch kept). A filter read
/// through torch-mlir's flip (`K-1-kh`) turns its forward-looking
/// convolution into the data gradient of the unflipped filter.
static std::optional<ConvMatch> matchConv(linalg::LinalgOp op,
                                          std::string &reason) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureTensorSemantics() || !isMultiplyAccumulate(op) ||
      op.getNumLoops() != 7)
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (llvm::any_of(maps, [](AffineMap m) { return m.getNumResults() != 4; }))
    return std::nullopt;
  std::optional<SmallVector<unsigned, 4>> out = getDims(maps[2]);
  if (!out)
    return std::nullopt;
  // The image: the input whose map has compound indices.
  auto isCompound = [](AffineExpr e) { return !isa<AffineDimExpr>(e); };
  unsigned image = llvm::any_of(maps[0].getResults(), isCompound) ? 0 : 1;
  if (!llvm::any_of(maps[image].getResults(), isCompound) ||
      llvm::any_of(maps[1 - image].getResults(), isCompound))
    return std::nullopt;
  ConvMatch match;
  FailureOr<TracedOperand> traced =
      traceOperand(op.getDpsInputs()[image], maps[image], true, reason);
  if (failed(traced))
    return std::nullopt;
  match.image = std::move(*traced);
  traced = traceOperand(op.getDpsInputs()[1 - image], maps[1 - image], false,
                        reason);
  if (failed(traced))
    return std::nullopt;
  match.other = std::move(*traced);
  reason = "the indexing maps are not those of a 2-D convolution or its "
           "gradients";
  SmallVector<LinearForm, 4> &img = match.image.forms;
  // A reflected filter index (`K-1-kh` from the flip) reflects the tap in
  // the image's index too.
  SmallVector<unsigned, 4> other;
  for (LinearForm &form : match.other.forms) {
    if (form.terms.size() == 1 && form.terms[0].second == -1) {
      unsigned tap = form.terms[0].first;
      if (llvm::is_contained(*out, tap))
        return std::nullopt;
      for (LinearForm &f : img)
        for (auto &[dim, coefficient] : f.terms)
          if (dim == tap) {
            f.constant += coefficient * form.constant;
            coefficient = -coefficient;
          }
      form.terms[0].second = 1;
      form.constant = 0;
    }
    std::optional<unsigned> dim = getPlainDim(form);
    if (!dim)
      return std::nullopt;
    other.push_back(*dim);
  }
  for (unsigned i = 0; i < 4; ++i)
    if (img[i].terms.size() != 2 &&
        (match.image.padLow[i] || match.image.padHigh[i])) {
      reason = "the image padding pads its batch or channels";
      return std::nullopt;
    }
  // Image: batch first, two spatial indices of two loops each, a channel.
  std::optional<unsigned> n = getPlainDim(img[0]);
  SmallVector<unsigned, 2> spatialPos;
  std::optional<unsigned> chPos;
  for (unsigned i = 1; i < 4; ++i) {
    if (img[i].terms.size() == 2)
      spatialPos.push_back(i);
    else if (getPlainDim(img[i]) && !chPos)
      chPos = i;
    else
      return std::nullopt;
  }
  if (!n || !chPos || spatialPos.size() != 2)
    return std::nullopt;
  unsigned c = *getPlainDim(img[*chPos]);
  bool batchKept = llvm::is_contained(*out, *n);
  // Per spatial index: the loop the output (forward, data gradient) or the
  // output gradient (filter gradient) runs over, and the filter tap.
  unsigned spatial[2], taps[2];
  int64_t s[2], d[2];
  for (int i = 0; i < 2; ++i) {
    const LinearForm &form = img[spatialPos[i]];
    unsigned p = form.terms[0].first, q = form.terms[1].first;
    ArrayRef<unsigned> spatialSide = batchKept ? ArrayRef<unsigned>(*out)
                                               : ArrayRef<unsigned>(other);
    ArrayRef<unsigned> tapSide = batchKept ? ArrayRef<unsigned>(other)
                                           : ArrayRef<unsigned>(*out);
    if (llvm::is_contained(spatialSide, p) && llvm::is_contained(tapSide, q))
      spatial[i] = p, taps[i] = q;
    else if (llvm::is_contained(spatialSide, q) &&
             llvm::is_contained(tapSide, p))
      spatial[i] = q, taps[i] = p;
    else
      return std::nullopt;
    s[i] = form.coefficient(spatial[i]);
    d[i] = form.coefficient(taps[i]);
    match.offsets[i] = form.constant;
  }
  if (!batchKept && s[0] > 0 && s[1] > 0 && d[0] > 0 && d[1] > 0)
    match.kind = ConvKind::BackwardFilter;
  else if (batchKept && s[0] > 0 && s[1] > 0 && d[0] > 0 && d[1] > 0)
    match.kind = ConvKind::Forward;
  else if (batchKept && s[0] == 1 && s[1] == 1 && d[0] < 0 && d[1] < 0)
    match.kind = ConvKind::BackwardData; // stride 1: dy at i + A - kh * d
  else
    return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    match.strides[i] = s[i];
    match.dilations[i] = std::abs(d[i]);
  }
  // The fourth loop of the output: the other channel.
  std::optional<unsigned> f;
  for (unsigned d : *out)
    if (d != *n && d != c && d != spatial[0] && d != spatial[1] &&
        d != taps[0] && d != taps[1])
      f = d;
  if (!f || !llvm::is_contained(other, *f))
    return std::nullopt;
  llvm::SmallDenseSet<unsigned, 8> loops = {*n,       c,        spatial[0],
                                            spatial[1], taps[0], taps[1], *f};
  if (loops.size() != 7)
    return std::nullopt;
  // Output dimensions are parallel, all others reductions.
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < iterators.size(); ++d)
    if ((iterators[d] == utils::IteratorType::parallel) !=
        llvm::is_contained(*out, d))
      return std::nullopt;
  auto positions = [](ArrayRef<unsigned> dims,
                      std::initializer_list<unsigned> order) {
    SmallVector<int64_t, 4> perm;
    for (unsigned d : order)
      perm.push_back(positionOf(dims, d));
    return perm;
  };
  match.imagePerm = {0, spatialPos[0], spatialPos[1], *chPos};
  switch (match.kind) {
  case ConvKind::Forward:
    match.otherPerm = positions(other, {taps[0], taps[1], c, *f});
    match.resultPerm = positions(*out, {*n, spatial[0], spatial[1], *f});
    break;
  case ConvKind::BackwardData:
    // The image is dy (channel c); the result dx has channel f.
    match.otherPerm = positions(other, {taps[0], taps[1], *f, c});
    match.resultPerm = positions(*out, {*n, spatial[0], spatial[1], *f});
    break;
  case ConvKind::BackwardFilter:
    match.otherPerm = positions(other, {*n, spatial[0], spatial[1], *f});
    match.resultPerm = positions(*out, {taps[0], taps[1], c, *f});
    break;
  }
  if (llvm::is_contained(match.otherPerm, -1) ||
      llvm::is_contained(match.resultPerm, -1))
    return std::nullopt;
  reason.clear();
  return match;
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
    for (linalg::LinalgOp op : candidates) {
      std::string reason;
      if (std::optional<ConvMatch> match = matchConv(op, reason))
        apply(op, *match);
      else if (!reason.empty())
        op->emitRemark() << "not rewritten to a sparse_train zero-skip "
                            "convolution: "
                         << reason;
    }
  }

  /// `v` with its dimensions permuted (dimension i of the result is
  /// dimension perm[i] of `v`); `v` itself for the identity.
  static Value permute(OpBuilder &b, Location loc, Value v,
                       ArrayRef<int64_t> perm) {
    if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
      return v;
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t, 4> shape;
    for (int64_t p : perm)
      shape.push_back(type.getDimSize(p));
    Value init = tensor::EmptyOp::create(b, loc, shape, type.getElementType());
    return linalg::TransposeOp::create(b, loc, v, init, perm)->getResult(0);
  }

  /// The shape of `type` permuted as `permute` would.
  static SmallVector<int64_t, 4> permuteShape(Type type,
                                              ArrayRef<int64_t> perm) {
    SmallVector<int64_t, 4> shape;
    for (int64_t p : perm)
      shape.push_back(cast<RankedTensorType>(type).getDimSize(p));
    return shape;
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
    Value image = match.image.source, other = match.other.source;
    Value init = op.getDpsInits()[0];
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Type elementType = resultType.getElementType();
    if (!isa<FloatType>(elementType) ||
        getElementTypeOrSelf(image.getType()) != elementType ||
        getElementTypeOrSelf(other.getType()) != elementType)
      return decline("the operands and the result differ in element type");
    if (!hasReluZeros(image))
      return decline(match.kind == ConvKind::BackwardData
                         ? "the output gradient is not masked by a ReLU"
                         : "the input is not a ReLU output");
    bool transposed = false;
    for (auto [value, perm] :
         {std::make_pair(image, ArrayRef<int64_t>(match.imagePerm)),
          std::make_pair(other, ArrayRef<int64_t>(match.otherPerm)),
          std::make_pair(Value(op->getResult(0)),
                         ArrayRef<int64_t>(match.resultPerm))}) {
      if (llvm::equal(perm, llvm::seq<int64_t>(0, 4)))
        continue;
      transposed = true;
      if (!cast<RankedTensorType>(value.getType()).hasStaticShape())
        return decline("an operand in another layout than the op's has a "
                       "dynamic shape");
    }

    // Sizes in the op's layouts.
    SmallVector<int64_t, 4> imageShape =
        permuteShape(image.getType(), match.imagePerm);
    SmallVector<int64_t, 4> otherShape =
        permuteShape(other.getType(), match.otherPerm);
    SmallVector<int64_t, 4> resultShape =
        permuteShape(resultType, match.resultPerm);
    // Padding per spatial dim: top/left from the image's offsets,
    // bottom/right from the sizes.
    int64_t padding[4];
    for (int i = 0; i < 2; ++i) {
      int64_t low, in, out, k;
      if (match.kind == ConvKind::BackwardData) {
        // x(i) reads dy(i + A - kh*d): A is the forward padding.
        low = match.offsets[i];
        in = resultShape[1 + i], out = imageShape[1 + i], k = otherShape[i];
      } else {
        // x(a*s + kh*d + C): the forward padding is -C.
        low = -match.offsets[i];
        in = imageShape[1 + i];
        out = match.kind == ConvKind::Forward ? resultShape[1 + i]
                                              : otherShape[1 + i];
        k = match.kind == ConvKind::Forward ? otherShape[i] : resultShape[i];
      }
      std::optional<int64_t> high =
          low < 0 ? std::nullopt
                  : getHighPadding(in, out, k, low, match.strides[i],
                                   match.dilations[i]);
      if (!high)
        return decline("the window does not match a convolution with "
                       "static sizes and padding >= 0");
      padding[2 * i] = low;
      padding[2 * i + 1] = *high;
    }

    OpBuilder b(op);
    Location loc = op.getLoc();
    auto strides = b.getDenseI64ArrayAttr(match.strides);
    auto dilations = b.getDenseI64ArrayAttr(match.dilations);
    auto paddingAttr = b.getDenseI64ArrayAttr(padding);
    FloatAttr density =
        maxDensity == -1.0 ? FloatAttr() : b.getF64FloatAttr(maxDensity);
    auto opResultType = RankedTensorType::get(resultShape, elementType);
    Value x = permute(b, loc, image, match.imagePerm);
    Value y = permute(b, loc, other, match.otherPerm);
    Operation *replacement = nullptr;
    switch (match.kind) {
    case ConvKind::Forward:
      replacement = Conv2DZeroSkipOp::create(b, loc, x, y, strides, dilations,
                                             paddingAttr, density);
      break;
    case ConvKind::BackwardData:
      replacement = Conv2DZeroSkipBackwardDataOp::create(
          b, loc, opResultType, x, y, strides, dilations, paddingAttr,
          density);
      break;
    case ConvKind::BackwardFilter:
      replacement = Conv2DZeroSkipBackwardFilterOp::create(
          b, loc, opResultType, x, y, strides, dilations, paddingAttr,
          density);
      break;
    }
    if (replacement->getResult(0).getType() != opResultType) {
      replacement->erase();
      for (Value v : {x, y})
        if (v.use_empty() && v.getDefiningOp() && v != image && v != other)
          v.getDefiningOp()->erase();
      return decline("the sizes do not match the op's window rules");
    }
    // Back to the result's layout, then the accumulator's values added.
    SmallVector<int64_t, 4> inverse(4);
    for (int i = 0; i < 4; ++i)
      inverse[match.resultPerm[i]] = i;
    Value result = permute(b, loc, replacement->getResult(0), inverse);
    if (!isZeroTensor(init)) {
      Value empty = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                            elementType);
      result = linalg::AddOp::create(b, loc, TypeRange{resultType},
                                     ValueRange{init, result},
                                     ValueRange{empty})
                   ->getResult(0);
    }
    op->emitRemark() << "rewritten to sparse_train." << name
                     << (match.kind == ConvKind::BackwardData
                             ? ": the output gradient is masked by a ReLU"
                             : ": the input is a ReLU output")
                     << (transposed ? "; transposed to and from the op's "
                                      "NHWC/HWCF layouts"
                                    : "");
    op->getResult(0).replaceAllUsesWith(result);
    op->erase();
  }
};

} // namespace
