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
/// Storage: U is [16][C_out][C_in]; V and M are [16][C][T] (ξ-major), T = n·TH·TW tiles of a chunk of n
/// samples, TH = ⌈H/2⌉, TW = ⌈W/2⌉, tile t = (j·TH + ty)·TW + tx.
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

    // MARK: input

    /// V[ξ][c][t] = (Bᵀ d_{c,t} B)_ξ for samples first ..< first+n of x (C×B×H×W); `ld` = T, the row length.
    /// `pad` is scratch for 4 padded rows of 2·TW + 2 Floats.
    static func transformInput(_ x: UnsafePointer<Float>, channels: Int, height h: Int, width w: Int, batch: Int,
                               first b0: Int, count n: Int, into v: UnsafeMutablePointer<Float>, pad: UnsafeMutablePointer<Float>) {
        let th = (h + 1) / 2, tw = (w + 1) / 2, t = n * th * tw, pw = 2 * tw + 2
        let xiStride = channels * t
        for c in 0..<channels {
            for j in 0..<n {
                let plane = x + ((c * batch + b0 + j) * h) * w
                for ty in 0..<th {
                    // Bᵀ·d on whole rows: t0 = d0 − d2, t1 = d1 + d2, t2 = d2 − d1, t3 = d1 − d3, with d_r the
                    // input row 2ty − 1 + r padded to columns −1 … 2TW (zeros outside the image).
                    pad.update(repeating: 0, count: 4 * pw)
                    for r in 0..<4 {
                        let iy = 2 * ty - 1 + r
                        if iy >= 0 && iy < h { (pad + r * pw + 1).update(from: plane + iy * w, count: w) }
                    }
                    let d0 = pad, d1 = pad + pw, d2 = pad + 2 * pw, d3 = pad + 3 * pw
                    for k in 0..<pw {
                        let a = d0[k], b = d1[k], cc = d2[k], d = d3[k]
                        d0[k] = a - cc; d1[k] = b + cc; d2[k] = cc - b; d3[k] = b - d
                    }
                    // ·B on each transformed row, tile by tile: (x₀ − x₂, x₁ + x₂, x₂ − x₁, x₁ − x₃), x_q = row[2tx + q].
                    let tbase = (j * th + ty) * tw
                    for r in 0..<4 {
                        let row = pad + r * pw
                        let out = v + (4 * r) * xiStride + c * t + tbase
                        for tx in 0..<tw {
                            let x0 = row[2 * tx], x1 = row[2 * tx + 1], x2 = row[2 * tx + 2], x3 = row[2 * tx + 3]
                            out[tx] = x0 - x2
                            out[xiStride + tx] = x1 + x2
                            out[2 * xiStride + tx] = x2 - x1
                            out[3 * xiStride + tx] = x1 - x3
                        }
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
        let th = (h + 1) / 2, tw = (w + 1) / 2, t = n * th * tw, pw = 2 * tw + 2
        let xiStride = channels * t
        for c in 0..<channels {
            if !accumulate { (dx + (c * batch + b0) * h * w).update(repeating: 0, count: n * h * w) }
            for j in 0..<n {
                let plane = dx + ((c * batch + b0 + j) * h) * w
                for ty in 0..<th {
                    // Per transformed row r: row·Bᵀ scattered over columns, tiles overlapping by 2 columns.
                    pad.update(repeating: 0, count: 4 * pw)
                    let tbase = (j * th + ty) * tw
                    for r in 0..<4 {
                        let row = pad + r * pw
                        let src = dv + (4 * r) * xiStride + c * t + tbase
                        for tx in 0..<tw {
                            let v0 = src[tx], v1 = src[xiStride + tx], v2 = src[2 * xiStride + tx], v3 = src[3 * xiStride + tx]
                            // B·v = (v₀, v₁ − v₂ + v₃, −v₀ + v₁ + v₂, −v₃) at columns 2tx … 2tx+3.
                            row[2 * tx] += v0
                            row[2 * tx + 1] += v1 - v2 + v3
                            row[2 * tx + 2] += v1 + v2 - v0
                            row[2 * tx + 3] -= v3
                        }
                    }
                    // B·(rows): d0 = t0, d1 = t1 − t2 + t3, d2 = −t0 + t1 + t2, d3 = −t3, added to rows 2ty − 1 + r.
                    let t0 = pad, t1 = pad + pw, t2 = pad + 2 * pw, t3 = pad + 3 * pw
                    for r in 0..<4 {
                        let iy = 2 * ty - 1 + r
                        guard iy >= 0 && iy < h else { continue }
                        let out = plane + iy * w
                        for ix in 0..<w {
                            let k = ix + 1
                            let value: Float
                            switch r {
                            case 0: value = t0[k]
                            case 1: value = t1[k] - t2[k] + t3[k]
                            case 2: value = t1[k] + t2[k] - t0[k]
                            default: value = -t3[k]
                            }
                            out[ix] += value
                        }
                    }
                }
            }
        }
    }

    // MARK: output

    /// Y[o, b, 2ty + r, 2tx + q] = (Aᵀ M_{o,t} A)_{r,q}, cropped to the image, for samples first ..< first+n.
    static func transformOutput(_ m: UnsafePointer<Float>, channels: Int, height h: Int, width w: Int, batch: Int,
                                first b0: Int, count n: Int, into y: UnsafeMutablePointer<Float>) {
        let th = (h + 1) / 2, tw = (w + 1) / 2, t = n * th * tw
        let xiStride = channels * t
        for o in 0..<channels {
            for j in 0..<n {
                let plane = y + ((o * batch + b0 + j) * h) * w
                for ty in 0..<th {
                    let src = m + o * t + (j * th + ty) * tw
                    let row0 = plane + 2 * ty * w
                    let hasRow1 = 2 * ty + 1 < h
                    for tx in 0..<tw {
                        @inline(__always) func mm(_ xi: Int) -> Float { src[xi * xiStride + tx] }
                        // Aᵀ·M: s0 = m0 + m1 + m2, s1 = m1 − m2 − m3 (rows of M); then ·A on each.
                        let s00 = mm(0) + mm(4) + mm(8), s01 = mm(1) + mm(5) + mm(9)
                        let s02 = mm(2) + mm(6) + mm(10), s03 = mm(3) + mm(7) + mm(11)
                        let s10 = mm(4) - mm(8) - mm(12), s11 = mm(5) - mm(9) - mm(13)
                        let s12 = mm(6) - mm(10) - mm(14), s13 = mm(7) - mm(11) - mm(15)
                        let x = 2 * tx
                        row0[x] = s00 + s01 + s02
                        if x + 1 < w { row0[x + 1] = s01 - s02 - s03 }
                        if hasRow1 {
                            row0[w + x] = s10 + s11 + s12
                            if x + 1 < w { row0[w + x + 1] = s11 - s12 - s13 }
                        }
                    }
                }
            }
        }
    }

    /// dM_{o,t} = A·dY_{o,t}·Aᵀ (the adjoint of `transformOutput`; dY is zero outside the image).
    static func transformOutputAdjoint(_ dy: UnsafePointer<Float>, channels: Int, height h: Int, width w: Int, batch: Int,
                                       first b0: Int, count n: Int, into dm: UnsafeMutablePointer<Float>) {
        let th = (h + 1) / 2, tw = (w + 1) / 2, t = n * th * tw
        let xiStride = channels * t
        for o in 0..<channels {
            for j in 0..<n {
                let plane = dy + ((o * batch + b0 + j) * h) * w
                for ty in 0..<th {
                    let out = dm + o * t + (j * th + ty) * tw
                    let row0 = plane + 2 * ty * w
                    let hasRow1 = 2 * ty + 1 < h
                    for tx in 0..<tw {
                        let x = 2 * tx, hasCol1 = x + 1 < w
                        let a = row0[x], b: Float = hasCol1 ? row0[x + 1] : 0
                        let c: Float = hasRow1 ? row0[w + x] : 0, d: Float = hasRow1 && hasCol1 ? row0[w + x + 1] : 0
                        // A·dY rows: (a, b), (a + c, b + d), (a − c, b − d), (−c, −d); each row (p, q)·Aᵀ = (p, p + q, p − q, −q).
                        @inline(__always) func put(_ i: Int, _ p: Float, _ q: Float) {
                            out[(4 * i) * xiStride + tx] = p
                            out[(4 * i + 1) * xiStride + tx] = p + q
                            out[(4 * i + 2) * xiStride + tx] = p - q
                            out[(4 * i + 3) * xiStride + tx] = -q
                        }
                        put(0, a, b)
                        put(1, a + c, b + d)
                        put(2, a - c, b - d)
                        put(3, -c, -d)
                    }
                }
            }
        }
    }
}
