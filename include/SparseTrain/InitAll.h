//===- InitAll.h - register everything sparse_train provides ------*- C++
//-*-===//
//
// One entry point for tools, plugins and the C API: the dialect and, as they
// appear, its interface extensions; its passes and pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_INITALL_H
#define SPARSETRAIN_INITALL_H

namespace mlir {
class DialectRegistry;

namespace sparse_train {

/// Adds the sparse_train dialect and its interface extensions to `registry`.
void registerAllDialects(DialectRegistry &registry);

/// Registers every sparse_train pass and pipeline with the global registry,
/// so that pass pipeline strings can name them.
void registerAllPasses();

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_INITALL_H
