#ifndef WORKFORCE_COPENBLAS_SHIM_H
#define WORKFORCE_COPENBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
/* Declared by OpenBLAS's own cblas.h; repeated here so the shim does not depend on which
   cblas.h the Debian alternatives system points at. */
void openblas_set_num_threads(int num_threads);
/* OpenBLAS's version and build options, and the name of the kernels it chose for this
   processor, for the run manifest (the kernels decide the last bits of some results). */
char *openblas_get_config(void);
char *openblas_get_corename(void);

/* A threaded OpenBLAS stops its thread server with this; a serial one has none. Declared weak, so
   its address is null when nothing linked defines it. It is looked up this way rather than by
   dlsym because a statically linked OpenBLAS exports no symbols for dlsym to find. */
int blas_thread_shutdown_(void) __attribute__((weak));

/* Stops OpenBLAS's thread server if the linked OpenBLAS has one. */
static inline void workforce_blas_thread_shutdown(void) {
    if (blas_thread_shutdown_) {
        (void)blas_thread_shutdown_();
    }
}
#endif
