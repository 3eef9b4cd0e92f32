import Foundation
import Testing
@testable import Formats

/// Files written here load in NumPy. Runs only when `python3 -c "import numpy"` works (it does after
/// `make setup`); otherwise it says why it skipped.
@Suite("NumPy interop")
struct InteropTests {
    static let hasNumPy: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import numpy"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    @Test("numpy.load reads our .npy (C and Fortran) and .npz (stored and deflated)",
          .enabled(if: hasNumPy, "python3 with numpy not found; run `make setup`"))
    func numpyLoads() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let arrays = sampleArrays()
        try NPZ.write(arrays, to: dir.appendingPathComponent("s.npz"))
        try NPZ.write(arrays, to: dir.appendingPathComponent("c.npz"), compressed: true)
        try NPY.write(arrays[1].array, to: dir.appendingPathComponent("f.npy"), fortranOrder: true)
        let script = """
        import numpy as np, sys
        d = sys.argv[1]
        for f in ("s.npz", "c.npz"):
            z = np.load(d + "/" + f)
            assert list(z.keys()) == ["f32", "f64", "i32", "i64", "u8", "scalar", "empty"], list(z.keys())
            assert z["f32"].dtype == np.float32 and z["f32"].shape == (3, 4) and z["f32"][2, 3] == 11 * 0.25 - 1
            assert z["i64"][1, 1] == np.iinfo(np.int64).max and z["u8"].dtype == np.uint8
            assert z["scalar"].shape == () and z["scalar"] == 3.5 and z["empty"].shape == (0, 3)
        f = np.load(d + "/f.npy")
        assert f.flags["F_CONTIGUOUS"] and f.shape == (2, 3, 2) and f[1, 2, 1] == 11 / 3 - 2
        print("ok")
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, dir.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0 && text.hasPrefix("ok"), "\(text)")
    }
}
