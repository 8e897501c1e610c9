//===- AnyMemoryEffects.h - ops that may touch any memory -----*- C++ -*-===//
//
// An external MemoryEffectOpInterface model for upstream ops that declare
// no effects although they order or perform memory accesses (gpu.launch_func,
// gpu.wait, omp.barrier): without it, buffer deallocation rejects them and
// the canonicalizer deletes lowered launches.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_LIB_CONVERSION_SPARSETRAINTOGPU_ANYMEMORYEFFECTS_H
#define SPARSETRAIN_LIB_CONVERSION_SPARSETRAINTOGPU_ANYMEMORYEFFECTS_H

#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir {
namespace sparse_train {

/// `OpTy` reads and writes any memory.
template <typename OpTy>
struct AnyMemoryEffects
    : public MemoryEffectOpInterface::ExternalModel<AnyMemoryEffects<OpTy>,
                                                    OpTy> {
  void
  getEffects(Operation *op,
             SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
                 &effects) const {
    effects.emplace_back(MemoryEffects::Read::get());
    effects.emplace_back(MemoryEffects::Write::get());
  }
};

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_CONVERSION_SPARSETRAINTOGPU_ANYMEMORYEFFECTS_H
