//===- SparseTrainAttrs.td - sparse_train enum attributes --*- tablegen -*-===//
//
// Enumerations used as op attributes: min-k granularity and encoding,
// block-prune scores and selections.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_IR_SPARSETRAINATTRS_TD
#define SPARSETRAIN_IR_SPARSETRAINATTRS_TD

include "SparseTrain/IR/SparseTrainBase.td"
include "mlir/IR/EnumAttr.td"

def SparseTrain_Granularity : I32EnumAttr<"Granularity",
    "the set over which min_k_retain selects its K elements", [
      I32EnumAttrCase<"Tensor", 0, "tensor">,
      I32EnumAttrCase<"Row", 1, "row">
    ]> {
  let cppNamespace = "::mlir::sparse_train";
  let genSpecializedAttr = 0;
}
def SparseTrain_GranularityAttr
    : EnumAttr<SparseTrain_Dialect, SparseTrain_Granularity, "granularity"> {
  let assemblyFormat = "$value";
}

def SparseTrain_RetainEncoding : I32EnumAttr<"RetainEncoding",
    "how min_k_retain records the positions of the kept values", [
      I32EnumAttrCase<"Indices", 0, "indices">,
      I32EnumAttrCase<"Bitmask", 1, "bitmask">
    ]> {
  let cppNamespace = "::mlir::sparse_train";
  let genSpecializedAttr = 0;
}
def SparseTrain_RetainEncodingAttr
    : EnumAttr<SparseTrain_Dialect, SparseTrain_RetainEncoding, "encoding"> {
  let assemblyFormat = "$value";
}

def SparseTrain_BlockScore : I32EnumAttr<"BlockScore",
    "the magnitude score of a block in block_prune", [
      I32EnumAttrCase<"L1", 0, "l1">,
      I32EnumAttrCase<"L2", 1, "l2">,
      I32EnumAttrCase<"MaxAbs", 2, "max_abs">
    ]> {
  let cppNamespace = "::mlir::sparse_train";
  let genSpecializedAttr = 0;
}
def SparseTrain_BlockScoreAttr
    : EnumAttr<SparseTrain_Dialect, SparseTrain_BlockScore, "score"> {
  let assemblyFormat = "$value";
}

def SparseTrain_BlockSelect : I32EnumAttr<"BlockSelect",
    "the rule by which block_prune chooses the blocks it keeps", [
      I32EnumAttrCase<"GlobalTopK", 0, "global_top_k">,
      I32EnumAttrCase<"RowTopK", 1, "row_top_k">,
      I32EnumAttrCase<"Threshold", 2, "threshold">
    ]> {
  let cppNamespace = "::mlir::sparse_train";
  let genSpecializedAttr = 0;
}
def SparseTrain_BlockSelectAttr
    : EnumAttr<SparseTrain_Dialect, SparseTrain_BlockSelect, "select"> {
  let assemblyFormat = "$value";
}

#endif // SPARSETRAIN_IR_SPARSETRAINATTRS_TD
