// RUN: sparse-train-opt %s --sparse-train-apply-zero-skip --verify-diagnostics --split-input-file | FileCheck %s

// torch-mlir's forms (NCHW images, FCHW filters; ../shared/notes/frontends.md
// §1.3): the operands are traced through transposes, zero padding and the
// weight flip, transposed to the ops' NHWC/HWCF layouts and back.

// Forward: tensor.pad of a ReLU output, the bias broadcast as the
// accumulator (added back after the op).
// CHECK-LABEL: func @torch_forward
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x6x6xf32>, %[[W:.*]]: tensor<8x4x3x3xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: %[[R:.*]] = linalg.generic
// CHECK: %[[BB:.*]] = linalg.broadcast ins(%[[B]]
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[R]] : tensor<2x4x6x6xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<8x4x3x3xf32>) {{.*}} permutation = [2, 3, 1, 0]
// CHECK: %[[Y:.*]] = sparse_train.conv2d_zero_skip %[[XT]], %[[WT]] strides = [1, 1] dilations = [1, 1] padding = [1, 1, 1, 1] : tensor<2x6x6x4xf32>, tensor<3x3x4x8xf32>
// CHECK: %[[YT:.*]] = linalg.transpose ins(%[[Y]] : tensor<2x6x6x8xf32>) {{.*}} permutation = [0, 3, 1, 2]
// CHECK: %[[S:.*]] = linalg.add ins(%[[BB]], %[[YT]] : tensor<2x8x6x6xf32>, tensor<2x8x6x6xf32>)
// CHECK: return %[[S]]
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @torch_forward(%x: tensor<2x4x6x6xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8xf32>) -> tensor<2x8x6x6xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<2x4x6x6xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x4x6x6xf32>) outs(%e : tensor<2x4x6x6xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c = arith.cmpf ugt, %in, %cst : f32
    %s = arith.select %c, %in, %cst : f32
    linalg.yield %s : f32
  } -> tensor<2x4x6x6xf32>
  %p = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %cst : f32
  } : tensor<2x4x6x6xf32> to tensor<2x4x8x8xf32>
  %e0 = tensor.empty() : tensor<2x8x6x6xf32>
  %bb = linalg.broadcast ins(%b : tensor<8xf32>) outs(%e0 : tensor<2x8x6x6xf32>) dimensions = [0, 2, 3]
  // expected-remark @below {{rewritten to sparse_train.conv2d_zero_skip: the input is a ReLU output; transposed to and from the op's NHWC/HWCF layouts}}
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%p, %w : tensor<2x4x8x8xf32>, tensor<8x4x3x3xf32>) outs(%bb : tensor<2x8x6x6xf32>) -> tensor<2x8x6x6xf32>
  return %y : tensor<2x8x6x6xf32>
}

// -----

// Data gradient of the default convolution_backward decomposition: the
// swap+flip generic reads W in its body, dy is padded by K-1-p = 1 (forward
// padding 1) and masked by the ReLU's backward. The op reads W itself.
// CHECK-LABEL: func @torch_backward_data
// CHECK-SAME: (%[[W:.*]]: tensor<8x4x3x3xf32>, %[[G:.*]]: tensor<2x8x6x6xf32>, %[[H:.*]]: tensor<2x8x6x6xf32>)
// CHECK: %[[M:.*]] = linalg.generic
// CHECK: %[[GT:.*]] = linalg.transpose ins(%[[M]] : tensor<2x8x6x6xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<8x4x3x3xf32>) {{.*}} permutation = [2, 3, 1, 0]
// CHECK: %[[DX:.*]] = sparse_train.conv2d_zero_skip_backward_data %[[GT]], %[[WT]] strides = [1, 1] dilations = [1, 1] padding = [1, 1, 1, 1] : tensor<2x6x6x8xf32>, tensor<3x3x4x8xf32> -> tensor<2x6x6x4xf32>
// CHECK: %[[DXT:.*]] = linalg.transpose ins(%[[DX]] : tensor<2x6x6x4xf32>) {{.*}} permutation = [0, 3, 1, 2]
// CHECK: return %[[DXT]]
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @torch_backward_data(%w: tensor<8x4x3x3xf32>, %g: tensor<2x8x6x6xf32>, %h: tensor<2x8x6x6xf32>) -> tensor<2x4x6x6xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %c2 = arith.constant 2 : index
  %e = tensor.empty() : tensor<2x8x6x6xf32>
  %m = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g, %h : tensor<2x8x6x6xf32>, tensor<2x8x6x6xf32>) outs(%e : tensor<2x8x6x6xf32>) {
  ^bb0(%gi: f32, %s: f32, %out: f32):
    %c = arith.cmpf ule, %s, %cst : f32
    %r = arith.select %c, %cst, %gi : f32
    linalg.yield %r : f32
  } -> tensor<2x8x6x6xf32>
  %ew = tensor.empty() : tensor<4x8x3x3xf32>
  %zw = linalg.fill ins(%cst : f32) outs(%ew : tensor<4x8x3x3xf32>) -> tensor<4x8x3x3xf32>
  %wf = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%zw : tensor<4x8x3x3xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %r2 = arith.subi %c2, %i2 : index
    %r3 = arith.subi %c2, %i3 : index
    %v = tensor.extract %w[%i1, %i0, %r2, %r3] : tensor<8x4x3x3xf32>
    linalg.yield %v : f32
  } -> tensor<4x8x3x3xf32>
  %gp = tensor.pad %m low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %cst : f32
  } : tensor<2x8x6x6xf32> to tensor<2x8x8x8xf32>
  %ex = tensor.empty() : tensor<2x4x6x6xf32>
  %zx = linalg.fill ins(%cst : f32) outs(%ex : tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
  // expected-remark @below {{rewritten to sparse_train.conv2d_zero_skip_backward_data: the output gradient is masked by a ReLU}}
  %dx = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%gp, %wf : tensor<2x8x8x8xf32>, tensor<4x8x3x3xf32>) outs(%zx : tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
  return %dx : tensor<2x4x6x6xf32>
}

// -----

// Filter gradient of the decomposition at stride 1:
// transpose(conv(pad(transpose(x)), transpose(dy))), with x a ReLU output.
// CHECK-LABEL: func @torch_backward_filter
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x6x6xf32>, %[[G:.*]]: tensor<2x8x6x6xf32>)
// CHECK: %[[R:.*]] = linalg.generic
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[R]] : tensor<2x4x6x6xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK: %[[GT:.*]] = linalg.transpose ins(%[[G]] : tensor<2x8x6x6xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK: %[[DW:.*]] = sparse_train.conv2d_zero_skip_backward_filter %[[XT]], %[[GT]] strides = [1, 1] dilations = [1, 1] padding = [1, 1, 1, 1] : tensor<2x6x6x4xf32>, tensor<2x6x6x8xf32> -> tensor<3x3x4x8xf32>
// CHECK: %[[B:.*]] = linalg.transpose ins(%[[DW]] : tensor<3x3x4x8xf32>) {{.*}} permutation = [2, 3, 0, 1]
// CHECK: %[[F:.*]] = linalg.transpose ins(%[[B]] : tensor<4x8x3x3xf32>) {{.*}} permutation = [1, 0, 2, 3]
// CHECK: return %[[F]]
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @torch_backward_filter(%x: tensor<2x4x6x6xf32>, %g: tensor<2x8x6x6xf32>) -> tensor<8x4x3x3xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<2x4x6x6xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x4x6x6xf32>) outs(%e : tensor<2x4x6x6xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c = arith.cmpf ugt, %in, %cst : f32
    %s = arith.select %c, %in, %cst : f32
    linalg.yield %s : f32
  } -> tensor<2x4x6x6xf32>
  %e1 = tensor.empty() : tensor<4x2x6x6xf32>
  %xt = linalg.transpose ins(%r : tensor<2x4x6x6xf32>) outs(%e1 : tensor<4x2x6x6xf32>) permutation = [1, 0, 2, 3]
  %xtp = tensor.pad %xt low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %cst : f32
  } : tensor<4x2x6x6xf32> to tensor<4x2x8x8xf32>
  %e2 = tensor.empty() : tensor<8x2x6x6xf32>
  %gt = linalg.transpose ins(%g : tensor<2x8x6x6xf32>) outs(%e2 : tensor<8x2x6x6xf32>) permutation = [1, 0, 2, 3]
  %e3 = tensor.empty() : tensor<4x8x3x3xf32>
  %z3 = linalg.fill ins(%cst : f32) outs(%e3 : tensor<4x8x3x3xf32>) -> tensor<4x8x3x3xf32>
  // expected-remark @below {{rewritten to sparse_train.conv2d_zero_skip_backward_filter: the input is a ReLU output}}
  %dwt = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%xtp, %gt : tensor<4x2x8x8xf32>, tensor<8x2x6x6xf32>) outs(%z3 : tensor<4x8x3x3xf32>) -> tensor<4x8x3x3xf32>
  %e4 = tensor.empty() : tensor<8x4x3x3xf32>
  %dw = linalg.transpose ins(%dwt : tensor<4x8x3x3xf32>) outs(%e4 : tensor<8x4x3x3xf32>) permutation = [1, 0, 2, 3]
  return %dw : tensor<8x4x3x3xf32>
}

// -----

// torch-mlir's direct lowering of convolution_backward (a generic, out =
// [F, C, KH, KW], reduction over N and the output image), stride 2.
// CHECK-LABEL: func @torch_direct_filter_gradient
// CHECK: sparse_train.conv2d_zero_skip_backward_filter %{{.*}}, %{{.*}} strides = [2, 2] dilations = [1, 1] padding = [1, 0, 1, 0] : tensor<2x7x7x4xf32>, tensor<2x3x3x8xf32> -> tensor<3x3x4x8xf32>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @torch_direct_filter_gradient(%x: tensor<2x4x7x7xf32>, %g: tensor<2x8x3x3xf32>) -> tensor<8x4x3x3xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<2x4x7x7xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x4x7x7xf32>) outs(%e : tensor<2x4x7x7xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %cst : f32
    linalg.yield %m : f32
  } -> tensor<2x4x7x7xf32>
  %p = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %cst : f32
  } : tensor<2x4x7x7xf32> to tensor<2x4x9x9xf32>
  %e3 = tensor.empty() : tensor<8x4x3x3xf32>
  %z3 = linalg.fill ins(%cst : f32) outs(%e3 : tensor<8x4x3x3xf32>) -> tensor<8x4x3x3xf32>
  // expected-remark @below {{rewritten to sparse_train.conv2d_zero_skip_backward_filter}}
  %dw = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d1, d2 + d5 * 2, d3 + d6 * 2)>,
                                         affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d0, d5, d6)>,
                                         affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>],
                        iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%p, %g : tensor<2x4x9x9xf32>, tensor<2x8x3x3xf32>) outs(%z3 : tensor<8x4x3x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x4x3x3xf32>
  return %dw : tensor<8x4x3x3xf32>
}

// -----

// A "flip" about the wrong constant (1 instead of K-1 = 2) is not looked
// through: the convolution stays a forward one over the generic's result.
// CHECK-LABEL: func @negative_flip_wrong_constant
// CHECK: linalg.generic
// CHECK: %[[WF:.*]] = linalg.generic
// CHECK: tensor.extract
// CHECK: %[[WFT:.*]] = linalg.transpose ins(%[[WF]] : tensor<4x8x3x3xf32>) {{.*}} permutation = [2, 3, 1, 0]
// CHECK: sparse_train.conv2d_zero_skip %{{.*}}, %[[WFT]] strides = [1, 1] dilations = [1, 1] padding = [1, 1, 1, 1]
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @negative_flip_wrong_constant(%w: tensor<8x4x3x3xf32>, %g: tensor<2x8x6x6xf32>) -> tensor<2x4x6x6xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %c1 = arith.constant 1 : index
  %e = tensor.empty() : tensor<2x8x6x6xf32>
  %m = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g : tensor<2x8x6x6xf32>) outs(%e : tensor<2x8x6x6xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %cst : f32
    linalg.yield %r : f32
  } -> tensor<2x8x6x6xf32>
  %ew = tensor.empty() : tensor<4x8x3x3xf32>
  %wf = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%ew : tensor<4x8x3x3xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %r2 = arith.subi %c1, %i2 : index
    %r3 = arith.subi %c1, %i3 : index
    %v = tensor.extract %w[%i1, %i0, %r2, %r3] : tensor<8x4x3x3xf32>
    linalg.yield %v : f32
  } -> tensor<4x8x3x3xf32>
  %gp = tensor.pad %m low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %cst : f32
  } : tensor<2x8x6x6xf32> to tensor<2x8x8x8xf32>
  %ex = tensor.empty() : tensor<2x4x6x6xf32>
  %zx = linalg.fill ins(%cst : f32) outs(%ex : tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
  // expected-remark @below {{rewritten to sparse_train.conv2d_zero_skip: the input is a ReLU output}}
  %dx = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%gp, %wf : tensor<2x8x8x8xf32>, tensor<4x8x3x3xf32>) outs(%zx : tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
  return %dx : tensor<2x4x6x6xf32>
}

// -----

// Padding of the channels (dimension 1 of NCHW) is not a convolution's.
// CHECK-LABEL: func @negative_channel_padding
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: sparse_train
func.func @negative_channel_padding(%x: tensor<1x3x6x6xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %zeros = arith.constant dense<0.0> : tensor<1x3x6x6xf32>
  %r = arith.maximumf %x, %zeros : tensor<1x3x6x6xf32>
  %p = tensor.pad %r low[0, 1, 0, 0] high[0, 0, 0, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %cst : f32
  } : tensor<1x3x6x6xf32> to tensor<1x4x6x6xf32>
  %z = arith.constant dense<0.0> : tensor<1x8x4x4xf32>
  // expected-remark @below {{not rewritten to a sparse_train zero-skip convolution: the image padding pads its batch or channels}}
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%p, %w : tensor<1x4x6x6xf32>, tensor<8x4x3x3xf32>) outs(%z : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %y : tensor<1x8x4x4xf32>
}
