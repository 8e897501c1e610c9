//===- PhiloxTest.cpp - Philox4x32-10 known answers -----------------------===//
//
// Checks SparseTrain/Utils/Philox.h against the three Random123 known
// answers of DESIGN.md §2.1 and the slice_start mapping on small cases.
// Prints one line per check; exits non-zero on any mismatch.
//
//===----------------------------------------------------------------------===//

// RUN: sparse-train-philox-test | FileCheck %s

#include "SparseTrain/Utils/Philox.h"

#include <cstdio>

using mlir::sparse_train::philox4x32;
using mlir::sparse_train::sliceStart;

static int failures = 0;

static void checkKnownAnswer(const char *name, std::array<uint32_t, 4> ctr,
                             std::array<uint32_t, 2> key,
                             std::array<uint32_t, 4> expected) {
  std::array<uint32_t, 4> out = philox4x32(ctr, key);
  bool ok = out == expected;
  failures += !ok;
  std::printf("%s %s: %08x %08x %08x %08x\n", ok ? "PASS" : "FAIL", name,
              out[0], out[1], out[2], out[3]);
}

int main() {
  checkKnownAnswer("zero", {0, 0, 0, 0}, {0, 0},
                   {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
  checkKnownAnswer("ones", {~0u, ~0u, ~0u, ~0u}, {~0u, ~0u},
                   {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
  checkKnownAnswer("pi", {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                   {0xa4093822, 0x299f31d0},
                   {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});

  // seed 0, counter 0: r = 0x6627e8d5; 2^32 starts give r itself, one start
  // gives 0, and 4 starts aligned by 2 give 2 * floor(r * 4 / 2^32) = 2.
  uint64_t full = sliceStart(0, 0, uint64_t(1) << 32, 1);
  uint64_t single = sliceStart(0, 0, 1, 1);
  uint64_t aligned = sliceStart(0, 0, 4, 2);
  bool ok = full == 0x6627e8d5u && single == 0 && aligned == 2;
  failures += !ok;
  std::printf("%s slice_start: %llu %llu %llu\n", ok ? "PASS" : "FAIL",
              (unsigned long long)full, (unsigned long long)single,
              (unsigned long long)aligned);
  // The seed's low word is key word 0: seed = hi:lo = 299f31d0:a4093822.
  std::array<uint32_t, 4> fromSeed =
      philox4x32({0x243f6a88, 0x85a308d3, 0, 0}, {0xa4093822u, 0x299f31d0u});
  uint64_t viaSeed = sliceStart(0x299f31d0a4093822ull, 0x85a308d3243f6a88ull,
                                uint64_t(1) << 32, 1);
  ok = viaSeed == fromSeed[0];
  failures += !ok;
  std::printf("%s seed and counter words\n", ok ? "PASS" : "FAIL");
  return failures == 0 ? 0 : 1;
}

// CHECK: PASS zero: 6627e8d5 e169c58d bc57ac4c 9b00dbd8
// CHECK: PASS ones: 408f276d 41c83b0e a20bc7c6 6d5451fd
// CHECK: PASS pi: d16cfe09 94fdcceb 5001e420 24126ea1
// CHECK: PASS slice_start: 1713891541 0 2
// CHECK: PASS seed and counter words
