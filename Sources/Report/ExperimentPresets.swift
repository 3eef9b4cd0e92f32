import Foundation

/// The experiment presets in `experiments/`: one TOML file per figure of the seed papers, found by name.
///
/// Search order for the folder: `$NC_EXPERIMENTS`, `./experiments`, then `experiments/` beside the
/// repository that holds the running binary (`.build/<config>/collapse` → `../../experiments`).
/// A preset's description is its first comment line; its kind is "train" when it has a `[data]` table
/// (a trained-network experiment, `collapse train`) and "ufm" otherwise (`collapse run`).
public struct ExperimentPreset: Sendable, Equatable {
    public enum Kind: String, Sendable { case ufm, train }
    public var name: String
    public var url: URL
    public var kind: Kind
    public var summary: String
}

public enum ExperimentPresets {
    public struct NotFound: Error, CustomStringConvertible {
        public var name: String
        public var available: [String]
        public var searched: [String]
        public init(name: String, available: [String], searched: [String]) {
            self.name = name
            self.available = available
            self.searched = searched
        }
        public var description: String {
            if available.isEmpty {
                return "no experiments folder found (searched \(searched.joined(separator: ", "))); set NC_EXPERIMENTS to the repository's experiments/"
            }
            return "no preset named '\(name)'; available: \(available.joined(separator: ", ")) (collapse reproduce --list)"
        }
    }

    /// Candidate folders, in search order.
    public static func searchPath(executable: String = CommandLine.arguments.first ?? "") -> [URL] {
        var dirs: [URL] = []
        if let env = ProcessInfo.processInfo.environment["NC_EXPERIMENTS"], !env.isEmpty { dirs.append(URL(fileURLWithPath: env)) }
        dirs.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("experiments"))
        let exe = URL(fileURLWithPath: executable).resolvingSymlinksInPath()
        dirs.append(exe.deletingLastPathComponent().appendingPathComponent("../../experiments").standardizedFileURL)
        return dirs
    }

    /// The first folder of the search path that exists.
    public static func directory() -> URL? {
        searchPath().first { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0.path, isDirectory: &d) && d.boolValue }
    }

    /// Every preset, sorted by name.
    public static func all() -> [ExperimentPreset] {
        guard let dir = directory(),
              let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return files.filter { $0.hasSuffix(".toml") }.sorted().compactMap { load(dir.appendingPathComponent($0)) }
    }

    /// The preset called `name` (with or without `.toml`), or an error listing what exists.
    public static func named(_ name: String) throws -> ExperimentPreset {
        let bare = name.hasSuffix(".toml") ? String(name.dropLast(5)) : name
        let presets = all()
        if let p = presets.first(where: { $0.name == bare }) { return p }
        throw NotFound(name: bare, available: presets.map(\.name), searched: searchPath().map(\.path))
    }

    static func load(_ url: URL) -> ExperimentPreset? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let summary = lines.first { $0.hasPrefix("#") }.map { $0.dropFirst().trimmingCharacters(in: .whitespaces) } ?? ""
        let isTrain = lines.contains { $0.trimmingCharacters(in: .whitespaces) == "[data]" }
        return ExperimentPreset(name: url.deletingPathExtension().lastPathComponent, url: url,
                                kind: isTrain ? .train : .ufm, summary: summary)
    }
}
