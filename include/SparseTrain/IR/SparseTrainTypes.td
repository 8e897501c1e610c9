//===- SparseTrainTypes.td - sparse_train types ------------*- tablegen -*-===//
//
// The retained form of min_k_retain.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_IR_SPARSETRAINTYPES_TD
#define SPARSETRAIN_IR_SPARSETRAINTYPES_TD

include "SparseTrain/IR/SparseTrainAttrs.td"
include "mlir/IR/BuiltinTypeInterfaces.td"

def SparseTrain_RetainedType : SparseTrain_Type<"Retained", "retained"> {
  let summary = "the K largest-magnitude elements of a tensor and their places";
  let description = [{
    The value that `min_k_retain` produces and that `min_k_restore` and
    `min_k_weight_grad` consume: `kept` values of `elementType` in ascending
    flat-index order, plus where they were in a dense tensor of `shape`,
    recorded with `encoding`:

    - `bitmask`: one bit per element of the flattened dense tensor, in 32-bit
      words; element `i` is bit `i % 32` (least significant first) of word
      `i / 32`; padding bits are zero.
    - `indices`: one flat index per kept value, `i32` when the dense tensor
      has at most 2^31 elements, `i64` otherwise (and whenever the shape is
      dynamic).

    `kept` is `?` when it depends on a dynamic dimension. The type carries
    everything needed to restore the dense tensor, and its storage size
    (`getStorageBytes`) is what the memory report counts.

    Example:

    ```mlir
    !sparse_train.retained<128x64xf32, kept = 819, bitmask>
    !sparse_train.retained<?x64xbf16, kept = ?, indices>
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t", "dense shape">:$shape,
    "::mlir::Type":$elementType,
    "int64_t":$kept,
    "::mlir::sparse_train::RetainEncoding":$encoding
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The dense tensor type this retained form stands for.
    ::mlir::RankedTensorType getDenseType() const;
    /// Number of elements of the dense tensor, or ShapedType::kDynamic.
    int64_t getNumElements() const;
    /// True when `kept` is a static count.
    bool hasStaticKept() const {
      return !::mlir::ShapedType::isDynamic(getKept());
    }
    /// Element type of the position buffer: i32 words of the bitmask, or the
    /// i32/i64 flat indices.
    ::mlir::IntegerType getPositionType() const;
    /// Number of entries of the position buffer, or ShapedType::kDynamic.
    int64_t getNumPositions() const;
    /// Bytes stored (values plus positions), or std::nullopt when dynamic.
    std::optional<int64_t> getStorageBytes() const;
  }];
}

#endif // SPARSETRAIN_IR_SPARSETRAINTYPES_TD
