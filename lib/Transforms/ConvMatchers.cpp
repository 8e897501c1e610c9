//===- ConvMatchers.cpp - convolutions in any layout and form -------------===//

#include "ConvMatchers.h"
#include "LinalgMatchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;
using namespace mlir::sparse_train;

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

/// One index of torch-mlir's weight flip: loop `loop`, or `reflectAbout -
/// loop` when set.
struct FlipIndex {
  unsigned loop;
  std::optional<int64_t> reflectAbout;
};

/// If `v` is StableHLO's `reverse` as stablehlo-legalize-to-linalg writes
/// it -- a generic with one input, read at `d` or `size - 1 - d` in each
/// dimension, whose body yields that input -- returns the input and, per
/// its dimension, where its index comes from.
static std::optional<std::pair<Value, SmallVector<FlipIndex, 4>>>
matchReverse(linalg::GenericOp generic) {
  if (generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() != 0 ||
      !generic.getIndexingMapsArray()[1].isIdentity())
    return std::nullopt;
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  if (yield.getOperand(0) != generic.getBody()->getArgument(0))
    return std::nullopt;
  Value input = generic.getDpsInputs()[0];
  auto inputType = dyn_cast<RankedTensorType>(input.getType());
  if (!inputType || !inputType.hasStaticShape())
    return std::nullopt;
  SmallVector<FlipIndex, 4> indices;
  llvm::SmallDenseSet<unsigned, 4> loops;
  for (auto [dim, expr] :
       llvm::enumerate(generic.getIndexingMapsArray()[0].getResults())) {
    std::optional<LinearForm> form = getLinearForm(expr);
    if (!form || form->terms.size() != 1)
      return std::nullopt;
    auto [loop, coefficient] = form->terms[0];
    FlipIndex flip{loop, std::nullopt};
    int64_t last = inputType.getDimSize(dim) - 1;
    if (coefficient == -1 && form->constant == last)
      flip.reflectAbout = last;
    else if (coefficient != 1 || form->constant != 0)
      return std::nullopt;
    if (!loops.insert(loop).second)
      return std::nullopt;
    indices.push_back(flip);
  }
  return std::make_pair(input, indices);
}

/// If `v` is a weight flip -- torch-mlir's for conv_transpose, a generic
/// without inputs whose body yields `tensor.extract %w[...]` at indices
/// that are loop indices or `constant - loop index`, or StableHLO's
/// `reverse` (matchReverse) -- returns %w and, per dimension of %w, where
/// its index comes from.
static std::optional<std::pair<Value, SmallVector<FlipIndex, 4>>>
matchWeightFlip(Value v) {
  auto generic = v.getDefiningOp<linalg::GenericOp>();
  if (!generic)
    return std::nullopt;
  if (generic.getNumDpsInputs() == 1)
    return matchReverse(generic);
  if (generic.getNumDpsInputs() != 0 || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() != 0 ||
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

static FailureOr<TracedOperand>
traceOperand(Value v, AffineMap map, bool isImage, std::string &reason) {
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

/// The position of `dim` in `dims`, or -1.
static int64_t positionOf(ArrayRef<unsigned> dims, unsigned dim) {
  auto it = llvm::find(dims, dim);
  return it == dims.end() ? -1 : it - dims.begin();
}

std::optional<ConvMatch> mlir::sparse_train::matchConv(linalg::LinalgOp op,
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
    std::optional<unsigned> dim = form.getPlainDim();
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
  std::optional<unsigned> n = img[0].getPlainDim();
  SmallVector<unsigned, 2> spatialPos;
  std::optional<unsigned> chPos;
  for (unsigned i = 1; i < 4; ++i) {
    if (img[i].terms.size() == 2)
      spatialPos.push_back(i);
    else if (img[i].getPlainDim() && !chPos)
      chPos = i;
    else
      return std::nullopt;
  }
  if (!n || !chPos || spatialPos.size() != 2)
    return std::nullopt;
  unsigned c = *img[*chPos].getPlainDim();
  bool batchKept = llvm::is_contained(*out, *n);
  // Per spatial index: the loop the output (forward, data gradient) or the
  // output gradient (filter gradient) runs over, and the filter tap.
  unsigned spatial[2], taps[2];
  int64_t s[2], d[2];
  for (int i = 0; i < 2; ++i) {
    const LinearForm &form = img[spatialPos[i]];
    unsigned p = form.terms[0].first, q = form.terms[1].first;
    ArrayRef<unsigned> spatialSide =
        batchKept ? ArrayRef<unsigned>(*out) : ArrayRef<unsigned>(other);
    ArrayRef<unsigned> tapSide =
        batchKept ? ArrayRef<unsigned>(other) : ArrayRef<unsigned>(*out);
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
  llvm::SmallDenseSet<unsigned, 8> loops = {
      *n, c, spatial[0], spatial[1], taps[0], taps[1], *f};
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

std::optional<std::array<int64_t, 4>>
mlir::sparse_train::getConvPadding(const ConvMatch &match, Type resultType) {
  // Sizes in the op's layouts.
  SmallVector<int64_t, 4> imageShape =
      permuteShape(match.image.source.getType(), match.imagePerm);
  SmallVector<int64_t, 4> otherShape =
      permuteShape(match.other.source.getType(), match.otherPerm);
  SmallVector<int64_t, 4> resultShape =
      permuteShape(resultType, match.resultPerm);
  // Padding per spatial dim: top/left from the image's offsets,
  // bottom/right from the sizes.
  std::array<int64_t, 4> padding;
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
      return std::nullopt;
    padding[2 * i] = low;
    padding[2 * i + 1] = *high;
  }
  return padding;
}

Value mlir::sparse_train::permute(OpBuilder &b, Location loc, Value v,
                                  ArrayRef<int64_t> perm) {
  if (isIdentityPermutation(perm))
    return v;
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t, 4> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  Value init = tensor::EmptyOp::create(b, loc, shape, type.getElementType());
  return linalg::TransposeOp::create(b, loc, v, init, perm)->getResult(0);
}

SmallVector<int64_t, 4>
mlir::sparse_train::permuteShape(Type type, ArrayRef<int64_t> perm) {
  SmallVector<int64_t, 4> shape;
  for (int64_t p : perm)
    shape.push_back(cast<RankedTensorType>(type).getDimSize(p));
  return shape;
}

SmallVector<int64_t, 4>
mlir::sparse_train::invertPermutation(ArrayRef<int64_t> perm) {
  SmallVector<int64_t, 4> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  return inverse;
}

void mlir::sparse_train::eraseDeadProducers(ValueRange values) {
  SmallVector<Operation *> worklist;
  for (Value v : values)
    if (Operation *def = v.getDefiningOp())
      worklist.push_back(def);
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (!isOpTriviallyDead(op))
      continue;
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp())
        worklist.push_back(def);
    op->erase();
  }
}
