//===- ConvMatchers.h - convolutions in any layout and form ---*- C++ -*-===//
//
// Finds 2-D convolutions and their two gradients in linalg ops, named or
// generic, NHWC or NCHW, through the transposes, zero padding and weight
// flip that frontends put around them (torch-mlir's decomposed
// convolution_backward among them). Shared by sparse-train-apply-zero-skip
// and the convolution form of sparse-train-apply-min-k.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_LIB_TRANSFORMS_CONVMATCHERS_H
#define SPARSETRAIN_LIB_TRANSFORMS_CONVMATCHERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <array>

namespace mlir {
namespace sparse_train {

/// `sum(coefficient * d_dim) + constant`.
struct LinearForm {
  SmallVector<std::pair<unsigned, int64_t>, 2> terms;
  int64_t constant = 0;

  /// The loop dimension this is, if it is a plain one (coefficient 1, no
  /// constant).
  std::optional<unsigned> getPlainDim() const {
    if (constant != 0 || terms.size() != 1 || terms[0].second != 1)
      return std::nullopt;
    return terms[0].first;
  }

  /// The coefficient of `dim` (0 when absent).
  int64_t coefficient(unsigned dim) const {
    for (auto [d, c] : terms)
      if (d == dim)
        return c;
    return 0;
  }
};

/// An operand of the convolution traced back to the value the new op
/// reads, through `linalg.transpose`, zero `tensor.pad` (the image) and
/// torch-mlir's weight flip or StableHLO's `reverse` (the filter). `forms[i]`
/// is the index the convolution reads along dimension i of `source`;
/// `padLow`/`padHigh` the zero padding looked through, per dimension of
/// `source`.
struct TracedOperand {
  Value source;
  SmallVector<LinearForm, 4> forms;
  SmallVector<int64_t, 4> padLow, padHigh;
};

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

/// Matches a convolution or one of its gradients in any layout, once its
/// operands are traced (loop dimension names as in the ops):
///   forward:         y(n,a,b,f)    += x(n, a*s + kh*d, b*s + kw*d, c) *
///   w(kh,kw,c,f) filter gradient: dw(kh,kw,c,f) += x(n, a*s + kh*d, b*s +
///   kw*d, c) * dy(n,a,b,f) data gradient:   dx(n,i,j,c)   += dy(n, i + A -
///   kh*d, j + B - kw*d, f) * w(kh,kw,c,f)
/// The image is the operand with two compound indices; its batch is its
/// first dimension (NCHW and NHWC alike), which tells a filter gradient
/// (batch reduced) from a forward convolution (batch kept). A filter read
/// through torch-mlir's flip (`K-1-kh`) turns its forward-looking
/// convolution into the data gradient of the unflipped filter.
std::optional<ConvMatch> matchConv(linalg::LinalgOp op, std::string &reason);

/// The op's padding `[top, bottom, left, right]`: top/left from the
/// image's offsets, bottom/right from the sizes (`resultType` is the
/// matched op's); none when no padding >= 0 explains them.
std::optional<std::array<int64_t, 4>> getConvPadding(const ConvMatch &match,
                                                     Type resultType);

/// Whether `perm` is the identity.
inline bool isIdentityPermutation(ArrayRef<int64_t> perm) {
  return llvm::equal(perm, llvm::seq<int64_t>(0, perm.size()));
}

/// `v` with its dimensions permuted (dimension i of the result is
/// dimension perm[i] of `v`) by a `linalg.transpose`; `v` itself for the
/// identity. Needs a static shape for other permutations.
Value permute(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> perm);

/// The shape of the ranked tensor type `type` permuted as `permute` would.
SmallVector<int64_t, 4> permuteShape(Type type, ArrayRef<int64_t> perm);

/// The permutation that undoes `perm`.
SmallVector<int64_t, 4> invertPermutation(ArrayRef<int64_t> perm);

/// Erases the producers of `values` that are left without uses, and theirs
/// in turn (the transposes, pads and flips a rewrite no longer reads).
void eraseDeadProducers(ValueRange values);

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_TRANSFORMS_CONVMATCHERS_H
