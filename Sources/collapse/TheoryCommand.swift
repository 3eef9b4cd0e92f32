import ArgumentParser
import Linalg
import Foundation
import Report
import UFM

/// `collapse theory`: the closed-form prediction for a UFM config (docs/theory.md).
struct TheoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "theory",
        abstract: "Print the closed-form prediction for a UFM config: regime, optimal value, scales and status.",
        discussion: """
        Reads the same TOML as `collapse run` (only [model] and [regularization] matter) and prints:
          regime     collapse | zero (whether a non-zero collapsed solution beats H = W = 0)
          objective  the predicted optimal value of f
          s*         the scale of the output class means, O̅ − b1ᵀ = s*·G
          control    κ = K·(n·λ_H·Π_l λ_Wl)^(1/(L+1)) (c = K·√(n·λ_H·λ_W) at L = 1), its threshold and the margin
          scales     a_l with H̄_lᵀH̄_l = a_l·G per level, b_l with W_lW_lᵀ = b_l·(projector) per weight,
                     where G = I_K (orthogonal frame) or I_K − 11ᵀ/K (simplex ETF)
          status     global (a theorem says the value is the global minimum) or dnc-candidate (only the
                     deep-neural-collapse solution's value: ReLU with K ≥ 3, L ≥ 3, where lower-rank
                     solutions can beat it, Súkeník, Mondelli & Lampert 2024)
        Configurations outside every closed form print "no closed form for this configuration: <reason>" (exit status 0; with --json, {"closed_form": false, "reason": …}).

        Examples:
          collapse theory experiments/tirer2022-fig4.toml
          collapse theory experiments/sukenik2024-lowrank.toml --json
          collapse theory cfg.toml --set regularization.lambda_h=0.01 --set model.bias=true
        """
    )

    @Argument(help: "The TOML config (as for `collapse run`).")
    var config: String

    @Option(name: .customLong("set"), help: "Override a config key, typed as TOML: --set section.key=value (repeatable).")
    var overrides: [String] = []

    @OptionGroup var memory: MemoryOption

    @Flag(help: "Print JSON (keys: closed_form, objective, regime, status, geometry, s_star, control, threshold, margin, scale, bias, reference, statement).")
    var json = false

    func run() throws {
        memory.apply()
        let cfg = try UFMConfig.load(URL(fileURLWithPath: config), overrides: overrides)
        for w in cfg.warnings { FileHandle.standardError.write(Data("\(w)\n".utf8)) }
        let spec = cfg.model
        // The prediction holds a bias vector of K entries (and its text); refuse a K that cannot be printed.
        var need = MemoryEstimate()
        need.add("the prediction's bias vector and its text (K = \(spec.classes))", bytes: spec.classes, 64)
        try need.check("theory for this model")
        if json {
            print(Theory.json(for: spec).serialized())
            do { _ = try Theory.predict(spec) } catch { if case .invalidSpec = error { throw ExitCode(1) } }
            return
        }
        let p: TheoryPrediction
        do { p = try Theory.predict(spec) } catch {
            print(error.description)
            if case .invalidSpec = error { throw ExitCode(1) }
            return
        }
        print(TheoryText.render(p))
    }
}

/// The human-readable form of a prediction.
enum TheoryText {
    static func render(_ p: TheoryPrediction) -> String {
        let s = p.spec
        let g: String
        switch p.geometry {
        case .orthogonalFrame: g = "I_K"
        case .simplexETF: g = "I_K − 11ᵀ/K"
        case .generalOrthogonalFrame: g = "diagonal, set by the counts n_k (per class below)"
        case .centeredGeneralFrame: g = "from the SVD of D^(1/2)(I − ŝŝᵀ), ŝ = D^(1/2)1/√N"
        }
        let controlName = !s.isBalanced ? (s.bias ? "max_i κ_i (smallest direction) = N·ν·a_i^(p−2)"
            : "max_k κ_k (smallest class) = N·ν·n_k^(−L/(L+1))") : s.depth == 1 ? "c = K·√(n·λ_H·λ_W)" : "κ = K·(n·λ_H·Π λ_Wl)^(1/(L+1))"
        var out: [String] = []
        out.append("model      K=\(s.classes) \(s.countsLabel) widths=\(s.widths) \(s.activation.rawValue) \(s.loss.rawValue) "
            + "bias=\(s.bias) λ_H=\(num(s.lambdaH)) λ_W=\(list(s.lambdaW))")
        let relation = (s.isBalanced ? p.regime == .collapse : p.control < p.threshold) ? "<" : "≥"
        let survivors = p.classPredictions.map { c in " (\(c.filter(\.survives).count) of \(c.count) classes survive)" } ?? ""
        out.append("regime     \(p.regime.rawValue)\(survivors): \(controlName) = \(num(p.control)) \(relation) threshold \(num(p.threshold)), "
            + "margin \(num(p.margin))")
        out.append("objective  \(num(p.objective))")
        out.append("s*         \(num(p.sStar))   (output class means O̅ − b1ᵀ = s*·G)")
        out.append("geometry   \(p.geometry.rawValue), G = \(g)")
        if let b = p.bias {
            out.append("bias       b = \(list(b))" + (s.loss == .ce ? "  (any multiple of 1_K: softmax ignores it)" : ""))
        }
        if let classes = p.classPredictions {
            out.append("classes    collapse iff n_k ≤ n_crit = \(num(Theory.collapseCount(s)))  (N = \(s.samples))")
            out.append("           class  n_k      survives  κ_k             t_k             ‖h_1,k‖         ‖h_L,k‖         ‖w_k‖ (row k of W_L)")
            for (k, c) in classes.enumerated() {
                out.append("           " + [pad(String(k), 5), pad(String(c.count), 7), pad(c.survives ? "yes" : "no", 8),
                    pad(num(c.control), 15), pad(num(c.outputScale), 15), pad(num(c.meanNorms[0]), 15),
                    pad(num(c.meanNorms[s.depth - 1]), 15), num(c.classifierRowNorm)].joined(separator: "  "))
            }
        }
        if !s.isBalanced, p.classPredictions == nil {
            out.append("scales     none per level: with a bias and unbalanced counts the class means follow the singular "
                + "vectors of D^(1/2)(I − ŝŝᵀ), not a fixed frame (docs/theory.md §9)")
            out.append("status     \(p.statusStatement)")
            out.append("reference  \(p.reference)")
            return out.joined(separator: "\n")
        }
        if !s.isBalanced { out.append("           (the scales below are those of the largest class)") }
        out.append("scales     level  a_l: H̄_lᵀH̄_l = a_l·G    b_l: W_lW_lᵀ = b_l·Π_l")
        for l in 1...s.depth {
            out.append("           \(pad(String(l), 5))  \(pad(num(p.featureScales[l - 1]), 24))  \(num(p.weightScales[l - 1]))")
        }
        out.append("           out    \(num(p.outputGramScale))  (= s*², the output class means' Gram scale)")
        out.append("status     \(p.statusStatement)")
        out.append("reference  \(p.reference)")
        return out.joined(separator: "\n")
    }

    static func num(_ x: Double) -> String { String(format: "%.12g", x) }
    static func list(_ xs: [Double]) -> String { "[" + xs.map(num).joined(separator: ", ") + "]" }
    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
}
