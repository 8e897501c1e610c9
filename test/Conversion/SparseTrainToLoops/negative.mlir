// Shapes the reference lowering cannot handle are reported with the op's
// name and location; nothing is left half converted.
// RUN: not sparse-train-opt %s -split-input-file --convert-sparse-train-to-loops 2>&1 | FileCheck %s

// The data gradient's spatial size cannot be recovered at run time.
// CHECK: negative.mlir:[[@LINE+2]]:{{[0-9]+}}: error: failed to legalize operation 'sparse_train.conv2d_zero_skip_backward_data'
func.func @negative_dynamic_data_gradient(%dy: tensor<1x4x4x2xf32>, %w: tensor<3x3x2x2xf32>) -> tensor<1x?x?x2xf32> {
  %dx = sparse_train.conv2d_zero_skip_backward_data %dy, %w : tensor<1x4x4x2xf32>, tensor<3x3x2x2xf32> -> tensor<1x?x?x2xf32>
  return %dx : tensor<1x?x?x2xf32>
}

// -----

// CHECK: negative.mlir:[[@LINE+2]]:{{[0-9]+}}: error: failed to legalize operation 'sparse_train.conv2d_zero_skip_backward_filter'
func.func @negative_dynamic_filter_size(%x: tensor<1x6x6x2xf32>, %dy: tensor<1x4x4x2xf32>) -> tensor<?x3x2x2xf32> {
  %dw = sparse_train.conv2d_zero_skip_backward_filter %x, %dy : tensor<1x6x6x2xf32>, tensor<1x4x4x2xf32> -> tensor<?x3x2x2xf32>
  return %dw : tensor<?x3x2x2xf32>
}
