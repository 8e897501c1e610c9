//===- MatmulMaps.h - indexing maps of linalg.matmul's transpose forms ---===//
//
// The indexing maps of `C[i, j] += op(A)[i, k] · op(B)[k, j]` over the loops
// (i, j, k), where op transposes A (indexed [k, i]) or B (indexed [j, k]).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_UTILS_MATMULMAPS_H
#define SPARSETRAIN_UTILS_MATMULMAPS_H

#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <utility>

namespace mlir {
namespace sparse_train {

/// The maps of A, B and C for the transpose form (transA, transB).
inline SmallVector<AffineMap, 3> getMatmulMaps(MLIRContext *ctx, bool transA,
                                               bool transB) {
  AffineExpr i, j, k;
  bindDims(ctx, i, j, k);
  auto map = [&](AffineExpr row, AffineExpr col) {
    return AffineMap::get(3, 0, {row, col}, ctx);
  };
  return {transA ? map(k, i) : map(i, k), transB ? map(j, k) : map(k, j),
          map(i, j)};
}

/// The transpose form (transA, transB) whose maps `maps` are, if any.
inline std::optional<std::pair<bool, bool>>
getMatmulTransposes(MLIRContext *ctx, ArrayRef<AffineMap> maps) {
  for (bool transA : {false, true})
    for (bool transB : {false, true})
      if (maps == ArrayRef<AffineMap>(getMatmulMaps(ctx, transA, transB)))
        return std::make_pair(transA, transB);
  return std::nullopt;
}

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_UTILS_MATMULMAPS_H
