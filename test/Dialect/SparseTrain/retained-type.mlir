// !sparse_train.retained in all its forms: every element type, both
// encodings, dynamic dimensions and counts, rank 1, zero-size tensors.
// RUN: sparse-train-opt %s | sparse-train-opt | FileCheck %s

// CHECK-LABEL: func.func private @element_types
//  CHECK-SAME: !sparse_train.retained<8xf16, kept = 1, bitmask>
//  CHECK-SAME: !sparse_train.retained<8xbf16, kept = 2, indices>
//  CHECK-SAME: !sparse_train.retained<8xf32, kept = 3, bitmask>
//  CHECK-SAME: !sparse_train.retained<8xf64, kept = 8, indices>
func.func private @element_types(!sparse_train.retained<8xf16, kept = 1, bitmask>,
                                 !sparse_train.retained<8xbf16, kept = 2, indices>,
                                 !sparse_train.retained<8xf32, kept = 3, bitmask>,
                                 !sparse_train.retained<8xf64, kept = 8, indices>)

// CHECK-LABEL: func.func private @shapes
//  CHECK-SAME: !sparse_train.retained<?x?xf32, kept = ?, bitmask>
//  CHECK-SAME: !sparse_train.retained<?x16xf32, kept = 7, indices>
//  CHECK-SAME: !sparse_train.retained<0x16xf32, kept = 0, bitmask>
//  CHECK-SAME: !sparse_train.retained<2x3x4x5xf32, kept = 120, bitmask>
//  CHECK-SAME: !sparse_train.retained<1xf32, kept = 0, indices>
func.func private @shapes(!sparse_train.retained<?x?xf32, kept = ?, bitmask>,
                          !sparse_train.retained<?x16xf32, kept = 7, indices>,
                          !sparse_train.retained<0x16xf32, kept = 0, bitmask>,
                          !sparse_train.retained<2x3x4x5xf32, kept = 120, bitmask>,
                          !sparse_train.retained<1xf32, kept = 0, indices>)

// A type alias prints as the alias.
!saved = !sparse_train.retained<32x64xf32, kept = 205, bitmask>
// CHECK-LABEL: func.func private @alias
//  CHECK-SAME: !sparse_train.retained<32x64xf32, kept = 205, bitmask>
func.func private @alias(!saved) -> !saved
