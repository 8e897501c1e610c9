//===- BlockSparseOps.td - BSR activation ops --------------*- tablegen -*-===//
//
// block_prune and bsr_matmul (structured activation pruning, arXiv
// 2311.16883).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_IR_BLOCKSPARSEOPS_TD
#define SPARSETRAIN_IR_BLOCKSPARSEOPS_TD

def SparseTrain_BlockPruneOp : SparseTrain_Op<"block_prune", [Pure]> {
  let summary = "prunes a matrix by block magnitude into BSR";
  let description = [{
    Splits the `M x K` matrix `input` into `R x C` blocks (`block = [R, C]`),
    scores each block and returns the kept blocks as a tensor with the
    upstream BSR encoding

    ```
    #sparse_tensor.encoding<{map = (i, j) -> (i floordiv R : dense,
        j floordiv C : compressed, i mod R : dense, j mod C : dense)}>
    ```

    (`posWidth`/`crdWidth` of 0, 32 or 64). Column indices are sorted within
    each block row.

    - `score`: `l1` (sum of magnitudes), `l2` (square root of the sum of
      squares) or `max_abs`, accumulated in f32 in an unspecified order.
    - `select = global_top_k` keeps `floor(keep_ratio * nblocks + 0.5)`
      blocks (f64 product); `row_top_k` keeps `keep_per_row` blocks per block
      row, or `floor(keep_ratio * K / C + 0.5)`; `threshold` keeps the blocks
      with `score > threshold` (strict).
    - Ties: the lowest row-major block index wins; NaN scores rank highest
      and are always kept.

    Rules: rank 2 and static shape, `R, C >= 1`, `M % R == 0`, `K % C == 0`,
    the parameter that matches `select` and no other, `0 <= keep_ratio <= 1`,
    `0 <= keep_per_row <= K / C`, a non-NaN threshold, and a result of the
    same shape and element type with exactly the BSR encoding for `[R, C]`.

    Example:

    ```mlir
    #BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense,
        j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
    %p = sparse_train.block_prune %x block = [2, 2] score = l2
           select = global_top_k keep_ratio = 5.000000e-01
           : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
    ```
  }];
  let arguments = (ins SparseTrain_FloatTensor:$input,
                       DenseI64ArrayAttr:$block,
                       SparseTrain_BlockScoreAttr:$score,
                       SparseTrain_BlockSelectAttr:$select,
                       OptionalAttr<F64Attr>:$keep_ratio,
                       OptionalAttr<I64Attr>:$keep_per_row,
                       OptionalAttr<F64Attr>:$threshold);
  let results = (outs SparseTrain_FloatTensor:$result);
  let assemblyFormat = [{
    $input `block` `=` $block `score` `=` `` $score `select` `=` `` $select
    (`keep_ratio` `=` $keep_ratio^)? (`keep_per_row` `=` $keep_per_row^)?
    (`threshold` `=` $threshold^)? attr-dict
    `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def SparseTrain_BsrMatmulOp : SparseTrain_Op<"bsr_matmul", [Pure]> {
  let summary = "matrix product with exactly one BSR operand";
  let description = [{
    `result = op(lhs) · op(rhs)` where `op` transposes its operand when
    `transpose_a` (for `lhs`) or `transpose_b` (for `rhs`) is set. Exactly
    one operand carries the BSR encoding produced by `block_prune`; the other
    is dense. This expresses the forward `Y = X̂ · W` and the weight gradients
    `dW = X̂ᵀ · dY` or `dYᵀ · X̂`. Only stored blocks contribute: a pruned
    block facing Inf/NaN in the dense operand adds nothing.

    Rules: both operands rank 2 with the same element type, contraction
    dimensions equal, a dense rank-2 result of shape `[M, N]` whose element
    type is the operands' (or f32 for f16/bf16 operands).

    Example:

    ```mlir
    %dw = sparse_train.bsr_matmul %xp, %dy transpose_a
        : tensor<8x8xf32, #BSR>, tensor<8x4xf32> -> tensor<8x4xf32>
    ```
  }];
  let arguments = (ins SparseTrain_FloatTensor:$lhs,
                       SparseTrain_FloatTensor:$rhs,
                       UnitAttr:$transpose_a, UnitAttr:$transpose_b);
  let results = (outs SparseTrain_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`transpose_a` $transpose_a^)? (`transpose_b` $transpose_b^)?
    attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// True when the left operand is the BSR one.
    bool isLhsSparse();
  }];
}

#endif // SPARSETRAIN_IR_BLOCKSPARSEOPS_TD
