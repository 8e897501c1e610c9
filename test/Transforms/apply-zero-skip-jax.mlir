// sparse-train-apply-zero-skip on JAX's form of a conv-ReLU-conv-ReLU step
// (examples/zoo/conv_relu_jax.mlir: flax Conv layers in NHWC/HWIO; JAX's
// conv VJPs as stablehlo-legalize-to-linalg's general linalg.generic
// convolutions; the data gradient reads a stablehlo.reverse generic of the
// kernel, `(2 - d0, 2 - d1, d2, d3)`). The second convolution's forward,
// data gradient and filter gradient are rewritten; the data gradient reads
// the kernel itself (the reverse is looked through and erased), its
// padding is that of the forward convolution.
// RUN: sparse-train-opt %S/../../examples/zoo/conv_relu_jax.mlir --sparse-train-apply-zero-skip 2>%t.remarks | FileCheck %s
// RUN: FileCheck %s --check-prefix=REMARK < %t.remarks
// CHECK-LABEL: func.func @train_step
// CHECK: arith.maximumf
// CHECK: sparse_train.conv2d_zero_skip %[[RELU:.*]], %arg3 strides = [1, 1] dilations = [1, 1] padding = [1, 1, 1, 1] : tensor<2x8x8x8xf32>, tensor<3x3x8x8xf32>
// CHECK-NOT: -d0 + 2
// CHECK: sparse_train.conv2d_zero_skip_backward_data %[[G:.*]], %arg3 strides = [1, 1] dilations = [1, 1] padding = [1, 1, 1, 1] : tensor<2x8x8x8xf32>, tensor<3x3x8x8xf32> -> tensor<2x8x8x8xf32>
// CHECK: sparse_train.conv2d_zero_skip_backward_filter %[[RELU]], %[[G]] strides = [1, 1] dilations = [1, 1] padding = [1, 1, 1, 1] : tensor<2x8x8x8xf32>, tensor<2x8x8x8xf32> -> tensor<3x3x8x8xf32>
// REMARK: remark: rewritten to sparse_train.conv2d_zero_skip_backward_data: the output gradient is masked by a ReLU

// negative_: a generic that is not a reverse (its body negates) is not
// looked through: the data gradient is then a forward convolution of the
// gradient with that generic's result as filter.
// RUN: sed '/%%rev1 = /,/} ->/ s/linalg.yield %%a0 : f32/%%n = arith.negf %%a0 : f32\n    linalg.yield %%n : f32/' %S/../../examples/zoo/conv_relu_jax.mlir | sparse-train-opt --sparse-train-apply-zero-skip -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOT-REVERSE
// NOT-REVERSE-NOT: conv2d_zero_skip_backward_data
// NOT-REVERSE: remark: rewritten to sparse_train.conv2d_zero_skip: the input is a ReLU output; transposed to and from the op's NHWC/HWCF layouts
// NOT-REVERSE-NOT: conv2d_zero_skip_backward_data

// SliceOut over the channels of JAX's chain: the data gradient's filter
// operand is the reverse of the kernel, sliced along its input channels
// (HWIO position 2).
// RUN: sparse-train-opt %S/../../examples/zoo/conv_relu_jax.mlir --sparse-train-apply-slice-drop="tangents=5 align=4" 2>&1 | FileCheck %s --check-prefix=SLICE
// SLICE: remark: unit chain 0: sliced 4 of 8 channels
// SLICE: %[[S:.*]] = sparse_train.slice_start
// SLICE: sparse_train.slice_drop %{{.*}}, %[[S]] dim = 3, width = 4, scale = 2.000000e+00 : tensor<2x10x10x8xf32>
// SLICE: sparse_train.slice_drop %arg3, %[[S]] dim = 2, width = 4, scale = 1.000000e+00 : tensor<3x3x8x8xf32>
// SLICE: linalg.conv_2d_nhwc_hwcf
// SLICE: sparse_train.slice_drop %{{.*}}, %[[S]] dim = 2, width = 4, scale = 2.000000e+00 : tensor<3x3x8x8xf32>
// SLICE: sparse_train.slice_expand %{{.*}}, %[[S]] dim = 3, extent = 8 : tensor<2x8x8x4xf32>
// SLICE: sparse_train.slice_drop %{{.*}}, %[[S]] dim = 3, width = 4, scale = 2.000000e+00 : tensor<2x10x10x8xf32>
// SLICE: sparse_train.slice_expand %{{.*}}, %[[S]] dim = 2, extent = 8 : tensor<3x3x4x8xf32>
