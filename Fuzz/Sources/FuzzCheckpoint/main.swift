import Foundation
import Formats
import FuzzSupport
import UFM

/// A UFM checkpoint (`checkpoint.npz`) restored against a fixed small config (the seeds are real
/// checkpoints of it, for each optimizer): the archive reader, then the restore's checks of names,
/// shapes, counters and optimizer state.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = bytes(start, count)
    guard let method = input.first else { return 0 }
    let url = inputFile(Array(input.dropFirst()), suffix: ".npz")
    let config = checkpointConfigs[Int(method) % checkpointConfigs.count]
    do {
        let arrays = try NPZ.read(url)
        _ = try UFMTrainer(config: config, checkpoint: arrays.map { ($0.name, $0.array) })
    } catch { expectClean(error) }
    return 0
}

/// The config the seeds were written with (Fuzz/make_seeds.sh), once per optimizer; the first input byte picks one.
let checkpointConfigs: [UFMConfig] = ["gd", "momentum", "lbfgs"].map { method in
    try! UFMConfig.parse("""
    [model]
    classes = 3
    per_class = 2
    widths = [4, 3]
    bias = true
    [regularization]
    lambda_h = 1e-3
    lambda_w = 1e-3
    [optimizer]
    method = "\(method)"
    """)
}

/// The executable's entry point (SwiftPM names it `FuzzCheckpoint_main`): libFuzzer's driver on `fuzzCheckpoint`.
@_cdecl("FuzzCheckpoint_main")
public func FuzzCheckpointMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzCheckpoint(nonNull(data), size) }
}
