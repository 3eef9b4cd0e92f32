/// im2col / col2im on channel-major (C×B×H×W) batches, for a chunk of consecutive samples.
///
/// For a k×k convolution with stride s and zero padding p, output pixel (oy, ox) of sample b reads input
/// pixels (oy·s − p + ky, ox·s − p + kx). im2col lays these out as a (C·k·k) × (n·OH·OW) matrix
///   col[(c·k + ky)·k + kx, (j·OH + oy)·OW + ox] = x[c, b₀ + j, oy·s − p + ky, ox·s − p + kx]  (0 outside),
/// so that the convolution of samples b₀ … b₀+n−1 is the product W[C_out, C·k·k] · col.
/// col2im is its adjoint: it adds each column entry back onto the input pixel it was read from.
///
/// Loop order: for each (channel, sample) the k² rows of that input plane are written (or, in col2im,
/// accumulated) together, so the plane (H·W Floats) stays in L1; rows are copied with 16-wide vectors.
enum Im2col {
    /// The output columns ox whose input column ox·s − p + kx lies inside 0..<width.
    @inline(__always)
    static func validRange(kx: Int, stride s: Int, padding p: Int, inSize w: Int, outSize ow: Int) -> Range<Int> {
        let lo = p - kx > 0 ? (p - kx + s - 1) / s : 0
        let num = w - 1 + p - kx
        let hi = num < 0 ? 0 : Swift.min(ow, num / s + 1)
        return lo < hi ? lo..<hi : 0..<0
    }

    @inline(__always)
    static func copy(_ d: UnsafeMutablePointer<Float>, _ s: UnsafePointer<Float>, _ n: Int) {
        if n >= 16 {
            var i = 0
            while i + 16 <= n { Kernels.store(Kernels.load(s, i), d, i); i += 16 }
            if i < n { Kernels.store(Kernels.load(s, n - 16), d, n - 16) }  // overlapping tail
        } else {
            for i in 0..<n { d[i] = s[i] }
        }
    }

    @inline(__always)
    static func zero(_ d: UnsafeMutablePointer<Float>, _ n: Int) {
        if n >= 16 {
            var i = 0
            while i + 16 <= n { Kernels.store(Kernels.V(), d, i); i += 16 }
            if i < n { Kernels.store(Kernels.V(), d, n - 16) }
        } else {
            for i in 0..<n { d[i] = 0 }
        }
    }

    @inline(__always)
    static func add(_ d: UnsafeMutablePointer<Float>, _ s: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n { Kernels.store(Kernels.load(d, i) + Kernels.load(s, i), d, i); i += 16 }
        while i < n { d[i] += s[i]; i += 1 }
    }

    /// Writes the im2col matrix of samples `first ..< first + count` into `col` (row stride count·OH·OW).
    static func im2col(
        _ x: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int, batch: Int,
        first b0: Int, count n: Int, kernel k: Int, stride s: Int, padding p: Int,
        outHeight oh: Int, outWidth ow: Int, into col: UnsafeMutablePointer<Float>
    ) {
        let ld = n * oh * ow
        if s == 1 && oh == h && ow == w {
            sameIm2col(x, channels: c, height: h, width: w, batch: batch, first: b0, count: n, kernel: k, padding: p, into: col)
            return
        }
        for ci in 0..<c {
            for j in 0..<n {
                let src = x + ((ci * batch + b0 + j) * h) * w
                for ky in 0..<k {
                    let yr = validRange(kx: ky, stride: s, padding: p, inSize: h, outSize: oh)
                    for kx in 0..<k {
                        let xr = validRange(kx: kx, stride: s, padding: p, inSize: w, outSize: ow)
                        let dst = col + ((ci * k + ky) * k + kx) * ld + j * oh * ow
                        if xr.isEmpty || yr.isEmpty { zero(dst, oh * ow); continue }
                        if yr.lowerBound > 0 { zero(dst, yr.lowerBound * ow) }
                        for oy in yr {
                            let d = dst + oy * ow
                            let srow = src + (oy * s - p + ky) * w
                            if xr.lowerBound > 0 { for t in 0..<xr.lowerBound { d[t] = 0 } }
                            if s == 1 {
                                copy(d + xr.lowerBound, srow + (xr.lowerBound - p + kx), xr.count)
                            } else {
                                var ix = xr.lowerBound * s - p + kx
                                for ox in xr { d[ox] = srow[ix]; ix += s }
                            }
                            if xr.upperBound < ow { for t in xr.upperBound..<ow { d[t] = 0 } }
                        }
                        if yr.upperBound < oh { zero(dst + yr.upperBound * ow, (oh - yr.upperBound) * ow) }
                    }
                }
            }
        }
    }

    /// Adds the columns of `col` back onto the input pixels of samples `first ..< first + count` of `dx`
    /// (the adjoint of `im2col`). With `accumulate` false the chunk of `dx` is zeroed first.
    /// `col` is used as scratch (entries that fall into the zero padding are overwritten with 0).
    static func col2im(
        _ col: UnsafeMutablePointer<Float>, channels c: Int, height h: Int, width w: Int, batch: Int,
        first b0: Int, count n: Int, kernel k: Int, stride s: Int, padding p: Int,
        outHeight oh: Int, outWidth ow: Int, into dx: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        let ld = n * oh * ow
        if s == 1 && oh == h && ow == w {
            sameCol2im(col, channels: c, height: h, width: w, batch: batch, first: b0, count: n, kernel: k, padding: p,
                       into: dx, accumulate: accumulate)
            return
        }
        for ci in 0..<c {
            if !accumulate { zero(dx + (ci * batch + b0) * h * w, n * h * w) }
            for j in 0..<n {
                let dst = dx + ((ci * batch + b0 + j) * h) * w
                for ky in 0..<k {
                    let yr = validRange(kx: ky, stride: s, padding: p, inSize: h, outSize: oh)
                    for kx in 0..<k {
                        let xr = validRange(kx: kx, stride: s, padding: p, inSize: w, outSize: ow)
                        if xr.isEmpty { continue }
                        let src = col + ((ci * k + ky) * k + kx) * ld + j * oh * ow
                        for oy in yr {
                            let sr = src + oy * ow
                            let drow = dst + (oy * s - p + ky) * w
                            if s == 1 {
                                add(drow + (xr.lowerBound - p + kx), sr + xr.lowerBound, xr.count)
                            } else {
                                var ix = xr.lowerBound * s - p + kx
                                for ox in xr { drow[ix] += sr[ox]; ix += s }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: stride 1, "same" size (OH = H, OW = W): whole-plane shifts
    //
    // Row (c, ky, kx) of one sample is the input plane shifted by off = (ky − p)·W + (kx − p) in flat
    // index, except where the shift crosses the zero padding: the rows outside the valid oy range, and
    // the columns outside the valid ox range, which in flat indexing would wrap into a neighbouring row.
    // So: one long contiguous copy (or add), then the wrapped columns are fixed up — W times fewer
    // loop iterations than row-by-row copying.

    static func sameIm2col(
        _ x: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int, batch: Int,
        first b0: Int, count n: Int, kernel k: Int, padding p: Int, into col: UnsafeMutablePointer<Float>
    ) {
        let plane = h * w, ld = n * plane
        for ci in 0..<c {
            for j in 0..<n {
                let src = x + (ci * batch + b0 + j) * plane
                for ky in 0..<k {
                    let yr = validRange(kx: ky, stride: 1, padding: p, inSize: h, outSize: h)
                    for kx in 0..<k {
                        let xr = validRange(kx: kx, stride: 1, padding: p, inSize: w, outSize: w)
                        let dst = col + ((ci * k + ky) * k + kx) * ld + j * plane
                        if xr.isEmpty || yr.isEmpty { zero(dst, plane); continue }
                        let off = (ky - p) * w + (kx - p)
                        let lo = yr.lowerBound * w, hi = yr.upperBound * w
                        let a = Swift.max(lo, -off), b = Swift.min(hi, plane - off)
                        zero(dst, a)
                        if b > a { copy(dst + a, src + (a + off), b - a) }
                        zero(dst + b, plane - b)
                        if xr.lowerBound > 0 || xr.upperBound < w {
                            for oy in yr {
                                let d = dst + oy * w
                                for ox in 0..<xr.lowerBound { d[ox] = 0 }
                                for ox in xr.upperBound..<w { d[ox] = 0 }
                            }
                        }
                    }
                }
            }
        }
    }

    static func sameCol2im(
        _ col: UnsafeMutablePointer<Float>, channels c: Int, height h: Int, width w: Int, batch: Int,
        first b0: Int, count n: Int, kernel k: Int, padding p: Int, into dx: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        let plane = h * w, ld = n * plane
        for ci in 0..<c {
            if !accumulate { zero(dx + (ci * batch + b0) * plane, n * plane) }
            for j in 0..<n {
                let dst = dx + (ci * batch + b0 + j) * plane
                for ky in 0..<k {
                    let yr = validRange(kx: ky, stride: 1, padding: p, inSize: h, outSize: h)
                    for kx in 0..<k {
                        let xr = validRange(kx: kx, stride: 1, padding: p, inSize: w, outSize: w)
                        if xr.isEmpty || yr.isEmpty { continue }
                        let src = col + ((ci * k + ky) * k + kx) * ld + j * plane
                        if xr.lowerBound > 0 || xr.upperBound < w {
                            for oy in yr {
                                let s = src + oy * w
                                for ox in 0..<xr.lowerBound { s[ox] = 0 }
                                for ox in xr.upperBound..<w { s[ox] = 0 }
                            }
                        }
                        let off = (ky - p) * w + (kx - p)
                        let a = Swift.max(yr.lowerBound * w, -off), b = Swift.min(yr.upperBound * w, plane - off)
                        if b > a { add(dst + (a + off), src + a, b - a) }
                    }
                }
            }
        }
    }
}
