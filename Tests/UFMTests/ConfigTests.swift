import Foundation
import Testing
@testable import UFM

let exampleTOML = """
[model]
classes = 4            # K
per_class = 50         # n
widths = [20, 20]      # d_1..d_L
activation = "relu"
loss = "mse"
bias = false
[regularization]
lambda_h = 0.005
lambda_w = 0.005
[optimizer]
method = "gd"
learning_rate = 0.1
steps = 30000
tolerance = 0.0
[init]
seed = 0
scale = 0.1
[log]
every = 100
"""

/// The error thrown by parsing `text` with `overrides`, if any.
func configError(_ text: String, _ overrides: [String] = []) -> ConfigError? {
    do { _ = try UFMConfig.parse(text, overrides: overrides); return nil } catch let e as ConfigError { return e } catch { return nil }
}

@Suite struct ConfigTests {
    @Test func parsesTheDocumentedExample() throws {
        let c = try UFMConfig.parse(exampleTOML)
        #expect(c.model == ModelSpec(classes: 4, perClass: 50, widths: [20, 20], activation: .relu, loss: .mse, bias: false,
                                     lambdaH: 0.005, lambdaW: [0.005, 0.005]))
        #expect(c.optimizer.method == .gd && c.optimizer.learningRate == 0.1 && c.optimizer.steps == 30000)
        #expect(c.initialization.seed == 0 && c.initialization.scale == 0.1)
        #expect(c.log.every == 100)
        #expect(c.warnings.isEmpty)
    }

    @Test func minimalConfigGetsDefaultsAndLambdaArrays() throws {
        let c = try UFMConfig.parse("""
        [model]
        classes = 3
        per_class = 2
        widths = [4, 5, 6]
        [regularization]
        lambda_h = 1e-3
        lambda_w = [1, 0.5, 0.25]
        """)
        #expect(c.model.lambdaW == [1, 0.5, 0.25])
        #expect(c.model.activation == .relu && c.model.loss == .mse && !c.model.bias)
        #expect(c.optimizer == OptimizerSettings())
        #expect(c.log == LogSettings() && c.run == RunSettings() && c.initialization == InitSettings())
    }

    /// The resolved TOML parses back to the same config, for non-default values of every key.
    @Test func resolvedTOMLRoundTrips() throws {
        var c = try UFMConfig.parse(exampleTOML)
        c.model.loss = .ce; c.model.bias = true; c.model.activation = .none
        c.model.lambdaW = [1e-5, 0.1 + 0.2]
        c.optimizer.method = .lbfgs; c.optimizer.tolerance = 1e-12; c.optimizer.nesterov = true; c.optimizer.history = 7
        c.initialization.file = "some dir/\"quoted\".npz"; c.initialization.seed = 12345
        c.log.checkpointEvery = 500; c.run.threads = 2
        let back = try UFMConfig.parse(c.toml)
        #expect(back == c)
        #expect(back.toml == c.toml)
    }

    @Test func overridesAreTyped() throws {
        let c = try UFMConfig.parse(exampleTOML, overrides: [
            "optimizer.learning_rate=0.05", "model.widths=[8, 8, 8]", "model.activation=none",
            "regularization.lambda_w=[0.1, 0.2, 0.3]", "optimizer.method=\"momentum\"", "optimizer.nesterov=true",
            "run.threads = 2", "init.file=/tmp/start.npz",
        ])
        #expect(c.optimizer.learningRate == 0.05)
        #expect(c.model.widths == [8, 8, 8] && c.model.lambdaW == [0.1, 0.2, 0.3])
        #expect(c.model.activation == .none)
        #expect(c.optimizer.method == .momentum && c.optimizer.nesterov)
        #expect(c.run.threads == 2)
        #expect(c.initialization.file == "/tmp/start.npz")
    }

    @Test func widthBelowKIsAWarningNotAnError() throws {
        let c = try UFMConfig.parse(exampleTOML, overrides: ["model.widths=[20, 3]"])
        #expect(c.warnings.count == 1)
        #expect(c.warnings.first?.key == "model.widths")
        #expect(c.warnings.first?.message.contains("d_2 = 3 < K = 4") == true)
    }

    @Test func largeCIsAWarning() throws {
        let c = try UFMConfig.parse(exampleTOML, overrides: ["model.widths=[20]", "regularization.lambda_h=0.1", "regularization.lambda_w=0.1"])
        #expect(c.warnings.contains { $0.key == "regularization" && $0.message.contains("≥ 1") })
    }

    @Test func unknownSectionAndKeyListTheValidOnes() {
        guard case .unknownSection(let n, let v) = configError(exampleTOML + "\n[optimiser]\nsteps = 1\n") else { Issue.record("no error"); return }
        #expect(n == "optimiser" && v.contains("optimizer"))
        guard case .unknownKey(let k, let valid) = configError(exampleTOML, ["optimizer.lr=0.1"]) else { Issue.record("no error"); return }
        #expect(k == "optimizer.lr" && valid.contains("learning_rate"))
        #expect(configError(exampleTOML, ["optimizer.lr=0.1"])!.description.contains("learning_rate"))
    }

    @Test(arguments: [
        ("model.classes=1", "model.classes"),
        ("model.classes=\"four\"", "model.classes"),
        ("model.per_class=0", "model.per_class"),
        ("model.widths=[20, 0]", "model.widths"),
        ("model.widths=20", "model.widths"),
        ("model.widths=[20.5]", "model.widths"),
        ("model.activation=tanh", "model.activation"),
        ("model.bias=1", "model.bias"),
        ("regularization.lambda_h=-0.1", "regularization.lambda_h"),
        ("regularization.lambda_w=[0.1, -1]", "regularization.lambda_w"),
        ("regularization.lambda_w=[0.1, 0.1, 0.1]", "regularization.lambda_w"),
        ("optimizer.learning_rate=0", "optimizer.learning_rate"),
        ("optimizer.learning_rate=-1", "optimizer.learning_rate"),
        ("optimizer.method=adam", "optimizer.method"),
        ("optimizer.steps=-5", "optimizer.steps"),
        ("optimizer.momentum=1.0", "optimizer.momentum"),
        ("init.seed=-1", "init.seed"),
        ("log.every=0", "log.every"),
    ])
    func invalidValuesNameTheirKey(override: String, key: String) {
        let e = configError(exampleTOML, [override])
        #expect(e != nil)
        #expect(e?.description.contains("'\(key)'") == true, "\(String(describing: e))")
    }

    @Test func missingRequiredKeyIsNamed() {
        let e = configError("[model]\nclasses = 4\nper_class = 5\nwidths = [4]\n[regularization]\nlambda_w = 0.1\n")
        #expect(e == .missingKey(key: "regularization.lambda_h", hint: "add it to the [regularization] section or pass --set regularization.lambda_h=…"))
    }

    @Test func syntaxErrorsCarryTheLine() {
        guard case .syntax(_, _, let line, _) = configError("[model]\nclasses = = 4\n") else { Issue.record("no syntax error"); return }
        #expect(line == 2)
    }

    @Test func badOverrides() {
        for o in ["optimizer.steps", "steps=5", "a.b.c=1", "optimizer.steps=\"unterminated", "model.widths=[20,}", "model.widths=[[["] {
            guard case .badOverride = configError(exampleTOML, [o]) else { Issue.record("\(o) accepted"); continue }
        }
    }

    /// Inputs that aborted the process when toml++ parsed the configs: now errors naming line and column.
    @Test(arguments: ["[[[", "[ #", "x = [}"]) func formerCrashersAreSyntaxErrors(text: String) {
        guard case .syntax(let source, _, 1, _) = configError(text) else { Issue.record("'\(text)': no syntax error on line 1"); return }
        #expect(source == "config")
    }

    @Test func unreadableFilesSayWhy() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("missing.toml")
        #expect(throws: ConfigError.unreadable(path: missing.path, reason: "\(missing.path): cannot read the config: no such file")) { try UFMConfig.load(missing) }
        let binary = dir.appendingPathComponent("binary.toml")
        try Data([0x5B, 0xFF, 0x5D]).write(to: binary)
        do { _ = try UFMConfig.load(binary); Issue.record("accepted") } catch let e as ConfigError {
            #expect(e.description.contains("not UTF-8") && e.description.contains("\(binary.path):1:2"), "\(e)")
        }
    }
}

@Suite struct PresetTests {
    /// Every UFM config in experiments/ parses and validates (the paper presets and the examples); the
    /// trained-network presets (those with a [data] table) are `collapse train` configs, tested in NetsTests.
    @Test func everyPresetParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("experiments")
        let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil).filter { $0.pathExtension == "toml" }
        #expect(!files.isEmpty)
        for f in files where !(try String(contentsOf: f, encoding: .utf8)).contains("\n[data]") {
            do { _ = try UFMConfig.load(f) } catch { Issue.record("\(f.lastPathComponent): \(error)") }
        }
    }
}
