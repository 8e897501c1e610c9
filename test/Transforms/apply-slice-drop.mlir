// sparse-train-apply-slice-drop on torch-mlir's MLP joint step (Inputs/
// mlp_joint_step.mlir, tangent argument 5): its one unit chain (Linear,
// bias, ReLU, Linear) keeps 8 of its 16 hidden units. The second layer's
// forward product reads the slice of h and the slice of its transposed
// weight's rows; dW2 is computed from the slice and expanded back; the
// gradient of h is computed from W2's columns, scaled by 16/8 and
// expanded, so the ReLU's backward and the first layer see zeros outside
// the slice.
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-slice-drop="tangents=5 keep-ratio=0.5 align=4 seed=7" 2>%t.remarks | FileCheck %s
// RUN: FileCheck %s --check-prefix=REMARK < %t.remarks
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply="techniques=slice-drop tangents=5 slice-keep-ratio=0.5 slice-align=4 seed=7" 2>/dev/null | FileCheck %s
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-slice-drop="tangents=5 keep-ratio=1.0" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ALL
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-apply-slice-drop="tangents=5 layers=3" -o /dev/null 2>&1 | FileCheck %s --check-prefix=MISSING

// CHECK-LABEL: func.func @train_step
// CHECK-DAG: %[[SEED:.*]] = arith.constant 7 : i64
// CHECK-DAG: %[[COUNTER:.*]] = arith.constant 0 : i64
// CHECK: %[[S:.*]] = sparse_train.slice_start %[[SEED]], %[[COUNTER]] extent = 16, width = 8, align = 4
// CHECK: arith.addf
// CHECK: %[[H:.*]] = linalg.generic
// CHECK: arith.cmpf ugt
// CHECK: %[[W2T:.*]] = linalg.transpose ins(%arg3
// CHECK: %[[HS:.*]] = sparse_train.slice_drop %[[H]], %[[S]] dim = 1, width = 8 : tensor<4x16xf32>
// CHECK: %[[WS:.*]] = sparse_train.slice_drop %[[W2T]], %[[S]] dim = 0, width = 8, scale = 1.000000e+00 : tensor<16x3xf32>
// CHECK: linalg.matmul ins(%[[HS]], %[[WS]] : tensor<4x8xf32>, tensor<8x3xf32>)
// CHECK: %[[W2C:.*]] = sparse_train.slice_drop %arg3, %[[S]] dim = 1, width = 8, scale = 1.000000e+00 : tensor<3x16xf32>
// CHECK: %[[DHS:.*]] = linalg.matmul ins(%arg5, %[[W2C]] : tensor<4x3xf32>, tensor<3x8xf32>)
// CHECK: %[[SCALED:.*]] = linalg.generic {{.*}} ins(%[[DHS]] : tensor<4x8xf32>)
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: %[[DH:.*]] = sparse_train.slice_expand %[[SCALED]], %[[S]] dim = 1, extent = 16 : tensor<4x8xf32>
// CHECK: %[[DW2S:.*]] = linalg.matmul ins(%{{.*}}, %[[HS]] : tensor<3x4xf32>, tensor<4x8xf32>)
// CHECK: %[[DW2:.*]] = sparse_train.slice_expand %[[DW2S]], %[[S]] dim = 1, extent = 16 : tensor<3x8xf32>
// CHECK: linalg.generic {{.*}} ins(%[[DH]], %[[H]] : tensor<4x16xf32>, tensor<4x16xf32>)
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}}, %[[DW2]], %{{.*}}

// REMARK: remark: unit chain 0: sliced 8 of 16 units (keep ratio 5.000000e-01, align 4), the forward product, its weight gradient and the units' gradient rewritten
// ALL: remark: unit chain 0: not sliced: keep ratio 1.000000e+00 with align 1 keeps all 16 units
// MISSING: warning: sparse-train-apply-slice-drop: layer 3 does not exist (the step has 1 layers)
// MISSING: remark: unit chain 0: not sliced: not among the chosen layers

// Seed and counter from i64 arguments (the zoo's three-layer MLP with two
// appended): each unit chain adds its index to the counter, so the two
// chains draw independent slices.
// RUN: sed 's/%%gy: tensor<16x10xf32>)/%%gy: tensor<16x10xf32>, %%seed: i64, %%counter: i64)/' %S/../../examples/zoo/mlp.mlir | sparse-train-opt --sparse-train-apply-slice-drop="tangents=7 seed-arg=8 counter-arg=9" 2>/dev/null | FileCheck %s --check-prefix=ARGS
// ARGS: %[[NEXT:.*]] = arith.addi %arg9, %{{.*}} : i64
// ARGS-DAG: sparse_train.slice_start %arg8, %[[NEXT]] extent = 64, width = 32, align = 1
// ARGS-DAG: sparse_train.slice_start %arg8, %arg9 extent = 64, width = 32, align = 1

// Convolution channels (the zoo's VGG block in torch-mlir's form: conv,
// ReLU, conv over 16 channels, stride 1): the second convolution's loop
// over its input channels runs over 8 of the 16. Its forward reads the
// scaled slice of the padded ReLU output and the filter's input-channel
// slice; its filter gradient (torch's transpose/pad/transpose/conv) reads
// the scaled slice of the transposed units and is expanded along the
// filter gradient's channel dimension; its data gradient (flip + conv)
// reads the flipped filter's slice times the scale and is expanded along
// the channels of the units' gradient.
// RUN: sparse-train-opt %S/../../examples/zoo/vgg_block.mlir --sparse-train-apply-slice-drop="tangents=5 keep-ratio=0.5 align=8" 2>%t.conv | FileCheck %s --check-prefix=CONV
// RUN: FileCheck %s --check-prefix=CONV-REMARK < %t.conv
// CONV-LABEL: func.func @train_step
// CONV: %[[S:.*]] = sparse_train.slice_start %{{.*}}, %{{.*}} extent = 16, width = 8, align = 8
// CONV: %[[XS:.*]] = sparse_train.slice_drop %{{.*}}, %[[S]] dim = 1, width = 8, scale = 2.000000e+00 : tensor<2x16x18x18xf32>
// CONV: %[[WS:.*]] = sparse_train.slice_drop %arg3, %[[S]] dim = 1, width = 8, scale = 1.000000e+00 : tensor<16x16x3x3xf32>
// CONV: linalg.conv_2d_nchw_fchw {{.*}} ins(%[[XS]], %[[WS]] : tensor<2x8x18x18xf32>, tensor<16x8x3x3xf32>) outs(%{{.*}} : tensor<2x16x16x16xf32>)
// CONV: %[[FS:.*]] = sparse_train.slice_drop %{{.*}}, %[[S]] dim = 0, width = 8, scale = 2.000000e+00 : tensor<16x16x3x3xf32>
// CONV: %[[DX:.*]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %[[FS]] : tensor<2x16x18x18xf32>, tensor<8x16x3x3xf32>) outs(%{{.*}} : tensor<2x8x16x16xf32>)
// CONV: sparse_train.slice_expand %[[DX]], %[[S]] dim = 1, extent = 16 : tensor<2x8x16x16xf32>
// CONV: %[[TS:.*]] = sparse_train.slice_drop %{{.*}}, %[[S]] dim = 0, width = 8, scale = 2.000000e+00 : tensor<16x2x18x18xf32>
// CONV: %[[DW:.*]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%[[TS]], %{{.*}} : tensor<8x2x18x18xf32>, tensor<16x2x16x16xf32>) outs(%{{.*}} : tensor<8x16x3x3xf32>)
// CONV: sparse_train.slice_expand %[[DW]], %[[S]] dim = 0, extent = 16 : tensor<8x16x3x3xf32>
// CONV-REMARK: remark: unit chain 0: sliced 8 of 16 channels (keep ratio 5.000000e-01, align 8), the forward convolution, its filter gradient and the channels' gradient rewritten

// Channels that are also a forward result (returned besides the pooled
// output) are declined.
// RUN: sed -e 's/-> (tensor<2x16x8x8xf32>, tensor<16x8x3x3xf32>/-> (tensor<2x16x8x8xf32>, tensor<2x16x16x16xf32>, tensor<16x8x3x3xf32>/' -e 's/return %%pool1, %%t6, %%red2, %%t3, %%red1 : tensor<2x16x8x8xf32>,/return %%pool1, %%relu1, %%t6, %%red2, %%t3, %%red1 : tensor<2x16x8x8xf32>, tensor<2x16x16x16xf32>,/' %S/../../examples/zoo/vgg_block.mlir | sparse-train-opt --sparse-train-apply-slice-drop="forward-results=2 tangents=5" -o /dev/null 2>&1 | FileCheck %s --check-prefix=CONV-RESULT
// CONV-RESULT: remark: unit chain not sliced: the units have another forward reader (func.return)
