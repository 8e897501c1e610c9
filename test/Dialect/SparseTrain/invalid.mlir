// Every diagnostic the sparse_train verifiers, type inference and the
// retained type can emit.
// RUN: sparse-train-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// slice_start
//===----------------------------------------------------------------------===//

func.func @slice_start_width_zero(%seed: i64, %c: i64) -> index {
  // expected-error @+1 {{'sparse_train.slice_start' op expects 1 <= width <= extent, got width 0 and extent 64}}
  %0 = sparse_train.slice_start %seed, %c extent = 64, width = 0
  return %0 : index
}

// -----

func.func @slice_start_width_above_extent(%seed: i64, %c: i64) -> index {
  // expected-error @+1 {{expects 1 <= width <= extent, got width 65 and extent 64}}
  %0 = sparse_train.slice_start %seed, %c extent = 64, width = 65
  return %0 : index
}

// -----

func.func @slice_start_align_zero(%seed: i64, %c: i64) -> index {
  // expected-error @+1 {{'sparse_train.slice_start' op expects align >= 1, got 0}}
  %0 = sparse_train.slice_start %seed, %c extent = 64, width = 8, align = 0
  return %0 : index
}

// -----

func.func @slice_start_seed_not_i64(%seed: i32, %c: i64) -> index {
  // expected-error @+1 {{'sparse_train.slice_start' op operand #0 must be 64-bit signless integer, but got 'i32'}}
  %0 = "sparse_train.slice_start"(%seed, %c) <{extent = 64 : i64, width = 8 : i64}> : (i32, i64) -> index
  return %0 : index
}

// -----

//===----------------------------------------------------------------------===//
// slice_drop
//===----------------------------------------------------------------------===//

func.func @slice_drop_negative_dim(%x: tensor<4x8xf32>, %s: index) {
  // expected-error @+1 {{'sparse_train.slice_drop' op dim -1 is out of range for the input of rank 2}}
  %0 = sparse_train.slice_drop %x, %s dim = -1, width = 2 : tensor<4x8xf32>
  return
}

// -----

func.func @slice_drop_dim_out_of_range(%x: tensor<4x8xf32>, %s: index) {
  // expected-error @+1 {{dim 2 is out of range for the input of rank 2}}
  %0 = sparse_train.slice_drop %x, %s dim = 2, width = 2 : tensor<4x8xf32>
  return
}

// -----

func.func @slice_drop_dynamic_dim(%x: tensor<4x?xf32>, %s: index) {
  // expected-error @+1 {{expects dimension 1 of the input to be static}}
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 2 : tensor<4x?xf32>
  return
}

// -----

func.func @slice_drop_width_zero(%x: tensor<4x8xf32>, %s: index) {
  // expected-error @+1 {{expects 1 <= width <= extent, got width 0 and extent 8}}
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 0 : tensor<4x8xf32>
  return
}

// -----

func.func @slice_drop_width_above_extent(%x: tensor<4x8xf32>, %s: index) {
  // expected-error @+1 {{expects 1 <= width <= extent, got width 9 and extent 8}}
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 9 : tensor<4x8xf32>
  return
}

// -----

func.func @slice_drop_infinite_scale(%x: tensor<4x8xf32>, %s: index) {
  // expected-error @+1 {{'sparse_train.slice_drop' op expects a finite scale > 0, got INF}}
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 4, scale = 0x7FF0000000000000 : tensor<4x8xf32>
  return
}

// -----

func.func @slice_drop_negative_scale(%x: tensor<4x8xf32>, %s: index) {
  // expected-error @+1 {{expects a finite scale > 0, got -2}}
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 4, scale = -2.0 : tensor<4x8xf32>
  return
}

// -----

func.func @slice_drop_negative_constant_start(%x: tensor<4x8xf32>) {
  %s = arith.constant -1 : index
  // expected-error @+1 {{'sparse_train.slice_drop' op constant start -1 is outside [0, 5] for width 3 and extent 8}}
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 3 : tensor<4x8xf32>
  return
}

// -----

func.func @slice_drop_constant_start_past_end(%x: tensor<4x8xf32>) {
  %s = arith.constant 6 : index
  // expected-error @+1 {{constant start 6 is outside [0, 5] for width 3 and extent 8}}
  %0 = sparse_train.slice_drop %x, %s dim = 1, width = 3 : tensor<4x8xf32>
  return
}

// -----

func.func @slice_drop_integer_input(%x: tensor<4x8xi32>, %s: index) {
  // expected-error @+1 {{'sparse_train.slice_drop' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4x8xi32>'}}
  %0 = "sparse_train.slice_drop"(%x, %s) <{dim = 1 : i64, width = 4 : i64}> : (tensor<4x8xi32>, index) -> tensor<4x4xi32>
  return
}

// -----

func.func @slice_drop_wrong_result_type(%x: tensor<4x8xf32>, %s: index) {
  // expected-error @+2 {{'sparse_train.slice_drop' op inferred type(s) 'tensor<4x4xf32>' are incompatible with return type(s) of operation 'tensor<4x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "sparse_train.slice_drop"(%x, %s) <{dim = 1 : i64, width = 4 : i64}> : (tensor<4x8xf32>, index) -> tensor<4x3xf32>
  return
}

// -----

// The generic form reaches the verifier without type inference having run.
func.func @slice_drop_generic_dim_out_of_range(%x: tensor<4x8xf32>, %s: index) {
  // expected-error @+1 {{'sparse_train.slice_drop' op dim 9223372036854775807 is out of range for the input of rank 2}}
  %0 = "sparse_train.slice_drop"(%x, %s) <{dim = 9223372036854775807 : i64, width = 4 : i64}> : (tensor<4x8xf32>, index) -> tensor<4x4xf32>
  return
}

// -----

func.func @slice_drop_generic_width(%x: tensor<4x8xf32>, %s: index) {
  // expected-error @+1 {{'sparse_train.slice_drop' op expects 1 <= width <= extent, got width 9 and extent 8}}
  %0 = "sparse_train.slice_drop"(%x, %s) <{dim = 1 : i64, width = 9 : i64}> : (tensor<4x8xf32>, index) -> tensor<4x9xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// slice_expand
//===----------------------------------------------------------------------===//

func.func @slice_expand_dim_out_of_range(%y: tensor<4x2xf32>, %s: index) {
  // expected-error @+1 {{'sparse_train.slice_expand' op dim 3 is out of range for the input of rank 2}}
  %0 = sparse_train.slice_expand %y, %s dim = 3, extent = 8 : tensor<4x2xf32>
  return
}

// -----

func.func @slice_expand_extent_below_width(%y: tensor<4x2xf32>, %s: index) {
  // expected-error @+1 {{expects 1 <= width <= extent, got width 2 and extent 1}}
  %0 = sparse_train.slice_expand %y, %s dim = 1, extent = 1 : tensor<4x2xf32>
  return
}

// -----

func.func @slice_expand_empty_slice(%y: tensor<4x0xf32>, %s: index) {
  // expected-error @+1 {{expects 1 <= width <= extent, got width 0 and extent 8}}
  %0 = sparse_train.slice_expand %y, %s dim = 1, extent = 8 : tensor<4x0xf32>
  return
}

// -----

func.func @slice_expand_dynamic_dim(%y: tensor<?x2xf32>, %s: index) {
  // expected-error @+1 {{expects dimension 0 of the input to be static}}
  %0 = sparse_train.slice_expand %y, %s dim = 0, extent = 8 : tensor<?x2xf32>
  return
}

// -----

func.func @slice_expand_constant_start(%y: tensor<4x2xf32>) {
  %s = arith.constant 7 : index
  // expected-error @+1 {{'sparse_train.slice_expand' op constant start 7 is outside [0, 6] for width 2 and extent 8}}
  %0 = sparse_train.slice_expand %y, %s dim = 1, extent = 8 : tensor<4x2xf32>
  return
}

// -----

func.func @slice_expand_wrong_result_type(%y: tensor<4x2xf32>, %s: index) {
  // expected-error @+2 {{'sparse_train.slice_expand' op inferred type(s) 'tensor<4x8xf32>' are incompatible with return type(s) of operation 'tensor<4x8xf16>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "sparse_train.slice_expand"(%y, %s) <{dim = 1 : i64, extent = 8 : i64}> : (tensor<4x2xf32>, index) -> tensor<4x8xf16>
  return
}

// -----

func.func @slice_expand_generic_negative_dim(%y: tensor<4x2xf32>, %s: index) {
  // expected-error @+1 {{'sparse_train.slice_expand' op dim -1 is out of range for the input of rank 2}}
  %0 = "sparse_train.slice_expand"(%y, %s) <{dim = -1 : i64, extent = 8 : i64}> : (tensor<4x2xf32>, index) -> tensor<4x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// min_k_retain
//===----------------------------------------------------------------------===//

func.func @min_k_retain_ratio_and_count(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'sparse_train.min_k_retain' op expects exactly one of 'keep_ratio' and 'keep'}}
  %0 = sparse_train.min_k_retain %x keep_ratio = 0.5 keep = 3 : tensor<4x8xf32>
  return
}

// -----

func.func @min_k_retain_no_count(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{expects exactly one of 'keep_ratio' and 'keep'}}
  %0 = sparse_train.min_k_retain %x : tensor<4x8xf32>
  return
}

// -----

func.func @min_k_retain_ratio_above_one(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{expects keep_ratio in [0, 1], got 1.5}}
  %0 = sparse_train.min_k_retain %x keep_ratio = 1.5 : tensor<4x8xf32>
  return
}

// -----

func.func @min_k_retain_negative_ratio(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{expects keep_ratio in [0, 1], got -1.000000e-01}}
  %0 = sparse_train.min_k_retain %x keep_ratio = -0.1 : tensor<4x8xf32>
  return
}

// -----

func.func @min_k_retain_nan_ratio(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{expects keep_ratio in [0, 1], got nan}}
  %0 = sparse_train.min_k_retain %x keep_ratio = 0x7FF8000000000000 : tensor<4x8xf32>
  return
}

// -----

func.func @min_k_retain_negative_count(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{expects keep >= 0, got -1}}
  %0 = sparse_train.min_k_retain %x keep = -1 : tensor<4x8xf32>
  return
}

// -----

func.func @min_k_retain_count_above_numel(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{keep 33 exceeds the 32 elements of each tensor}}
  %0 = sparse_train.min_k_retain %x keep = 33 : tensor<4x8xf32>
  return
}

// -----

func.func @min_k_retain_count_above_row(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{keep 9 exceeds the 8 elements of each row}}
  %0 = sparse_train.min_k_retain %x keep = 9 granularity = row : tensor<4x8xf32>
  return
}

// -----

func.func @min_k_retain_rank_zero(%x: tensor<f32>) {
  // expected-error @+1 {{'sparse_train.min_k_retain' op expects an input of rank >= 1}}
  %0 = sparse_train.min_k_retain %x keep = 1 : tensor<f32>
  return
}

// -----

func.func @min_k_retain_integer_input(%x: tensor<4x8xi32>) {
  // expected-error @+1 {{expects an f16, bf16, f32 or f64 input, got 'i32'}}
  %0 = sparse_train.min_k_retain %x keep = 1 : tensor<4x8xi32>
  return
}

// -----

func.func @min_k_retain_too_many_elements(%x: tensor<9223372036854775807x4xf32>) {
  // expected-error @+1 {{has more than 2^63 - 1 elements}}
  %0 = sparse_train.min_k_retain %x keep = 1 : tensor<9223372036854775807x4xf32>
  return
}

// -----

func.func @min_k_retain_wrong_kept(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'sparse_train.min_k_retain' op inferred type(s) '!sparse_train.retained<4x8xf32, kept = 3, bitmask>' are incompatible with return type(s) of operation '!sparse_train.retained<4x8xf32, kept = 4, bitmask>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "sparse_train.min_k_retain"(%x) <{keep = 3 : i64}> : (tensor<4x8xf32>) -> !sparse_train.retained<4x8xf32, kept = 4, bitmask>
  return
}

// -----

func.func @min_k_retain_wrong_encoding(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{inferred type(s) '!sparse_train.retained<4x8xf32, kept = 3, indices>' are incompatible with return type(s) of operation '!sparse_train.retained<4x8xf32, kept = 3, bitmask>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "sparse_train.min_k_retain"(%x) <{keep = 3 : i64, encoding = #sparse_train<encoding indices>}> : (tensor<4x8xf32>) -> !sparse_train.retained<4x8xf32, kept = 3, bitmask>
  return
}

// -----

func.func @min_k_retain_unknown_granularity(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{expected ::mlir::sparse_train::Granularity to be one of: tensor, row}}
  // expected-error @+1 {{failed to parse SparseTrain_GranularityAttr parameter 'value'}}
  %0 = sparse_train.min_k_retain %x keep = 3 granularity = column : tensor<4x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// !sparse_train.retained
//===----------------------------------------------------------------------===//

// expected-error @+1 {{retained count 'kept' must be >= 0, got -1}}
func.func @retained_negative_kept(%r: !sparse_train.retained<4x8xf32, kept = -1, bitmask>)

// -----

// expected-error @+1 {{retained count 'kept' = 33 exceeds the 32 elements of the dense shape}}
func.func @retained_kept_above_numel(%r: !sparse_train.retained<4x8xf32, kept = 33, bitmask>)

// -----

// expected-error @+1 {{retained element type must be f16, bf16, f32 or f64, got 'i8'}}
func.func @retained_integer_elements(%r: !sparse_train.retained<4x8xi8, kept = 3, bitmask>)

// -----

// expected-error @+1 {{expected retained encoding 'bitmask' or 'indices', got 'csr'}}
func.func @retained_unknown_encoding(%r: !sparse_train.retained<4x8xf32, kept = 3, csr>)

// -----

// expected-error @+1 {{expected 'kept'}}
func.func @retained_missing_kept(%r: !sparse_train.retained<4x8xf32, bitmask>)

// -----

//===----------------------------------------------------------------------===//
// min_k_restore
//===----------------------------------------------------------------------===//

func.func @min_k_restore_wrong_result(%r: !sparse_train.retained<4x8xf32, kept = 3, bitmask>) {
  // expected-error @+2 {{'sparse_train.min_k_restore' op inferred type(s) 'tensor<4x8xf32>' are incompatible with return type(s) of operation 'tensor<8x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "sparse_train.min_k_restore"(%r) : (!sparse_train.retained<4x8xf32, kept = 3, bitmask>) -> tensor<8x4xf32>
  return
}

// -----

func.func @min_k_restore_dense_operand(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'sparse_train.min_k_restore' op operand #0 must be the K largest-magnitude elements of a tensor and their places, but got 'tensor<4x8xf32>'}}
  %0 = "sparse_train.min_k_restore"(%x) : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// min_k_weight_grad
//===----------------------------------------------------------------------===//

func.func @min_k_weight_grad_dy_element_type(%r: !sparse_train.retained<4x8xf32, kept = 3, bitmask>, %dy: tensor<4x2xf16>) {
  // expected-error @+1 {{'sparse_train.min_k_weight_grad' op expects grad_output element type 'f16' to match the retained element type 'f32'}}
  %0 = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<4x8xf32, kept = 3, bitmask>, tensor<4x2xf16> -> tensor<8x2xf32>
  return
}

// -----

func.func @min_k_weight_grad_narrow_result(%r: !sparse_train.retained<4x8xf32, kept = 3, bitmask>, %dy: tensor<4x2xf32>) {
  // expected-error @+1 {{expects result element type 'f16' to be 'f32'}}
  %0 = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<4x8xf32, kept = 3, bitmask>, tensor<4x2xf32> -> tensor<8x2xf16>
  return
}

// -----

func.func @min_k_weight_grad_f16_into_f64(%r: !sparse_train.retained<4x8xf16, kept = 3, bitmask>, %dy: tensor<4x2xf16>) {
  // expected-error @+1 {{expects result element type 'f64' to be 'f16' or f32}}
  %0 = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<4x8xf16, kept = 3, bitmask>, tensor<4x2xf16> -> tensor<8x2xf64>
  return
}

// -----

func.func @min_k_weight_grad_linear_with_strides(%r: !sparse_train.retained<4x8xf32, kept = 3, bitmask>, %dy: tensor<4x2xf32>) {
  // expected-error @+1 {{accepts strides, dilations and padding only in the convolution-filter form (rank-4 result)}}
  %0 = sparse_train.min_k_weight_grad %r, %dy strides = [1, 1] : !sparse_train.retained<4x8xf32, kept = 3, bitmask>, tensor<4x2xf32> -> tensor<8x2xf32>
  return
}

// -----

func.func @min_k_weight_grad_linear_rank_one(%r: !sparse_train.retained<8xf32, kept = 3, bitmask>, %dy: tensor<4x2xf32>) {
  // expected-error @+1 {{linear form expects a retained input and a grad_output of rank >= 2}}
  %0 = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<8xf32, kept = 3, bitmask>, tensor<4x2xf32> -> tensor<8x2xf32>
  return
}

// -----

func.func @min_k_weight_grad_linear_rows(%r: !sparse_train.retained<2x3x8xf32, kept = 3, bitmask>, %dy: tensor<5x2xf32>) {
  // expected-error @+1 {{linear form expects as many rows in the retained input (6) as in grad_output (5)}}
  %0 = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<2x3x8xf32, kept = 3, bitmask>, tensor<5x2xf32> -> tensor<8x2xf32>
  return
}

// -----

func.func @min_k_weight_grad_linear_result_shape(%r: !sparse_train.retained<4x8xf32, kept = 3, bitmask>, %dy: tensor<4x2xf32>) {
  // expected-error @+1 {{linear form expects a result of shape [8, 2] (input features x output features), got 'tensor<2x8xf32>'}}
  %0 = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<4x8xf32, kept = 3, bitmask>, tensor<4x2xf32> -> tensor<2x8xf32>
  return
}

// -----

func.func @min_k_weight_grad_rank_three_result(%r: !sparse_train.retained<4x8xf32, kept = 3, bitmask>, %dy: tensor<4x2xf32>) {
  // expected-error @+1 {{expects a rank-2 result (linear form) or a rank-4 HWCF result (convolution-filter form), got rank 3}}
  %0 = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<4x8xf32, kept = 3, bitmask>, tensor<4x2xf32> -> tensor<1x8x2xf32>
  return
}

// -----

func.func @min_k_weight_grad_conv_strides_size(%r: !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, %dy: tensor<1x3x3x4xf32>) {
  // expected-error @+1 {{expects 2 strides [sh, sw], got 3}}
  %0 = sparse_train.min_k_weight_grad %r, %dy strides = [1, 1, 1] : !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, tensor<1x3x3x4xf32> -> tensor<3x3x3x4xf32>
  return
}

// -----

func.func @min_k_weight_grad_conv_dilation_zero(%r: !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, %dy: tensor<1x3x3x4xf32>) {
  // expected-error @+1 {{expects dilations >= 1}}
  %0 = sparse_train.min_k_weight_grad %r, %dy dilations = [0, 1] : !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, tensor<1x3x3x4xf32> -> tensor<3x3x3x4xf32>
  return
}

// -----

func.func @min_k_weight_grad_conv_padding_size(%r: !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, %dy: tensor<1x3x3x4xf32>) {
  // expected-error @+1 {{expects 4 padding values [top, bottom, left, right], got 2}}
  %0 = sparse_train.min_k_weight_grad %r, %dy padding = [1, 1] : !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, tensor<1x3x3x4xf32> -> tensor<3x3x3x4xf32>
  return
}

// -----

func.func @min_k_weight_grad_conv_input_rank(%r: !sparse_train.retained<5x5x3xf32, kept = 3, bitmask>, %dy: tensor<1x3x3x4xf32>) {
  // expected-error @+1 {{expects the retained input to be a rank-4 NHWC tensor, got rank 3}}
  %0 = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<5x5x3xf32, kept = 3, bitmask>, tensor<1x3x3x4xf32> -> tensor<3x3x3x4xf32>
  return
}

// -----

func.func @min_k_weight_grad_conv_dy_rank(%r: !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, %dy: tensor<3x3x4xf32>) {
  // expected-error @+1 {{expects grad_output to be a rank-4 NHWF tensor, got rank 3}}
  %0 = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, tensor<3x3x4xf32> -> tensor<3x3x3x4xf32>
  return
}

// -----

func.func @min_k_weight_grad_conv_batch(%r: !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, %dy: tensor<2x3x3x4xf32>) {
  // expected-error @+1 {{batch size 1 of the retained input does not match batch size 2 of grad_output}}
  %0 = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, tensor<2x3x3x4xf32> -> tensor<3x3x3x4xf32>
  return
}

// -----

func.func @min_k_weight_grad_conv_channels(%r: !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, %dy: tensor<1x3x3x4xf32>) {
  // expected-error @+1 {{channel count 3 of the retained input does not match input channels 2 of the result}}
  %0 = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, tensor<1x3x3x4xf32> -> tensor<3x3x2x4xf32>
  return
}

// -----

func.func @min_k_weight_grad_conv_filters(%r: !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, %dy: tensor<1x3x3x4xf32>) {
  // expected-error @+1 {{output channels 5 of the result do not match channel count 4 of grad_output}}
  %0 = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, tensor<1x3x3x4xf32> -> tensor<3x3x3x5xf32>
  return
}

// -----

func.func @min_k_weight_grad_conv_height(%r: !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, %dy: tensor<1x3x3x4xf32>) {
  // expected-error @+1 {{grad_output height 3 does not match floor((5 + 1 + 1 - 1 * (3 - 1) - 1) / 1) + 1 = 5}}
  %0 = sparse_train.min_k_weight_grad %r, %dy padding = [1, 1, 1, 1] : !sparse_train.retained<1x5x5x3xf32, kept = 3, bitmask>, tensor<1x3x3x4xf32> -> tensor<3x3x3x4xf32>
  return
}

// -----

func.func @min_k_weight_grad_conv_empty_output(%r: !sparse_train.retained<1x2x2x3xf32, kept = 3, bitmask>, %dy: tensor<1x1x1x4xf32>) {
  // expected-error @+1 {{convolution output height would be 0 < 1 (the retained input height 2, padding 0 + 0, filter 3, dilation 1)}}
  %0 = sparse_train.min_k_weight_grad %r, %dy : !sparse_train.retained<1x2x2x3xf32, kept = 3, bitmask>, tensor<1x1x1x4xf32> -> tensor<3x3x3x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// block_prune
//===----------------------------------------------------------------------===//

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_rank_three(%x: tensor<2x8x8xf32>) {
  // expected-error @+1 {{'sparse_train.block_prune' op expects a rank-2 input, got rank 3}}
  %0 = "sparse_train.block_prune"(%x) <{block = array<i64: 2, 2>, score = #sparse_train<score l1>, select = #sparse_train<select global_top_k>, keep_ratio = 0.5 : f64}> : (tensor<2x8x8xf32>) -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_dynamic(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{expects a static input shape, got 'tensor<?x8xf32>'}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<?x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_sparse_input(%x: tensor<8x8xf32, #BSR>) {
  // expected-error @+1 {{expects a dense input, got 'tensor<8x8xf32, #sparse_tensor.encoding}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<8x8xf32, #BSR> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_block_arity(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects block = [R, C] with 2 entries, got 3}}
  %0 = sparse_train.block_prune %x block = [2, 2, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_block_zero(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects block sizes >= 1, got [0, 2]}}
  %0 = sparse_train.block_prune %x block = [0, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 3 : dense, j floordiv 2 : compressed, i mod 3 : dense, j mod 2 : dense)}>
func.func @block_prune_block_not_dividing(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects the block [3, 2] to divide the input shape [8, 8]}}
  %0 = sparse_train.block_prune %x block = [3, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_global_without_ratio(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{select = global_top_k requires 'keep_ratio'}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_global_with_per_row(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{'keep_per_row' is not allowed with select = global_top_k}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5 keep_per_row = 1 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_global_with_threshold(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{'threshold' is not allowed with select = global_top_k}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5 threshold = 1.0 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_row_with_both(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{select = row_top_k requires exactly one of 'keep_per_row' and 'keep_ratio'}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l2 select = row_top_k keep_ratio = 0.5 keep_per_row = 1 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_row_with_neither(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{select = row_top_k requires exactly one of 'keep_per_row' and 'keep_ratio'}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l2 select = row_top_k : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_row_with_threshold(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{'threshold' is not allowed with select = row_top_k}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l2 select = row_top_k keep_per_row = 1 threshold = 0.5 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_threshold_missing(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{select = threshold requires 'threshold'}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = max_abs select = threshold : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_threshold_with_ratio(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{'keep_ratio' is not allowed with select = threshold}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = max_abs select = threshold keep_ratio = 0.5 threshold = 0.5 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_threshold_with_per_row(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{'keep_per_row' is not allowed with select = threshold}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = max_abs select = threshold keep_per_row = 1 threshold = 0.5 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_ratio_range(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{'sparse_train.block_prune' op expects keep_ratio in [0, 1], got 2}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 2.0 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_per_row_range(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects keep_per_row in [0, 4] (blocks per block row), got 5}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = row_top_k keep_per_row = 5 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_nan_threshold(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects a threshold that is not NaN}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = threshold threshold = 0x7FF8000000000000 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_result_shape(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects a result with the input's shape and element type 'tensor<8x8xf32>', got 'tensor<8x4xf32, #sparse_tensor.encoding}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<8x8xf32> -> tensor<8x4xf32, #BSR>
  return
}

// -----

func.func @block_prune_dense_result(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects the result to have the BSR encoding (i, j) -> (i floordiv R : dense, j floordiv C : compressed, i mod R : dense, j mod C : dense)}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<8x8xf32> -> tensor<8x8xf32>
  return
}

// -----

#CSR = #sparse_tensor.encoding<{map = (i, j) -> (i : dense, j : compressed)}>
func.func @block_prune_csr_result(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects the result to have the BSR encoding}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<8x8xf32> -> tensor<8x8xf32, #CSR>
  return
}

// -----

#BSC = #sparse_tensor.encoding<{map = (i, j) -> (j floordiv 2 : dense, i floordiv 2 : compressed, j mod 2 : dense, i mod 2 : dense)}>
func.func @block_prune_bsc_result(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects the result to have the BSR encoding}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<8x8xf32> -> tensor<8x8xf32, #BSC>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 4 : dense, j floordiv 2 : compressed, i mod 4 : dense, j mod 2 : dense)}>
func.func @block_prune_other_block(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects the BSR block of the result to be [2, 2], got [4, 2]}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense), posWidth = 16}>
func.func @block_prune_position_width(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects the position width of the result to be 0, 32 or 64, got 16}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense), crdWidth = 8}>
func.func @block_prune_coordinate_width(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects the coordinate width of the result to be 0, 32 or 64, got 8}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed(nonunique), i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_nonunique_result(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{expects the result to have the BSR encoding}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @block_prune_unknown_score(%x: tensor<8x8xf32>) {
  // expected-error @+2 {{expected ::mlir::sparse_train::BlockScore to be one of: l1, l2, max_abs}}
  // expected-error @+1 {{failed to parse SparseTrain_BlockScoreAttr parameter 'value'}}
  %0 = sparse_train.block_prune %x block = [2, 2] score = linf select = global_top_k keep_ratio = 0.5 : tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

//===----------------------------------------------------------------------===//
// bsr_matmul
//===----------------------------------------------------------------------===//

func.func @bsr_matmul_two_dense(%a: tensor<8x8xf32>, %b: tensor<8x4xf32>) {
  // expected-error @+1 {{'sparse_train.bsr_matmul' op expects exactly one BSR operand, got two dense operands}}
  %0 = sparse_train.bsr_matmul %a, %b : tensor<8x8xf32>, tensor<8x4xf32> -> tensor<8x4xf32>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @bsr_matmul_two_sparse(%a: tensor<8x8xf32, #BSR>, %b: tensor<8x4xf32, #BSR>) {
  // expected-error @+1 {{expects exactly one BSR operand, got two sparse operands}}
  %0 = sparse_train.bsr_matmul %a, %b : tensor<8x8xf32, #BSR>, tensor<8x4xf32, #BSR> -> tensor<8x4xf32>
  return
}

// -----

#CSR = #sparse_tensor.encoding<{map = (i, j) -> (i : dense, j : compressed)}>
func.func @bsr_matmul_csr_operand(%a: tensor<8x8xf32, #CSR>, %b: tensor<8x4xf32>) {
  // expected-error @+1 {{expects the sparse lhs to have the BSR encoding}}
  %0 = sparse_train.bsr_matmul %a, %b : tensor<8x8xf32, #CSR>, tensor<8x4xf32> -> tensor<8x4xf32>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @bsr_matmul_rank_three(%a: tensor<8x8xf32, #BSR>, %b: tensor<2x8x4xf32>) {
  // expected-error @+1 {{expects rank-2 operands and result}}
  %0 = sparse_train.bsr_matmul %a, %b : tensor<8x8xf32, #BSR>, tensor<2x8x4xf32> -> tensor<8x4xf32>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @bsr_matmul_sparse_result(%a: tensor<8x8xf32, #BSR>, %b: tensor<8x8xf32>) {
  // expected-error @+1 {{expects a dense result, got 'tensor<8x8xf32, #sparse_tensor.encoding}}
  %0 = sparse_train.bsr_matmul %a, %b : tensor<8x8xf32, #BSR>, tensor<8x8xf32> -> tensor<8x8xf32, #BSR>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @bsr_matmul_mixed_types(%a: tensor<8x8xf32, #BSR>, %b: tensor<8x4xf16>) {
  // expected-error @+1 {{expects operands of one element type, got 'f32' and 'f16'}}
  %0 = sparse_train.bsr_matmul %a, %b : tensor<8x8xf32, #BSR>, tensor<8x4xf16> -> tensor<8x4xf32>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @bsr_matmul_narrow_result(%a: tensor<8x8xf32, #BSR>, %b: tensor<8x4xf32>) {
  // expected-error @+1 {{expects result element type 'bf16' to be 'f32'}}
  %0 = sparse_train.bsr_matmul %a, %b : tensor<8x8xf32, #BSR>, tensor<8x4xf32> -> tensor<8x4xbf16>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @bsr_matmul_contraction(%a: tensor<8x8xf32, #BSR>, %b: tensor<6x4xf32>) {
  // expected-error @+1 {{contraction sizes differ: 8 in lhs and 6 in rhs}}
  %0 = sparse_train.bsr_matmul %a, %b : tensor<8x8xf32, #BSR>, tensor<6x4xf32> -> tensor<8x4xf32>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @bsr_matmul_contraction_transposed(%a: tensor<8x6xf32, #BSR>, %b: tensor<4x6xf32>) {
  // expected-error @+1 {{contraction sizes differ: 8 in lhs (transposed) and 6 in rhs (transposed)}}
  %0 = sparse_train.bsr_matmul %a, %b transpose_a transpose_b : tensor<8x6xf32, #BSR>, tensor<4x6xf32> -> tensor<6x4xf32>
  return
}

// -----

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
func.func @bsr_matmul_result_shape(%a: tensor<8x8xf32, #BSR>, %b: tensor<8x4xf32>) {
  // expected-error @+1 {{expects a result of shape [8, 4], got 'tensor<4x8xf32>'}}
  %0 = sparse_train.bsr_matmul %a, %b : tensor<8x8xf32, #BSR>, tensor<8x4xf32> -> tensor<4x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// conv2d_zero_skip
//===----------------------------------------------------------------------===//

func.func @conv_strides_size(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{'sparse_train.conv2d_zero_skip' op expects 2 strides [sh, sw], got 1}}
  %0 = sparse_train.conv2d_zero_skip %x, %w strides = [1] : tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>
  return
}

// -----

func.func @conv_stride_zero(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{expects strides >= 1}}
  %0 = sparse_train.conv2d_zero_skip %x, %w strides = [1, 0] : tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>
  return
}

// -----

func.func @conv_dilations_size(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{expects 2 dilations [dh, dw], got 3}}
  %0 = sparse_train.conv2d_zero_skip %x, %w dilations = [1, 1, 1] : tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>
  return
}

// -----

func.func @conv_negative_padding(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{expects padding >= 0}}
  %0 = sparse_train.conv2d_zero_skip %x, %w padding = [1, -1, 1, 1] : tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>
  return
}

// -----

func.func @conv_max_density_above_one(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{expects max_density in [0, 1], got 1.500000e+00}}
  %0 = sparse_train.conv2d_zero_skip %x, %w max_density = 1.5 : tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>
  return
}

// -----

func.func @conv_backward_data_negative_max_density(%dy: tensor<1x6x6x4xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{expects max_density in [0, 1], got -5.000000e-01}}
  %0 = sparse_train.conv2d_zero_skip_backward_data %dy, %w max_density = -0.5 : tensor<1x6x6x4xf32>, tensor<3x3x3x4xf32> -> tensor<1x8x8x3xf32>
  return
}

// -----

func.func @conv_backward_filter_nan_max_density(%x: tensor<1x8x8x3xf32>, %dy: tensor<1x6x6x4xf32>) {
  // expected-error @+1 {{expects max_density in [0, 1], got nan}}
  %0 = sparse_train.conv2d_zero_skip_backward_filter %x, %dy max_density = 0x7FF8000000000000 : tensor<1x8x8x3xf32>, tensor<1x6x6x4xf32> -> tensor<3x3x3x4xf32>
  return
}

// -----

func.func @conv_input_rank(%x: tensor<8x8x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{expects the input to be a rank-4 NHWC tensor, got rank 3}}
  %0 = sparse_train.conv2d_zero_skip %x, %w : tensor<8x8x3xf32>, tensor<3x3x3x4xf32>
  return
}

// -----

func.func @conv_filter_rank(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x4xf32>) {
  // expected-error @+1 {{expects the filter to be a rank-4 HWCF tensor, got rank 3}}
  %0 = sparse_train.conv2d_zero_skip %x, %w : tensor<1x8x8x3xf32>, tensor<3x3x4xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @+1 {{channel count 3 of the input does not match input channels 2 of the filter}}
  %0 = sparse_train.conv2d_zero_skip %x, %w : tensor<1x8x8x3xf32>, tensor<3x3x2x4xf32>
  return
}

// -----

func.func @conv_element_types(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf16>) {
  // expected-error @+1 {{expects one element type for the input, the filter and the result, got 'f32', 'f16' and 'f32'}}
  %0 = sparse_train.conv2d_zero_skip %x, %w : tensor<1x8x8x3xf32>, tensor<3x3x3x4xf16>
  return
}

// -----

func.func @conv_empty_output(%x: tensor<1x2x8x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{convolution output height would be 0 < 1 (the input height 2, padding 0 + 0, filter 3, dilation 1)}}
  %0 = sparse_train.conv2d_zero_skip %x, %w : tensor<1x2x8x3xf32>, tensor<3x3x3x4xf32>
  return
}

// -----

func.func @conv_dilated_empty_output(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{convolution output width would be -2 < 1 (the input width 8, padding 0 + 0, filter 3, dilation 5)}}
  %0 = sparse_train.conv2d_zero_skip %x, %w dilations = [1, 5] : tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>
  return
}

// -----

func.func @conv_wrong_result(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+2 {{'sparse_train.conv2d_zero_skip' op inferred type(s) 'tensor<1x6x6x4xf32>' are incompatible with return type(s) of operation 'tensor<1x8x8x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "sparse_train.conv2d_zero_skip"(%x, %w) : (tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>) -> tensor<1x8x8x4xf32>
  return
}

// -----

func.func @conv_integer_input(%x: tensor<1x8x8x3xi8>, %w: tensor<3x3x3x4xi8>) {
  // expected-error @+1 {{'sparse_train.conv2d_zero_skip' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<1x8x8x3xi8>'}}
  %0 = "sparse_train.conv2d_zero_skip"(%x, %w) : (tensor<1x8x8x3xi8>, tensor<3x3x3x4xi8>) -> tensor<1x6x6x4xi8>
  return
}

// -----

//===----------------------------------------------------------------------===//
// conv2d_zero_skip_backward_data
//===----------------------------------------------------------------------===//

func.func @conv_bwd_data_result_rank(%dy: tensor<1x6x6x4xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{'sparse_train.conv2d_zero_skip_backward_data' op expects the result (input gradient) to be a rank-4 NHWC tensor, got rank 3}}
  %0 = sparse_train.conv2d_zero_skip_backward_data %dy, %w : tensor<1x6x6x4xf32>, tensor<3x3x3x4xf32> -> tensor<8x8x3xf32>
  return
}

// -----

func.func @conv_bwd_data_batch(%dy: tensor<2x6x6x4xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{batch size 1 of the result (input gradient) does not match batch size 2 of grad_output}}
  %0 = sparse_train.conv2d_zero_skip_backward_data %dy, %w : tensor<2x6x6x4xf32>, tensor<3x3x3x4xf32> -> tensor<1x8x8x3xf32>
  return
}

// -----

func.func @conv_bwd_data_input_channels(%dy: tensor<1x6x6x4xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{channel count 5 of the result (input gradient) does not match input channels 3 of the filter}}
  %0 = sparse_train.conv2d_zero_skip_backward_data %dy, %w : tensor<1x6x6x4xf32>, tensor<3x3x3x4xf32> -> tensor<1x8x8x5xf32>
  return
}

// -----

func.func @conv_bwd_data_output_channels(%dy: tensor<1x6x6x5xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{output channels 4 of the filter do not match channel count 5 of grad_output}}
  %0 = sparse_train.conv2d_zero_skip_backward_data %dy, %w : tensor<1x6x6x5xf32>, tensor<3x3x3x4xf32> -> tensor<1x8x8x3xf32>
  return
}

// -----

func.func @conv_bwd_data_height(%dy: tensor<1x6x6x4xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{grad_output height 6 does not match floor((9 + 0 + 0 - 1 * (3 - 1) - 1) / 1) + 1 = 7}}
  %0 = sparse_train.conv2d_zero_skip_backward_data %dy, %w : tensor<1x6x6x4xf32>, tensor<3x3x3x4xf32> -> tensor<1x9x8x3xf32>
  return
}

// -----

func.func @conv_bwd_data_element_types(%dy: tensor<1x6x6x4xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{expects one element type for the result (input gradient), the filter and grad_output, got 'f64', 'f32' and 'f32'}}
  %0 = sparse_train.conv2d_zero_skip_backward_data %dy, %w : tensor<1x6x6x4xf32>, tensor<3x3x3x4xf32> -> tensor<1x8x8x3xf64>
  return
}

// -----

func.func @conv_bwd_data_padding_size(%dy: tensor<1x6x6x4xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{expects 4 padding values [top, bottom, left, right], got 1}}
  %0 = sparse_train.conv2d_zero_skip_backward_data %dy, %w padding = [1] : tensor<1x6x6x4xf32>, tensor<3x3x3x4xf32> -> tensor<1x8x8x3xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// conv2d_zero_skip_backward_filter
//===----------------------------------------------------------------------===//

func.func @conv_bwd_filter_width(%x: tensor<1x8x8x3xf32>, %dy: tensor<1x6x5x4xf32>) {
  // expected-error @+1 {{'sparse_train.conv2d_zero_skip_backward_filter' op grad_output width 5 does not match floor((8 + 0 + 0 - 1 * (3 - 1) - 1) / 1) + 1 = 6}}
  %0 = sparse_train.conv2d_zero_skip_backward_filter %x, %dy : tensor<1x8x8x3xf32>, tensor<1x6x5x4xf32> -> tensor<3x3x3x4xf32>
  return
}

// -----

func.func @conv_bwd_filter_result_rank(%x: tensor<1x8x8x3xf32>, %dy: tensor<1x6x6x4xf32>) {
  // expected-error @+1 {{expects the result (filter gradient) to be a rank-4 HWCF tensor, got rank 2}}
  %0 = sparse_train.conv2d_zero_skip_backward_filter %x, %dy : tensor<1x8x8x3xf32>, tensor<1x6x6x4xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @conv_bwd_filter_channels(%x: tensor<1x8x8x3xf32>, %dy: tensor<1x6x6x4xf32>) {
  // expected-error @+1 {{channel count 3 of the input does not match input channels 2 of the result (filter gradient)}}
  %0 = sparse_train.conv2d_zero_skip_backward_filter %x, %dy : tensor<1x8x8x3xf32>, tensor<1x6x6x4xf32> -> tensor<3x3x2x4xf32>
  return
}

// -----

func.func @conv_bwd_filter_element_types(%x: tensor<1x8x8x3xbf16>, %dy: tensor<1x6x6x4xbf16>) {
  // expected-error @+1 {{expects one element type for the input, the result (filter gradient) and grad_output, got 'bf16', 'f32' and 'bf16'}}
  %0 = sparse_train.conv2d_zero_skip_backward_filter %x, %dy : tensor<1x8x8x3xbf16>, tensor<1x6x6x4xbf16> -> tensor<3x3x3x4xf32>
  return
}

// -----

func.func @conv_bwd_filter_dilation_zero(%x: tensor<1x8x8x3xf32>, %dy: tensor<1x6x6x4xf32>) {
  // expected-error @+1 {{expects dilations >= 1}}
  %0 = sparse_train.conv2d_zero_skip_backward_filter %x, %dy dilations = [1, -1] : tensor<1x8x8x3xf32>, tensor<1x6x6x4xf32> -> tensor<3x3x3x4xf32>
  return
}
