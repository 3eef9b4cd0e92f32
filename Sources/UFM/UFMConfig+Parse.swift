import Formats
import Linalg
import Foundation

/// Parsing and validation of the TOML config (docs/models.md, "Configuration").
extension UFMConfig {
    /// Every section and its keys, in the order the resolved config is written.
    public static let schema: [(section: String, keys: [String])] = [
        ("model", ["classes", "per_class", "widths", "activation", "loss", "bias"]),
        ("regularization", ["lambda_h", "lambda_w"]),
        ("optimizer", ["method", "learning_rate", "steps", "tolerance", "momentum", "nesterov", "history",
                       "max_line_search", "wolfe_c1", "wolfe_c2"]),
        ("init", ["seed", "scale", "file"]),
        ("log", ["every", "checkpoint_every"]),
        ("run", ["threads"]),
    ]

    /// Parses a TOML config, applies `overrides` (`section.key=value`, the value parsed as TOML, a bare word
    /// as a string) and validates the result. Required: `model.classes`, `model.per_class`, `model.widths`,
    /// `regularization.lambda_h`, `regularization.lambda_w`; every other key has the default shown by `toml`.
    /// Throws `ConfigError` naming the key.
    public static func parse(_ text: String, overrides: [String] = [], source: String = "config") throws -> UFMConfig {
        try parse(tree: ConfigError.wrapping { () throws(TOMLError) in try TOMLValue.parseDocument(text, source: source) }, overrides: overrides)
    }

    static func parse(tree: [String: TOMLValue], overrides: [String]) throws -> UFMConfig {
        var doc = tree
        for o in overrides { try apply(override: o, to: &doc) }
        return try build(doc)
    }

    static func apply(override o: String, to doc: inout [String: TOMLValue]) throws {
        guard let eq = o.firstIndex(of: "=") else { throw ConfigError.badOverride(text: o, reason: "no '='") }
        let path = o[..<eq].trimmingCharacters(in: .whitespaces)
        let raw = o[o.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ConfigError.badOverride(text: o, reason: "the key '\(path)' is not section.key")
        }
        let value = try ConfigError.wrapping { () throws(TOMLError) in try TOMLValue.parseOverrideValue(raw, override: o) }
        var section: [String: TOMLValue] = [:]
        if let existing = doc[parts[0]] {
            guard case .table(let t) = existing else { throw ConfigError.badOverride(text: o, reason: "'\(parts[0])' is not a section") }
            section = t
        }
        section[parts[1]] = value
        doc[parts[0]] = .table(section)
    }

    static func build(_ doc: [String: TOMLValue]) throws -> UFMConfig {
        let valid = schema.map(\.section)
        for (name, v) in doc.sorted(by: { $0.key < $1.key }) {
            guard valid.contains(name) else {
                if case .table = v { throw ConfigError.unknownSection(name: name, valid: valid) }
                throw ConfigError.unknownKey(key: name, valid: valid.map { "[\($0)]" })
            }
            guard case .table = v else { throw ConfigError.wrongType(key: name, expected: "a [\(name)] section", found: v.typeName) }
        }
        func section(_ name: String) throws -> Section {
            var values: [String: TOMLValue] = [:]
            if case .table(let t) = doc[name] { values = t }
            let s = Section(name: name, values: values)
            try s.rejectUnknownKeys(schema.first { $0.section == name }!.keys)
            return s
        }
        let m = try section("model"), r = try section("regularization"), o = try section("optimizer")
        let i = try section("init"), l = try section("log"), rn = try section("run")

        let widths = try m.intArray("widths")
        let lambdaW = try r.numberOrArray("lambda_w", required: true)
        guard lambdaW.count == 1 || lambdaW.count == widths.count else {
            throw ConfigError.invalidValue(key: "regularization.lambda_w", value: TOMLLiteral.doubles(lambdaW),
                                           reason: "give one number for every layer or an array of L = \(widths.count) numbers (one per entry of model.widths)")
        }
        let classes = try m.int("classes")
        let perClass = try m.intOrArray("per_class")
        if perClass.count == 1 {
            // One n for every class: bound N = K·n (and the K counts it expands to) before expanding it.
            let (samples, overflow) = classes.multipliedReportingOverflow(by: perClass[0])
            if classes >= 2, perClass[0] >= 1, overflow || samples > Int(Int32.max) {
                throw ConfigError.invalidValue(key: "model.per_class", value: "\(perClass[0])",
                                               reason: "N = K·n = \(classes)·\(perClass[0]) samples is more than 2^31 − 1")
            }
            var counts = MemoryEstimate()
            counts.add("the class counts n_k (K = \(classes))", bytes: max(classes, 0), 8)
            try counts.check("model.classes = \(classes)")
        }
        let spec = ModelSpec(
            classes: classes, counts: perClass.count == 1 ? Array(repeating: perClass[0], count: max(classes, 1)) : perClass,
            widths: widths,
            activation: try m.choice("activation", default: .relu, aliases: ["linear": .none, "identity": .none]), loss: try m.choice("loss", default: .mse),
            bias: try m.bool("bias", default: false), lambdaH: try r.double("lambda_h"),
            lambdaW: lambdaW.count == 1 ? Array(repeating: lambdaW[0], count: widths.count) : lambdaW)

        var opt = OptimizerSettings()
        opt.method = try o.choice("method", default: opt.method)
        opt.learningRate = try o.double("learning_rate", default: opt.learningRate)
        opt.steps = try o.int("steps", default: opt.steps)
        opt.tolerance = try o.double("tolerance", default: opt.tolerance)
        opt.momentum = try o.double("momentum", default: opt.momentum)
        opt.nesterov = try o.bool("nesterov", default: opt.nesterov)
        opt.history = try o.int("history", default: opt.history)
        opt.maxLineSearch = try o.int("max_line_search", default: opt.maxLineSearch)
        opt.wolfeC1 = try o.double("wolfe_c1", default: opt.wolfeC1)
        opt.wolfeC2 = try o.double("wolfe_c2", default: opt.wolfeC2)

        var ini = InitSettings()
        let seed = try i.int("seed", default: 0)
        guard seed >= 0 else { throw ConfigError.invalidValue(key: "init.seed", value: "\(seed)", reason: "the seed must be ≥ 0") }
        ini.seed = UInt64(seed)
        ini.scale = try i.double("scale", default: ini.scale)
        ini.file = try i.string("file", default: ini.file)

        var log = LogSettings()
        log.every = try l.int("every", default: log.every)
        log.checkpointEvery = try l.int("checkpoint_every", default: log.checkpointEvery)
        var run = RunSettings()
        run.threads = try rn.int("threads", default: run.threads)

        let config = UFMConfig(model: spec, optimizer: opt, initialization: ini, log: log, run: run)
        try config.validate()
        return config
    }

    /// Range checks (also for configs built in code). Throws `ConfigError.invalidValue` naming the key.
    public func validate() throws {
        func bad(_ key: String, _ v: Any, _ why: String) -> ConfigError { .invalidValue(key: key, value: "\(v)", reason: why) }
        let s = model
        guard s.classes >= 2 else { throw bad("model.classes", s.classes, "K must be at least 2") }
        guard s.counts.count == s.classes else {
            throw bad("model.per_class", TOMLLiteral.ints(s.counts),
                      "the array has \(s.counts.count) entries but model.classes = \(s.classes); give one count n_k per class, or one number for all")
        }
        if let k = s.counts.firstIndex(where: { $0 < 1 }) {
            throw bad("model.per_class", s.isBalanced ? "\(s.counts[k])" : TOMLLiteral.ints(s.counts),
                      s.isBalanced ? "n must be at least 1" : "class \(k) has n_\(k + 1) = \(s.counts[k]); every class needs at least 1 sample")
        }
        guard !s.widths.isEmpty else { throw bad("model.widths", "[]", "give at least one width (depth L = number of widths)") }
        if let j = s.widths.firstIndex(where: { $0 < 1 }) {
            throw bad("model.widths", TOMLLiteral.ints(s.widths), "width d_\(j + 1) = \(s.widths[j]) must be at least 1")
        }
        // K·n and every d_l·N must be countable before anything is sized by them.
        var samples = 0
        for n in s.counts {
            let (sum, overflow) = samples.addingReportingOverflow(n)
            guard !overflow, sum <= Int(Int32.max) else {
                throw s.isBalanced
                    ? bad("model.per_class", s.perClass, "N = K·n = \(s.classes)·\(s.perClass) samples is more than 2^31 − 1")
                    : bad("model.per_class", TOMLLiteral.ints(s.counts), "N = Σ n_k samples is more than 2^31 − 1")
            }
            samples = sum
        }
        if let j = s.widths.firstIndex(where: { $0.multipliedReportingOverflow(by: samples).overflow || $0 > Int(Int32.max) }) {
            throw bad("model.widths", TOMLLiteral.ints(s.widths), "width d_\(j + 1) = \(s.widths[j]) is too large (d_\(j + 1)·N overflows)")
        }
        guard s.lambdaH >= 0, s.lambdaH.isFinite else { throw bad("regularization.lambda_h", s.lambdaH, "λ_H must be finite and ≥ 0") }
        guard s.lambdaW.count == s.widths.count else {
            throw bad("regularization.lambda_w", TOMLLiteral.doubles(s.lambdaW), "needs L = \(s.widths.count) values, one per layer")
        }
        if let j = s.lambdaW.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
            throw bad("regularization.lambda_w", TOMLLiteral.doubles(s.lambdaW), "λ_W\(j + 1) = \(s.lambdaW[j]) must be finite and ≥ 0")
        }
        let o = optimizer
        guard o.learningRate > 0, o.learningRate.isFinite else { throw bad("optimizer.learning_rate", o.learningRate, "must be > 0") }
        guard o.steps >= 0 else { throw bad("optimizer.steps", o.steps, "must be ≥ 0") }
        guard o.tolerance >= 0, o.tolerance.isFinite else { throw bad("optimizer.tolerance", o.tolerance, "must be ≥ 0 (0 = never stop early)") }
        guard o.momentum >= 0, o.momentum < 1 else { throw bad("optimizer.momentum", o.momentum, "μ must be in [0, 1)") }
        guard o.history >= 1 else { throw bad("optimizer.history", o.history, "L-BFGS needs at least one pair") }
        guard o.maxLineSearch >= 1 else { throw bad("optimizer.max_line_search", o.maxLineSearch, "must be ≥ 1") }
        guard o.wolfeC1 > 0, o.wolfeC1 < o.wolfeC2, o.wolfeC2 < 1 else {
            throw bad("optimizer.wolfe_c1", o.wolfeC1, "need 0 < wolfe_c1 < wolfe_c2 < 1 (wolfe_c2 = \(o.wolfeC2))")
        }
        guard initialization.seed <= UInt64(Int64.max) else { throw bad("init.seed", initialization.seed, "must be ≤ 2^63 − 1 (a TOML integer)") }
        guard initialization.scale >= 0, initialization.scale.isFinite else { throw bad("init.scale", initialization.scale, "must be finite and ≥ 0") }
        guard log.every >= 1 else { throw bad("log.every", log.every, "must be ≥ 1") }
        guard log.checkpointEvery >= 0 else { throw bad("log.checkpoint_every", log.checkpointEvery, "must be ≥ 0 (0 = no checkpoints)") }
        guard run.threads >= 0 else { throw bad("run.threads", run.threads, "must be ≥ 0 (0 = automatic)") }
    }

    /// Legal choices outside the theory's assumptions.
    public var warnings: [ConfigWarning] {
        var w: [ConfigWarning] = []
        let s = model
        for (j, d) in s.widths.enumerated() where d < s.classes {
            w.append(ConfigWarning(key: "model.widths", message: "d_\(j + 1) = \(d) < K = \(s.classes): the collapsed (simplex ETF / orthogonal frame) optima of Tirer & Bruna and Súkeník et al. need every width ≥ K, so NC2 cannot hold exactly"))
        }
        if s.depth == 1, s.loss == .mse, !s.bias, s.isBalanced {
            let c = Double(s.classes) * (Double(s.perClass) * s.lambdaH * s.lambdaW[0]).squareRoot()
            if c >= 1 {
                w.append(ConfigWarning(key: "regularization", message: "c = K·√(n·λ_H·λ_W) = \(c) ≥ 1: the global minimizer is H = W = 0 (Tirer & Bruna, ICML 2022, Thm. 3.1), so the features collapse to zero"))
            }
        }
        if run.threads > 0, let note = BLASThreads.capped(run.threads).note {
            w.append(ConfigWarning(key: "run.threads", message: note))
        }
        if !s.isBalanced, s.loss == .mse, !s.bias, s.activation == .none || s.depth == 1, s.lambdaH > 0, s.lambdaW.allSatisfy({ $0 > 0 }) {
            let crit = Theory.collapseCount(s)
            let gone = s.counts.indices.filter { Double(s.counts[$0]) <= crit }
            if !gone.isEmpty {
                w.append(ConfigWarning(key: "model.per_class", message: "classes \(gone) have n_k ≤ n_crit = \(crit): at the global minimizer their class means and classifier rows are 0 (minority collapse; docs/theory.md §9)"))
            }
        }
        if initialization.scale == 0, initialization.file.isEmpty {
            w.append(ConfigWarning(key: "init.scale", message: "a zero initialization is a stationary point of every bias-free model: gradient methods will not move"))
        }
        return w
    }
}

/// One `[section]` of the document, with typed accessors that name `section.key` in every error.
struct Section {
    let name: String
    let values: [String: TOMLValue]

    func key(_ k: String) -> String { "\(name).\(k)" }

    func rejectUnknownKeys(_ known: [String]) throws {
        for k in values.keys.sorted() where !known.contains(k) {
            throw ConfigError.unknownKey(key: key(k), valid: known)
        }
    }

    private func value(_ k: String, required: Bool) throws -> TOMLValue? {
        if let v = values[k] { return v }
        if required { throw ConfigError.missingKey(key: key(k), hint: "add it to the [\(name)] section or pass --set \(key(k))=…") }
        return nil
    }

    func int(_ k: String, default d: Int? = nil) throws -> Int {
        guard let v = try value(k, required: d == nil) else { return d! }
        switch v {
        case .int(let x): return x
        case .double(let x) where x.isFinite && x == x.rounded() && abs(x) < 9e15: return Int(x)
        default: throw ConfigError.wrongType(key: key(k), expected: "an integer", found: v.typeName)
        }
    }

    func double(_ k: String, default d: Double? = nil) throws -> Double {
        guard let v = try value(k, required: d == nil) else { return d! }
        switch v {
        case .int(let x): return Double(x)
        case .double(let x): return x
        default: throw ConfigError.wrongType(key: key(k), expected: "a number", found: v.typeName)
        }
    }

    func bool(_ k: String, default d: Bool) throws -> Bool {
        guard let v = try value(k, required: false) else { return d }
        guard case .bool(let b) = v else { throw ConfigError.wrongType(key: key(k), expected: "true or false", found: v.typeName) }
        return b
    }

    func string(_ k: String, default d: String) throws -> String {
        guard let v = try value(k, required: false) else { return d }
        guard case .string(let s) = v else { throw ConfigError.wrongType(key: key(k), expected: "a string", found: v.typeName) }
        return s
    }

    /// A choice by raw value, case-insensitively, or by one of `aliases` (another name the docs or papers use).
    func choice<T: RawRepresentable & CaseIterable>(_ k: String, default d: T, aliases: [String: T] = [:]) throws -> T where T.RawValue == String {
        let s = try string(k, default: d.rawValue)
        guard let t = T(rawValue: s) ?? T(rawValue: s.lowercased()) ?? aliases[s.lowercased()] else {
            let names = T.allCases.map { "\"\($0.rawValue)\"" } + aliases.keys.sorted().map { "\"\($0)\" (= \"\(aliases[$0]!.rawValue)\")" }
            throw ConfigError.invalidValue(key: key(k), value: "\"\(s)\"", reason: "choose one of " + names.joined(separator: ", "))
        }
        return t
    }

    func intArray(_ k: String) throws -> [Int] {
        let v = try value(k, required: true)!
        guard case .array(let a) = v else { throw ConfigError.wrongType(key: key(k), expected: "an array of integers, e.g. [20, 20]", found: v.typeName) }
        return try a.map { e in
            switch e {
            case .int(let x): return x
            case .double(let x) where x.isFinite && x == x.rounded() && abs(x) < 9e15: return Int(x)
            default: throw ConfigError.wrongType(key: key(k), expected: "an array of integers", found: "an element \(e.typeName)")
            }
        }
    }

    /// An integer (returned as a one-element array) or an array of integers.
    func intOrArray(_ k: String) throws -> [Int] {
        let v = try value(k, required: true)!
        if case .array = v { return try intArray(k) }
        do { return [try int(k)] } catch {
            throw ConfigError.wrongType(key: key(k), expected: "an integer or an array of integers, e.g. 50 or [500, 500, 50]", found: v.typeName)
        }
    }

    func numberOrArray(_ k: String, required: Bool) throws -> [Double] {
        let v = try value(k, required: required)!
        switch v {
        case .int(let x): return [Double(x)]
        case .double(let x): return [x]
        case .array(let a):
            return try a.map { e in
                switch e {
                case .int(let x): return Double(x)
                case .double(let x): return x
                default: throw ConfigError.wrongType(key: key(k), expected: "a number or an array of numbers", found: "an element \(e.typeName)")
                }
            }
        default: throw ConfigError.wrongType(key: key(k), expected: "a number or an array of numbers", found: v.typeName)
        }
    }
}
