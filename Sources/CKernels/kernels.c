// See include/ckernels.h. Every function is cloned for AVX-512, AVX2 and baseline x86-64 and the loader
// picks one per machine (target_clones, an ifunc). The clones compute bit-identical results: the package
// compiles this file with -ffp-contract=off (no fused multiply-adds that only some clones would form),
// and each reduction keeps eight partial sums, lane i taking elements ≡ i (mod 8), added up in one fixed
// order at the end, so the summation order does not depend on the vector width.
#include "ckernels.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__)) && !defined(NC_NO_CLONES)
#define NC_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NC_CLONES
#endif

typedef double v8d __attribute__((vector_size(64)));
typedef long long v8i __attribute__((vector_size(64)));

// Unaligned 8-double loads and stores, and the lanes' sum ((0+1)+(2+3))+((4+5)+(6+7)): the same order in
// every clone. Macros, not functions: a 64-byte vector may not cross a call in the AVX2 and baseline clones.
#define LOAD8(v, p) memcpy(&(v), (p), sizeof(v8d))
#define STORE8(p, v) memcpy((p), &(v), sizeof(v8d))
#define LANES_SUM(v) ((((v)[0] + (v)[1]) + ((v)[2] + (v)[3])) + (((v)[4] + (v)[5]) + ((v)[6] + (v)[7])))

NC_CLONES void nc_relu(double *x, ptrdiff_t count) {
    const v8d zero = {0};
    ptrdiff_t i = 0;
    for (; i + 8 <= count; i += 8) {
        v8d v;
        LOAD8(v, x + i);
        v8i negative = v < zero;  // false for NaN, so NaN survives
        v = (v8d)((v8i)v & ~negative);
        STORE8(x + i, v);
    }
    for (; i < count; i++) x[i] = x[i] < 0 ? 0 : x[i];
}

NC_CLONES void nc_relu_mask(double *d, const double *z, ptrdiff_t count) {
    const v8d zero = {0};
    ptrdiff_t i = 0;
    for (; i + 8 <= count; i += 8) {
        v8d a, g;
        LOAD8(a, z + i);
        LOAD8(g, d + i);
        v8i active = a > zero;
        g = (v8d)((v8i)g & active);
        STORE8(d + i, g);
    }
    for (; i < count; i++) d[i] = z[i] > 0 ? d[i] : 0;
}

NC_CLONES double nc_scaled_copy_squared_norm(double *dst, const double *src, double lambda, ptrdiff_t count) {
    v8d acc = {0};
    const v8d l = {lambda, lambda, lambda, lambda, lambda, lambda, lambda, lambda};
    ptrdiff_t i = 0;
    for (; i + 8 <= count; i += 8) {
        v8d v;
        LOAD8(v, src + i);
        v8d scaled = l * v;
        STORE8(dst + i, scaled);
        acc += v * v;
    }
    for (ptrdiff_t j = 0; i < count; i++, j++) {
        dst[i] = lambda * src[i];
        acc[j] += src[i] * src[i];
    }
    return LANES_SUM(acc);
}

NC_CLONES void nc_residual(double *x, ptrdiff_t count, double y, double scale, double *sum_squares, double *sum) {
    v8d s = {0}, t = {0};
    const v8d yv = {y, y, y, y, y, y, y, y};
    const v8d c = {scale, scale, scale, scale, scale, scale, scale, scale};
    ptrdiff_t i = 0;
    for (; i + 8 <= count; i += 8) {
        v8d r;
        LOAD8(r, x + i);
        r -= yv;
        s += r * r;
        v8d g = r * c;
        STORE8(x + i, g);
        t += g;
    }
    for (ptrdiff_t j = 0; i < count; i++, j++) {
        double r = x[i] - y;
        s[j] += r * r;
        double g = r * scale;
        x[i] = g;
        t[j] += g;
    }
    *sum_squares = LANES_SUM(s);
    *sum = LANES_SUM(t);
}
