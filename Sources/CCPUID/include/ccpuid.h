// CPUID and XGETBV on x86-64: the processor's vendor, family, model and the instruction-set features that both
// the CPU reports and the operating system has enabled. Read once at start-up to choose OpenBLAS's kernels.
#ifndef CCPUID_H
#define CCPUID_H

#include <stdint.h>

/// Feature bits of `ccpuid_info.features`. A vector extension is set only when the OS saves its registers
/// (XCR0): AVX needs the YMM state, AVX-512 the opmask/ZMM states, AMX the tile states.
enum {
    CCPUID_SSE3 = 1 << 0,
    CCPUID_SSSE3 = 1 << 1,
    CCPUID_SSE4_1 = 1 << 2,
    CCPUID_SSE4_2 = 1 << 3,
    CCPUID_AVX = 1 << 4,
    CCPUID_FMA = 1 << 5,
    CCPUID_AVX2 = 1 << 6,
    CCPUID_AVX512F = 1 << 7,
    CCPUID_AVX512DQ = 1 << 8,
    CCPUID_AVX512CD = 1 << 9,
    CCPUID_AVX512BW = 1 << 10,
    CCPUID_AVX512VL = 1 << 11,
    CCPUID_AVX512_BF16 = 1 << 12,
    CCPUID_AVX512_FP16 = 1 << 13,
    CCPUID_AMX_TILE = 1 << 14,
    CCPUID_AMX_BF16 = 1 << 15,
};

typedef struct {
    char vendor[13];     ///< "GenuineIntel", "AuthenticAMD", …, NUL-terminated; empty off x86-64
    uint32_t family;     ///< display family: base family, plus the extended family when the base is 0xF
    uint32_t model;      ///< display model: base model, plus extended model << 4 for families 6 and 0xF
    uint32_t features;   ///< CCPUID_* bits, usable ones only
} ccpuid_info;

/// Fills `out`; returns 1 on x86-64, 0 elsewhere (then `out` is all zeros).
int ccpuid_read(ccpuid_info *out);

#endif
