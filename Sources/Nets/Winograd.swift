/// Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, "Fast algorithms for convolutional neural
/// networks", CVPR 2016) for 3×3, stride-1, padding-1 convolutions on channel-major batches.
///
/// The output is cut into 2×2 tiles; tile (ty, tx) of sample b needs the 4×4 input patch d starting at
/// (2ty − 1, 2tx − 1) (zero outside the image). With
///
///   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],  Aᵀ = [1 1 1 0; 0 1 −1 −1],
///
/// each output tile is Y = Aᵀ [ Σ_c (G g_{o,c} Gᵀ) ⊙ (Bᵀ d_c B) ] A. Writing U_ξ[o, c] = (G g_{o,c} Gᵀ)_ξ and
/// V_ξ[c, t] = (Bᵀ d_{c,t} B)_ξ for the 16 positions ξ = 4i + j of a 4×4 tile and the tiles t, the sum over
/// channels is 16 independent matrix products M_ξ = U_ξ·V_ξ (C_out×C_in by C_in×T): 16 multiplications per
/// 4 outputs instead of 36 — 2.25× fewer flops than im2col, and V holds 4 values per input pixel, not 9.
///
/// Backward, by the adjoints of the same linear maps: dM = A·dY·Aᵀ per tile (zero outside the image),
/// dU_ξ = dM_ξ·V_ξᵀ, dW = Gᵀ·dU·G, dV_ξ = U_ξᵀ·dM_ξ, and dX = Σ_tiles B·dV·Bᵀ added back onto the patches.
/// Storage: U is [16][C_out][C_in]; V and M are [16][C][T] (ξ-major, row stride T + 16), T = n·TH·TW tiles
/// of a chunk of n samples, TH = ⌈H/2⌉, TW = ⌈W/2⌉, tile t = (j·TH + ty)·TW + tx.
///
/// Rounding differs from im2col (the transforms add and halve) by a few units in the last place relative
/// to the magnitudes involved; the finite-difference and direct-convolution tests cover both algorithms.
enum Winograd {
    // MARK: weights

    /// (x₀, (x₀+x₁+x₂)/2, (x₀−x₁+x₂)/2, x₂): G applied to a 3-vector.
    @inline(__always) static func g3(_ a: Float, _ b: Float, _ c: Float) -> SIMD4<Float> {
        SIMD4(a, (a + b + c) * 0.5, (a - b + c) * 0.5, c)
    }

    /// U[ξ][o][c] = (G g_{o,c} Gᵀ)_ξ for weights W[o, c, ·, ·] (PyTorch layout [O, C, 3, 3]), o in `outputs`.
    static func transformWeights(_ w: UnsafePointer<Float>, outChannels: Int, inChannels ci: Int, outputs: Range<Int>,
                                 into u: UnsafeMutablePointer<Float>) {
        let plane = outChannels * ci
        for o in outputs {
            for c in 0..<ci {
                let g = w + (o * ci + c) * 9
                // Columns of g (3 rows each) through G, then each row of the 4×3 result through G.
                let c0 = g3(g[0], g[3], g[6]), c1 = g3(g[1], g[4], g[7]), c2 = g3(g[2], g[5], g[8])
                let base = u + o * ci + c
                for i in 0..<4 {
                    let row = g3(c0[i], c1[i], c2[i])
                    for j in 0..<4 { base[(4 * i + j) * plane] = row[j] }
                }
            }
        }
    }

    /// Gᵀ applied to a 4-vector: (u₀ + (u₁+u₂)/2, (u₁−u₂)/2, (u₁+u₂)/2 + u₃).
    @inline(__always) static func gt4(_ u: SIMD4<Float>) -> SIMD3<Float> {
        SIMD3(u[0] + (u[1] + u[2]) * 0.5, (u[1] - u[2]) * 0.5, (u[1] + u[2]) * 0.5 + u[3])
    }

    /// dW[o, c] = Gᵀ·dU_{o,c}·G (the adjoint of `transformWeights`), o in `outputs`.
    static func transformWeightGradient(_ du: UnsafePointer<Float>, outChannels: Int, inChannels ci: Int, outputs: Range<Int>,
                                        into dw: UnsafeMutablePointer<Float>) {
        let plane = outChannels * ci
        for o in outputs {
            for c in 0..<ci {
                let base = du + o * ci + c
                // Rows of dU through Gᵀ (4 → 3 per row), then columns.
                var rows = (SIMD3<Float>(), SIMD3<Float>(), SIMD3<Float>(), SIMD3<Float>())
                for i in 0..<4 {
                    let r = gt4(SIMD4(base[(4 * i) * plane], base[(4 * i + 1) * plane], base[(4 * i + 2) * plane], base[(4 * i + 3) * plane]))
                    switch i { case 0: rows.0 = r; case 1: rows.1 = r; case 2: rows.2 = r; default: rows.3 = r }
                }
                let g = dw + (o * ci + c) * 9
                for j in 0..<3 {
                    let col = gt4(SIMD4(rows.0[j], rows.1[j], rows.2[j], rows.3[j]))
                    g[j] = col[0]; g[3 + j] = col[1]; g[6 + j] = col[2]
                }
            }
        }
    }

    // MARK: tiles
    //
    // The four tile transforms work on one row of tiles at a time, in "even/odd" space: a padded image row
    // (columns −1 … 2TW) is split once into E[p] = column 2p − 1 and O[p] = column 2p (p = 0 … TW), so
    // tile tx's four columns are E[tx], O[tx], E[tx+1], O[tx+1] and every tile formula is contiguous
    // 16-lane arithmetic over tx. (Swift's SIMD even/odd-half accessors compile to per-lane loops, so the
    // split and the merge back are plain scalar loops, once per image row.) Each of the 16 streams
    // V_ξ[c][·] receives 16 consecutive tiles per store; streams have row stride `ts` = T + 16
    // (`rowStride`) so that a full store past the last tile of a row stays inside the row's padding.

    typealias V16 = SIMD16<Float>

    /// The row stride of the V/M streams for T tiles.
    @inline(__always) static func rowStride(tiles t: Int) -> Int { t + 16 }
    /// Floats of one even/odd scratch array for an image of width `w` (TW + 1 entries plus a 16-wide load).
    @inline(__always) static func arrayCapacity(width w: Int) -> Int { ((w + 1) / 2 + 1 + 16 + 15) / 16 * 16 }
    /// Floats of scratch the transforms need for an h×w image: the even/odd split of a whole padded plane
    /// (2·TH + 2 rows) and 16 row arrays.
    static func scratchCount(height h: Int, width w: Int) -> Int { (2 * (2 * ((h + 1) / 2) + 2) + 16) * arrayCapacity(width: w) }

    /// Splits every row of an h×w plane into even/odd halves: padded row pr = iy + 1 (iy = −1 … 2TH) at
    /// `eo + 2·pr·cap` (E) and `+ cap` (O). Rows outside the image and entries past TW are left as they are
    /// (zero: the caller zeroes the buffer once).
    @inline(__always)
    static func splitPlane(_ plane: UnsafePointer<Float>, height h: Int, width w: Int, into eo: UnsafeMutablePointer<Float>, capacity cap: Int) {
        for iy in 0..<h {
            let e = eo + 2 * (iy + 1) * cap, o = e + cap, row = plane + iy * w, e1 = e + 1
            for p in 0..<(w / 2) { o[p] = row[2 * p]; e1[p] = row[2 * p + 1] }
            if w % 2 == 1 { o[w / 2] = row[w - 1] }
        }
    }

    @inline(__always) static func load16(_ p: UnsafePointer<Float>) -> V16 { UnsafeRawPointer(p).loadUnaligned(as: V16.self) }
    @inline(__always) static func store(_ v: V16, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V16.self) }
    @inline(__always) static func keep(_ v: V16, _ mask: SIMD16<UInt32>) -> V16 {
        unsafeBitCast(unsafeBitCast(v, to: SIMD16<UInt32>.self) & mask, to: V16.self)
    }

    // MARK: input

    /// V[ξ][c][t] = (Bᵀ d_{c,t} B)_ξ for samples first ..< first+n of x (C×B×H×W); row stride `rowStride(T)`.
    static func transformInput(_ x: UnsafePointer<Float>, channels: Int, height h: Int, width w: Int, batch: Int,
                               first b0: Int, count n: Int, into v: UnsafeMutablePointer<Float>, pad: UnsafeMutablePointer<Float>) {
        let th = (h + 1) / 2, tw = (w + 1) / 2, t = n * th * tw, ts = rowStride(tiles: t), cap = arrayCapacity(width: w)
        let xiStride = channels * ts
        let rowsEO = 2 * (2 * th + 2) * cap
        let eo = pad, tmp = pad + rowsEO  // the split plane; then E/O of the four Bᵀ-combined rows
        pad.update(repeating: 0, count: rowsEO + 8 * cap)
        for c in 0..<channels {
            for j in 0..<n {
                splitPlane(x + ((c * batch + b0 + j) * h) * w, height: h, width: w, into: eo, capacity: cap)
                for ty in 0..<th {
                    // Bᵀ·d on padded rows 2ty … 2ty+3 (image rows 2ty − 1 …): t0 = d0 − d2, t1 = d1 + d2,
                    // t2 = d2 − d1, t3 = d1 − d3, in both halves.
                    let d0 = eo + 2 * (2 * ty) * cap
                    var k = 0
                    while k < cap {
                        for half in 0..<2 {
                            let r0 = d0 + half * cap + k, r1 = r0 + 2 * cap, r2 = r0 + 4 * cap, r3 = r0 + 6 * cap
                            let a = load16(r0), b = load16(r1), cc = load16(r2), d = load16(r3)
                            let o = tmp + half * cap + k
                            store(a - cc, o); store(b + cc, o + 2 * cap); store(cc - b, o + 4 * cap); store(b - d, o + 6 * cap)
                        }
                        k += 16
                    }
                    // ·B per tile: (x₀ − x₂, x₁ + x₂, x₂ − x₁, x₁ − x₃), x₀ = E[tx], x₁ = O[tx], x₂ = E[tx+1], x₃ = O[tx+1].
                    let out = v + c * ts + (j * th + ty) * tw
                    var tx0 = 0
                    while tx0 < tw {
                        for r in 0..<4 {
                            let er = tmp + (2 * r) * cap + tx0, or = er + cap
                            let x0 = load16(er), x1 = load16(or), x2 = load16(er + 1), x3 = load16(or + 1)
                            let q = out + (4 * r) * xiStride + tx0
                            store(x0 - x2, q)
                            store(x1 + x2, q + xiStride)
                            store(x2 - x1, q + 2 * xiStride)
                            store(x1 - x3, q + 3 * xiStride)
                        }
                        tx0 += 16
                    }
                }
            }
        }
    }

    /// dX[c, b, ·] += Σ_tiles B·dV_{c,t}·Bᵀ on the patches (the adjoint of `transformInput`); with `accumulate`
    /// false the chunk of dX is zeroed first.
    static func transformInputAdjoint(_ dv: UnsafePointer<Float>, channels: Int, height h: Int, width w: Int, batch: Int,
                                      first b0: Int, count n: Int, into dx: UnsafeMutablePointer<Float>, accumulate: Bool,
                                      pad: UnsafeMutablePointer<Float>) {
        let th = (h + 1) / 2, tw = (w + 1) / 2, t = n * th * tw, ts = rowStride(tiles: t), cap = arrayCapacity(width: w)
        let xiStride = channels * ts
        let rowsEO = 2 * (2 * th + 2) * cap
        let eo = pad, tmp = pad + rowsEO  // the plane's gradient in even/odd space; the four rows of one tile row
        // All ones in the lanes of real tiles of the last 16-tile block of a row, zero past them.
        var lastMask = SIMD16<UInt32>()
        for l in 0..<(tw - (tw - 1) / 16 * 16) { lastMask[l] = .max }
        for c in 0..<channels {
            if !accumulate { (dx + (c * batch + b0) * h * w).update(repeating: 0, count: n * h * w) }
            for j in 0..<n {
                eo.update(repeating: 0, count: rowsEO)
                for ty in 0..<th {
                    let src = dv + c * ts + (j * th + ty) * tw
                    tmp.update(repeating: 0, count: 8 * cap)
                    // Per transformed row r, v·Bᵀ adds (v₀, v₁ − v₂ + v₃, v₁ + v₂ − v₀, −v₃) to E[tx], O[tx],
                    // E[tx+1], O[tx+1] (tiles overlap by two columns).
                    var tx0 = 0
                    while tx0 < tw {
                        for r in 0..<4 {
                            let q = src + (4 * r) * xiStride + tx0
                            var v0 = load16(q), v1 = load16(q + xiStride), v2 = load16(q + 2 * xiStride), v3 = load16(q + 3 * xiStride)
                            if tw - tx0 < 16 {
                                // Lanes past the last tile hold other tiles' values: clear them bitwise (exact).
                                v0 = keep(v0, lastMask); v1 = keep(v1, lastMask); v2 = keep(v2, lastMask); v3 = keep(v3, lastMask)
                            }
                            let er = tmp + (2 * r) * cap + tx0, or = er + cap
                            store(load16(er) + v0, er)
                            store(load16(or) + (v1 - v2 + v3), or)
                            store(load16(er + 1) + (v1 + v2 - v0), er + 1)
                            store(load16(or + 1) - v3, or + 1)
                        }
                        tx0 += 16
                    }
                    // B·(rows): padded row 2ty + r gains (t0, t1 − t2 + t3, t1 + t2 − t0, −t3)[r] (rows overlap by two).
                    let d0 = eo + 2 * (2 * ty) * cap
                    var k = 0
                    while k < cap {
                        for half in 0..<2 {
                            let s0 = tmp + half * cap + k
                            let t0 = load16(s0), t1 = load16(s0 + 2 * cap), t2 = load16(s0 + 4 * cap), t3 = load16(s0 + 6 * cap)
                            let r0 = d0 + half * cap + k, r1 = r0 + 2 * cap, r2 = r0 + 4 * cap, r3 = r0 + 6 * cap
                            store(load16(r0) + t0, r0)
                            store(load16(r1) + (t1 - t2 + t3), r1)
                            store(load16(r2) + (t1 + t2 - t0), r2)
                            store(load16(r3) - t3, r3)
                        }
                        k += 16
                    }
                }
                // Merge back: image column 2p from O[p], column 2p + 1 from E[p + 1], for every image row.
                let plane = dx + ((c * batch + b0 + j) * h) * w
                for iy in 0..<h {
                    let e1 = eo + 2 * (iy + 1) * cap + 1, o = e1 - 1 + cap, out = plane + iy * w
                    for p in 0..<(w / 2) { out[2 * p] += o[p]; out[2 * p + 1] += e1[p] }
                    if w % 2 == 1 { out[w - 1] += o[w / 2] }
                }
            }
        }
    }

    // MARK: output

    /// Y[o, b, 2ty + r, 2tx + q] = (Aᵀ M_{o,t} A)_{r,q}, cropped to the image, for samples first ..< first+n.
    static func transformOutput(_ m: UnsafePointer<Float>, channels: Int, height h: Int, width w: Int, batch: Int,
                                first b0: Int, count n: Int, into y: UnsafeMutablePointer<Float>, pad: UnsafeMutablePointer<Float>) {
        let th = (h + 1) / 2, tw = (w + 1) / 2, t = n * th * tw, ts = rowStride(tiles: t), cap = arrayCapacity(width: w)
        let xiStride = channels * ts
        let y00 = pad, y01 = pad + cap, y10 = pad + 2 * cap, y11 = pad + 3 * cap
        for o in 0..<channels {
            for j in 0..<n {
                let plane = y + ((o * batch + b0 + j) * h) * w
                for ty in 0..<th {
                    let src = m + o * ts + (j * th + ty) * tw
                    var tx0 = 0
                    while tx0 < tw {
                        @inline(__always) func mm(_ xi: Int) -> V16 { load16(src + xi * xiStride + tx0) }
                        // Aᵀ·M: s0 = m0 + m1 + m2, s1 = m1 − m2 − m3 over the rows of M; then ·A on each row.
                        let s00 = mm(0) + mm(4) + mm(8), s01 = mm(1) + mm(5) + mm(9)
                        let s02 = mm(2) + mm(6) + mm(10), s03 = mm(3) + mm(7) + mm(11)
                        let s10 = mm(4) - mm(8) - mm(12), s11 = mm(5) - mm(9) - mm(13)
                        let s12 = mm(6) - mm(10) - mm(14), s13 = mm(7) - mm(11) - mm(15)
                        store(s00 + s01 + s02, y00 + tx0); store(s01 - s02 - s03, y01 + tx0)
                        store(s10 + s11 + s12, y10 + tx0); store(s11 - s12 - s13, y11 + tx0)
                        tx0 += 16
                    }
                    let row0 = plane + 2 * ty * w
                    for tx in 0..<(w / 2) { row0[2 * tx] = y00[tx]; row0[2 * tx + 1] = y01[tx] }
                    if w % 2 == 1 { row0[w - 1] = y00[tw - 1] }
                    if 2 * ty + 1 < h {
                        let row1 = row0 + w
                        for tx in 0..<(w / 2) { row1[2 * tx] = y10[tx]; row1[2 * tx + 1] = y11[tx] }
                        if w % 2 == 1 { row1[w - 1] = y10[tw - 1] }
                    }
                }
            }
        }
    }

    /// dM_{o,t} = A·dY_{o,t}·Aᵀ (the adjoint of `transformOutput`; dY is zero outside the image).
    static func transformOutputAdjoint(_ dy: UnsafePointer<Float>, channels: Int, height h: Int, width w: Int, batch: Int,
                                       first b0: Int, count n: Int, into dm: UnsafeMutablePointer<Float>, pad: UnsafeMutablePointer<Float>) {
        let th = (h + 1) / 2, tw = (w + 1) / 2, t = n * th * tw, ts = rowStride(tiles: t), cap = arrayCapacity(width: w)
        let xiStride = channels * ts
        let ga = pad, gb = pad + cap, gc = pad + 2 * cap, gd = pad + 3 * cap
        for o in 0..<channels {
            for j in 0..<n {
                let plane = dy + ((o * batch + b0 + j) * h) * w
                for ty in 0..<th {
                    // The tiles' 2×2 gradients [a b; c d], zero outside the image.
                    pad.update(repeating: 0, count: 4 * cap)
                    let row0 = plane + 2 * ty * w
                    for tx in 0..<(w / 2) { ga[tx] = row0[2 * tx]; gb[tx] = row0[2 * tx + 1] }
                    if w % 2 == 1 { ga[tw - 1] = row0[w - 1] }
                    if 2 * ty + 1 < h {
                        let row1 = row0 + w
                        for tx in 0..<(w / 2) { gc[tx] = row1[2 * tx]; gd[tx] = row1[2 * tx + 1] }
                        if w % 2 == 1 { gc[tw - 1] = row1[w - 1] }
                    }
                    let out = dm + o * ts + (j * th + ty) * tw
                    var tx0 = 0
                    while tx0 < tw {
                        let a = load16(ga + tx0), b = load16(gb + tx0), c = load16(gc + tx0), d = load16(gd + tx0)
                        // A·dY rows: (a, b), (a + c, b + d), (a − c, b − d), (−c, −d); each row (p, q)·Aᵀ = (p, p + q, p − q, −q).
                        @inline(__always) func put(_ i: Int, _ p: V16, _ q: V16) {
                            let base = out + (4 * i) * xiStride + tx0
                            store(p, base)
                            store(p + q, base + xiStride)
                            store(p - q, base + 2 * xiStride)
                            store(-q, base + 3 * xiStride)
                        }
                        put(0, a, b)
                        put(1, a + c, b + d)
                        put(2, a - c, b - d)
                        put(3, -c, -d)
                        tx0 += 16
                    }
                }
            }
        }
    }
}
