#include "ccpuid.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t xcr0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

int ccpuid_read(ccpuid_info *out) {
    memset(out, 0, sizeof *out);
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return 0;
    unsigned maxLeaf = a;
    memcpy(out->vendor + 0, &b, 4);
    memcpy(out->vendor + 4, &d, 4);
    memcpy(out->vendor + 8, &c, 4);
    __get_cpuid(1, &a, &b, &c, &d);
    unsigned baseFamily = (a >> 8) & 0xF, baseModel = (a >> 4) & 0xF;
    out->family = baseFamily == 0xF ? baseFamily + ((a >> 20) & 0xFF) : baseFamily;
    out->model = (baseFamily == 6 || baseFamily == 0xF) ? baseModel + (((a >> 16) & 0xF) << 4) : baseModel;
    uint32_t f = 0;
    if (c & (1u << 0)) f |= CCPUID_SSE3;
    if (c & (1u << 9)) f |= CCPUID_SSSE3;
    if (c & (1u << 19)) f |= CCPUID_SSE4_1;
    if (c & (1u << 20)) f |= CCPUID_SSE4_2;
    int osxsave = (c & (1u << 27)) != 0;
    uint64_t x = osxsave ? xcr0() : 0;
    int ymm = (x & 0x6) == 0x6;            // XMM and YMM state
    int zmm = ymm && (x & 0xE0) == 0xE0;   // opmask, ZMM_Hi256, Hi16_ZMM state
    int tiles = (x & 0x60000) == 0x60000;  // XTILECFG and XTILEDATA state
    if (ymm && (c & (1u << 28))) f |= CCPUID_AVX;
    if (ymm && (c & (1u << 12))) f |= CCPUID_FMA;
    if (maxLeaf >= 7) {
        unsigned b7, c7, d7, a1 = 0, b1, c1, d1;
        __cpuid_count(7, 0, a, b7, c7, d7);
        unsigned subleaves = a;
        if (subleaves >= 1) __cpuid_count(7, 1, a1, b1, c1, d1);
        if (ymm && (b7 & (1u << 5))) f |= CCPUID_AVX2;
        if (zmm) {
            if (b7 & (1u << 16)) f |= CCPUID_AVX512F;
            if (b7 & (1u << 17)) f |= CCPUID_AVX512DQ;
            if (b7 & (1u << 28)) f |= CCPUID_AVX512CD;
            if (b7 & (1u << 30)) f |= CCPUID_AVX512BW;
            if (b7 & (1u << 31)) f |= CCPUID_AVX512VL;
            if (d7 & (1u << 23)) f |= CCPUID_AVX512_FP16;
            if (a1 & (1u << 5)) f |= CCPUID_AVX512_BF16;
        }
        if (tiles) {
            if (d7 & (1u << 24)) f |= CCPUID_AMX_TILE;
            if (d7 & (1u << 22)) f |= CCPUID_AMX_BF16;
        }
    }
    out->features = f;
    return 1;
}
#else
int ccpuid_read(ccpuid_info *out) {
    memset(out, 0, sizeof *out);
    return 0;
}
#endif
