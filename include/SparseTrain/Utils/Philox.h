//===- Philox.h - Philox4x32-10 and the slice_start draw ----------*- C++
//-*-===//
//
// The counter-based generator of Random123 (Salmon et al., SC'11), used by
// `sparse_train.slice_start` on every target. Header-only so that folders,
// lowerings and tests share one definition.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_UTILS_PHILOX_H
#define SPARSETRAIN_UTILS_PHILOX_H

#include <array>
#include <cstdint>

namespace mlir {
namespace sparse_train {

/// Philox4x32 round multipliers and Weyl key increments (Random123).
inline constexpr uint32_t kPhiloxM0 = 0xD2511F53u;
inline constexpr uint32_t kPhiloxM1 = 0xCD9E8D57u;
inline constexpr uint32_t kPhiloxW0 = 0x9E3779B9u;
inline constexpr uint32_t kPhiloxW1 = 0xBB67AE85u;

/// Philox4x32 with `rounds` rounds (10 for Philox4x32-10) on `counter` under
/// `key`; returns the four output words.
inline std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> counter,
                                          std::array<uint32_t, 2> key,
                                          int rounds = 10) {
  for (int r = 0; r < rounds; ++r) {
    if (r != 0) {
      key[0] += kPhiloxW0;
      key[1] += kPhiloxW1;
    }
    uint64_t p0 = uint64_t(kPhiloxM0) * counter[0];
    uint64_t p1 = uint64_t(kPhiloxM1) * counter[2];
    uint32_t hi0 = uint32_t(p0 >> 32), lo0 = uint32_t(p0);
    uint32_t hi1 = uint32_t(p1 >> 32), lo1 = uint32_t(p1);
    counter = {hi1 ^ counter[1] ^ key[0], lo1, hi0 ^ counter[3] ^ key[1], lo0};
  }
  return counter;
}

/// The start drawn by `slice_start`: with `r` the first Philox4x32-10 word
/// for key (lo(seed), hi(seed)) and counter (lo(counter), hi(counter), 0, 0),
/// returns `align * floor(r * numStarts / 2^32)`. `numStarts` >= 1.
inline uint64_t sliceStart(uint64_t seed, uint64_t counter, uint64_t numStarts,
                           uint64_t align) {
  std::array<uint32_t, 4> out =
      philox4x32({uint32_t(counter), uint32_t(counter >> 32), 0u, 0u},
                 {uint32_t(seed), uint32_t(seed >> 32)});
  unsigned __int128 product = (unsigned __int128)out[0] * numStarts;
  return align * uint64_t(product >> 32);
}

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_UTILS_PHILOX_H
