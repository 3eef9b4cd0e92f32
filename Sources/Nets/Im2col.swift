/// im2col / col2im on channel-major (C×B×H×W) batches, for a chunk of consecutive samples.
///
/// For a k×k convolution with stride s and zero padding p, output pixel (oy, ox) of sample b reads input
/// pixels (oy·s − p + ky, ox·s − p + kx). im2col lays these out as a (C·k·k) × (n·OH·OW) matrix
///   col[(c·k + ky)·k + kx, (j·OH + oy)·OW + ox] = x[c, b₀ + j, oy·s − p + ky, ox·s − p + kx]  (0 outside),
/// so that the convolution of samples b₀ … b₀+n−1 is the product W[C_out, C·k·k] · col.
/// col2im is its adjoint: it adds each column entry back onto the input pixel it was read from.
enum Im2col {
    /// The output columns ox whose input column ox·s − p + kx lies inside 0..<width.
    @inline(__always)
    static func validRange(kx: Int, stride s: Int, padding p: Int, inSize w: Int, outSize ow: Int) -> Range<Int> {
        let lo = p - kx > 0 ? (p - kx + s - 1) / s : 0
        let num = w - 1 + p - kx
        let hi = num < 0 ? 0 : Swift.min(ow, num / s + 1)
        return lo < hi ? lo..<hi : 0..<0
    }

    /// Writes the im2col matrix of samples `first ..< first + count` into `col` (row stride count·OH·OW).
    static func im2col(
        _ x: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int, batch: Int,
        first b0: Int, count n: Int, kernel k: Int, stride s: Int, padding p: Int,
        outHeight oh: Int, outWidth ow: Int, into col: UnsafeMutablePointer<Float>
    ) {
        let ld = n * oh * ow
        for ci in 0..<c {
            for ky in 0..<k {
                let yr = validRange(kx: ky, stride: s, padding: p, inSize: h, outSize: oh)
                for kx in 0..<k {
                    let xr = validRange(kx: kx, stride: s, padding: p, inSize: w, outSize: ow)
                    let row = col + ((ci * k + ky) * k + kx) * ld
                    for j in 0..<n {
                        let src = x + ((ci * batch + b0 + j) * h) * w
                        let dstSample = row + j * oh * ow
                        for oy in 0..<oh {
                            let d = dstSample + oy * ow
                            if !yr.contains(oy) || xr.isEmpty { d.update(repeating: 0, count: ow); continue }
                            let srow = src + (oy * s - p + ky) * w
                            if xr.lowerBound > 0 { d.update(repeating: 0, count: xr.lowerBound) }
                            if s == 1 {
                                d.advanced(by: xr.lowerBound).update(from: srow + (xr.lowerBound - p + kx), count: xr.count)
                            } else {
                                var ix = xr.lowerBound * s - p + kx
                                for ox in xr { d[ox] = srow[ix]; ix += s }
                            }
                            if xr.upperBound < ow { (d + xr.upperBound).update(repeating: 0, count: ow - xr.upperBound) }
                        }
                    }
                }
            }
        }
    }

    /// Adds the columns of `col` back onto the input pixels of samples `first ..< first + count` of `dx`
    /// (the adjoint of `im2col`). With `accumulate` false the chunk of `dx` is zeroed first.
    static func col2im(
        _ col: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int, batch: Int,
        first b0: Int, count n: Int, kernel k: Int, stride s: Int, padding p: Int,
        outHeight oh: Int, outWidth ow: Int, into dx: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        let ld = n * oh * ow
        if !accumulate {
            for ci in 0..<c { (dx + (ci * batch + b0) * h * w).update(repeating: 0, count: n * h * w) }
        }
        for ci in 0..<c {
            for ky in 0..<k {
                let yr = validRange(kx: ky, stride: s, padding: p, inSize: h, outSize: oh)
                for kx in 0..<k {
                    let xr = validRange(kx: kx, stride: s, padding: p, inSize: w, outSize: ow)
                    if xr.isEmpty { continue }
                    let row = col + ((ci * k + ky) * k + kx) * ld
                    for j in 0..<n {
                        let dst = dx + ((ci * batch + b0 + j) * h) * w
                        let srcSample = row + j * oh * ow
                        for oy in yr {
                            let sr = srcSample + oy * ow
                            let drow = dst + (oy * s - p + ky) * w
                            var ix = xr.lowerBound * s - p + kx
                            for ox in xr { drow[ix] += sr[ox]; ix += s }
                        }
                    }
                }
            }
        }
    }
}
