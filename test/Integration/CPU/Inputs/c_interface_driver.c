/* Calls the C interface of Inputs/c_interface_kernel.mlir: memref
 * descriptors in, a struct of descriptors out (the retained result is two
 * memrefs: values and indices). Frees the returned buffers. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} MemRef2F32;

typedef struct {
  void *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} MemRef1;

typedef struct {
  MemRef2F32 y;
  MemRef1 values;
  MemRef1 indices;
} Results;

void _mlir_ciface_drop_and_retain(Results *out, MemRef2F32 *x, int64_t start);

int main(void) {
  float data[16] = {1, -9, 3, 4, 5, 6, 7, 8, 0, 2, -2, 7, 1, 0, 0, 9};
  MemRef2F32 x = {data, data, 0, {2, 8}, {8, 1}};
  Results r;
  _mlir_ciface_drop_and_retain(&r, &x, 2);
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 4; ++j)
      printf("%g ", r.y.aligned[r.y.offset + i * r.y.strides[0] + j * r.y.strides[1]]);
    printf("\n");
  }
  float *values = (float *)r.values.aligned;
  int32_t *indices = (int32_t *)r.indices.aligned;
  for (int64_t k = 0; k < r.values.sizes[0]; ++k)
    printf("kept x[%d] = %g\n", indices[r.indices.offset + k], values[r.values.offset + k]);
  free(r.y.allocated);
  free(r.values.allocated);
  free(r.indices.allocated);
  return 0;
}
