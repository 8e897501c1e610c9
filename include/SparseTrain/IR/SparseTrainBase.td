//===- SparseTrainBase.td - sparse_train dialect definition -*- tablegen -*-===//
//
// The sparse_train dialect: ephemeral sparsity in neural-network training.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_IR_SPARSETRAINBASE_TD
#define SPARSETRAIN_IR_SPARSETRAINBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def SparseTrain_Dialect : Dialect {
  let name = "sparse_train";
  let cppNamespace = "::mlir::sparse_train";
  let summary = "Ops for sparsity that lives only inside one training step";
  let description = [{
    The `sparse_train` dialect expresses four published techniques for
    *ephemeral* sparsity in training as tensor-level ops with value semantics,
    so that they can sit unchanged inside the linalg-on-tensors programs that
    ML frontends (torch-mlir, JAX/StableHLO, IREE) produce:

    | technique | what it saves | ops |
    |---|---|---|
    | SliceOut (Notin et al., arXiv 2007.10909) | compute and memory: a contiguous slice of units is kept | `slice_start`, `slice_drop`, `slice_expand` |
    | DropIT (Chen et al., ICLR 2023) | memory: the saved copy of a layer input keeps its k largest magnitudes | `min_k_retain`, `min_k_restore`, `min_k_weight_grad` |
    | Structured activation pruning (Barley & Fröning, arXiv 2311.16883) | memory and backward compute: the saved copy is block-pruned and stored as BSR | `block_prune`, `bsr_matmul` |
    | SparseTrain (Gong et al., arXiv 1911.10175) | compute: convolutions skip the zeros ReLU produced | `conv2d_zero_skip`, `conv2d_zero_skip_backward_data`, `conv2d_zero_skip_backward_filter` |

    Block-sparse activations use the upstream `#sparse_tensor.encoding` BSR
    form. The retained form of `min_k_retain` is the dialect type
    `!sparse_train.retained`, which records the dense shape, the number of
    stored values and the encoding of their positions.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::sparse_tensor::SparseTensorDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
}

/// Base class of every sparse_train op.
class SparseTrain_Op<string mnemonic, list<Trait> traits = []>
    : Op<SparseTrain_Dialect, mnemonic, traits>;

/// Base class of every sparse_train type.
class SparseTrain_Type<string name, string typeMnemonic,
                       list<Trait> traits = []>
    : TypeDef<SparseTrain_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

/// Accessors of the optional window attributes `strides`, `dilations` and
/// `padding` with their defaults, shared by the ops that take a convolution
/// window (the zero-skip convolutions, min_k_weight_grad's conv form).
defvar SparseTrain_ConvWindowAccessors = [{
    /// Strides `[sh, sw]`, default `[1, 1]`.
    SmallVector<int64_t, 2> getStridesOrDefault() {
      return getStrides() ? SmallVector<int64_t, 2>(*getStrides())
                          : SmallVector<int64_t, 2>{1, 1};
    }
    /// Dilations `[dh, dw]`, default `[1, 1]`.
    SmallVector<int64_t, 2> getDilationsOrDefault() {
      return getDilations() ? SmallVector<int64_t, 2>(*getDilations())
                            : SmallVector<int64_t, 2>{1, 1};
    }
    /// Padding `[top, bottom, left, right]`, default zeros.
    SmallVector<int64_t, 4> getPaddingOrDefault() {
      return getPadding() ? SmallVector<int64_t, 4>(*getPadding())
                          : SmallVector<int64_t, 4>{0, 0, 0, 0};
    }
}];

#endif // SPARSETRAIN_IR_SPARSETRAINBASE_TD
