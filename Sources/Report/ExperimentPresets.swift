import Foundation

/// An experiment preset: one TOML file per figure of the seed papers, found by name.
///
/// Its description is the first sentence of its leading comment block, with the paper's quoted title left
/// out (the authors, venue, figure and setting); its kind is "train" when it has a `[data]` table (a
/// trained-network experiment, `collapse train`) and "ufm" otherwise (`collapse run`).
public struct ExperimentPreset: Sendable, Equatable {
    public enum Kind: String, Sendable { case ufm, train }
    public enum Origin: Sendable, Equatable {
        /// Shipped inside the binary (experiments/ of the source, `ExperimentPresets.shipped`).
        case shipped
        /// A file of a user preset folder (`--presets DIR`, `$NC_PRESETS`).
        case file(URL)
    }
    public var name: String
    public var origin: Origin
    public var text: String
    public var kind: Kind
    public var summary: String

    /// Where the preset comes from, for messages and provenance.
    public var location: String {
        switch origin {
        case .shipped: "shipped preset (experiments/\(name).toml in the source)"
        case .file(let u): u.path
        }
    }

    public init(name: String, origin: Origin, text: String) {
        self.name = name
        self.origin = origin
        self.text = text
        kind = text.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == "[data]" } ? .train : .ufm
        summary = ExperimentPresets.describe(text)
    }
}

/// The presets: those shipped inside the binary, plus those of user preset folders given explicitly with
/// `--presets DIR` or `$NC_PRESETS` (colon-separated). The current directory is never searched. A user
/// preset with the name of a shipped one never hides it: the shipped preset is used and the user file is
/// reported in `shadowed`, to be renamed.
public struct ExperimentPresets: Sendable {
    public var presets: [ExperimentPreset]
    /// User files ignored because a shipped preset (or an earlier folder) has their name.
    public var shadowed: [URL]

    public struct NotFound: Error, CustomStringConvertible {
        public var name: String
        public var available: [String]
        public init(name: String, available: [String]) {
            self.name = name
            self.available = available
        }
        public var description: String {
            "no preset named '\(name)'; available: \(available.joined(separator: ", ")) (collapse reproduce --list; "
                + "your own presets: --presets DIR or NC_PRESETS=DIR)"
        }
    }

    /// A user preset folder that cannot be read.
    public struct BadFolder: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "preset folder \(path): \(reason)" }
    }

    /// The user preset folders named by `$NC_PRESETS` (colon-separated), in order.
    public static func environmentFolders() -> [URL] {
        (ProcessInfo.processInfo.environment["NC_PRESETS"] ?? "").split(separator: ":").map { URL(fileURLWithPath: String($0)) }
    }

    /// The shipped presets, then those of `folders` (each folder's *.toml sorted by name).
    /// Throws when a folder does not exist or cannot be listed: a mistyped path is said, not ignored.
    public static func load(folders: [URL] = environmentFolders()) throws -> ExperimentPresets {
        var list = shipped.map { ExperimentPreset(name: $0.name, origin: .shipped, text: $0.text) }
        var shadowed: [URL] = []
        for dir in folders {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
                throw BadFolder(path: dir.path, reason: "no such folder")
            }
            let files: [String]
            do { files = try FileManager.default.contentsOfDirectory(atPath: dir.path) } catch {
                throw BadFolder(path: dir.path, reason: "cannot be listed (\(error.localizedDescription))")
            }
            for f in files.filter({ $0.hasSuffix(".toml") }).sorted() {
                let url = dir.appendingPathComponent(f)
                let name = url.deletingPathExtension().lastPathComponent
                guard !list.contains(where: { $0.name == name }) else { shadowed.append(url); continue }
                guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                    throw BadFolder(path: url.path, reason: "not readable as UTF-8 text")
                }
                list.append(ExperimentPreset(name: name, origin: .file(url), text: text))
            }
        }
        return ExperimentPresets(presets: list, shadowed: shadowed)
    }

    /// The preset called `name` (with or without `.toml`), or an error listing what exists.
    public func named(_ name: String) throws -> ExperimentPreset {
        let bare = name.hasSuffix(".toml") ? String(name.dropLast(5)) : name
        if let p = presets.first(where: { $0.name == bare }) { return p }
        throw NotFound(name: bare, available: presets.map(\.name))
    }

    /// A sentence for each shadowed user file.
    public var shadowWarnings: [String] {
        shadowed.map { "\($0.path) is not used: a shipped preset has the name '\($0.deletingPathExtension().lastPathComponent)'; rename the file" }
    }

    /// The first sentence of the leading comment block without the quoted paper title, at most `limit`
    /// characters: "Tirer & Bruna, ICML 2022, Sec. 6 / Figure 5 (MSE): ResNet18 trained on MNIST …".
    public static func describe(_ text: String, limit: Int = 150) -> String {
        guard var s = RunProvenance.leadingComments(text)?.split(separator: "\n").joined(separator: " ") else { return "" }
        // Drop the quoted paper title and the comma after it.
        if let open = s.firstIndex(of: "\""), let close = s[s.index(after: open)...].firstIndex(of: "\"") {
            var rest = s[s.index(after: close)...]
            if rest.hasPrefix(",") { rest = rest.dropFirst() }
            s = String(s[..<open]).trimmingCharacters(in: .whitespaces) + rest
            s = s.replacingOccurrences(of: ",  ", with: ", ").replacingOccurrences(of: ", ,", with: ",")
        }
        // The first sentence: up to "; " or ". " that does not end an abbreviation (Sec., Thm., Fig., e.g.).
        let abbreviations: Set<String> = ["Sec", "Secs", "Thm", "Fig", "Figs", "Eq", "Eqs", "al", "e.g", "i.e", "vs", "cf", "approx"]
        let chars = Array(s)
        var end = chars.count
        var i = 0
        while i < chars.count - 1 {
            if chars[i] == ";" && chars[i + 1] == " " { end = i; break }
            if chars[i] == "." && chars[i + 1] == " " {
                var j = i
                while j > 0, chars[j - 1] != " " { j -= 1 }
                if !abbreviations.contains(String(chars[j..<i])) { end = i; break }
            }
            i += 1
        }
        var out = String(chars[..<end]).trimmingCharacters(in: .whitespaces)
        if out.hasSuffix(".") { out.removeLast() }
        if out.count > limit { out = String(out.prefix(limit - 1)).trimmingCharacters(in: .whitespaces) + "…" }
        return out
    }
}
