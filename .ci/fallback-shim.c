// CI only: makes OpenBLAS load with OPENBLAS_CORETYPE=Prescott and then hides the variable, so that `collapse`
// starts as on a CPU that the library does not know (it fell back to its generic kernels by itself).
// `.ci/run` preloads this and expects start-up to switch to the CPU's own core.
// Built with -lopenblas so that this initializer runs after the library's own (dependencies first).
#include <stdlib.h>
__attribute__((constructor)) static void hide_coretype(void) { unsetenv("OPENBLAS_CORETYPE"); }
