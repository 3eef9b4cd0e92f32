// Elementwise passes of the UFM objective, in C so that they can be compiled once per x86-64 vector
// width (GCC/Clang function multiversioning) while the rest of the package builds for baseline x86-64.
// Each pass is documented at its Swift call site, Sources/UFM/Kernels.swift.
#ifndef NC_CKERNELS_H
#define NC_CKERNELS_H

#include <stddef.h>

/// x ← max(x, 0) in place; NaN stays NaN.
void nc_relu(double *x, ptrdiff_t count);

/// d ← z > 0 ? d : 0.
void nc_relu_mask(double *d, const double *z, ptrdiff_t count);

/// dst ← λ·src; returns Σ src².
double nc_scaled_copy_squared_norm(double *dst, const double *src, double lambda, ptrdiff_t count);

/// r = x − y, x ← r·scale over x[0 ..< count]; writes Σ r² to *sum_squares and Σ r·scale to *sum.
void nc_residual(double *x, ptrdiff_t count, double y, double scale, double *sum_squares, double *sum);

#endif
