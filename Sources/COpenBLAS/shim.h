#ifndef WORKFORCE_COPENBLAS_SHIM_H
#define WORKFORCE_COPENBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
/* Declared by OpenBLAS's own cblas.h; repeated here so the shim does not depend on which
   cblas.h the Debian alternatives system points at. */
void openblas_set_num_threads(int num_threads);
#endif
