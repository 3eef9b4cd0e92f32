import CBuildInfo
import Foundation
import Linalg

/// Where a run came from, recorded in `summary.json` (`"provenance"`) and shown at the top of `index.html`:
/// the preset and its citation, the command line, the `--set` overrides, and the toolkit's version and
/// git commit. A value that is not known is written as the string "unknown", never guessed.
///
/// The BLAS in use (library, version, kernel) is a separate record of summary.json, filled by Linalg's
/// BLAS report; `extra` is where such records join the provenance object when a caller has them.
public struct RunProvenance: Sendable, Equatable {
    /// The preset's name (`collapse reproduce NAME`), nil for a config file given by path.
    public var preset: String?
    /// The config file the run was started from.
    public var configFile: String?
    /// The config file's leading comment block (the citation, figure and setting of a preset), without `#`.
    public var citation: String?
    /// One line: the figure and setting (`ExperimentPresets.describe`), shown after the run's name as the
    /// page title.
    public var description: String?
    /// The arguments the toolkit was invoked with, the program name first.
    public var commandLine: [String]
    /// The `--set section.key=value` overrides, in order.
    public var overrides: [String]
    /// The toolkit version (`Linalg.version`).
    public var toolkitVersion: String
    /// The git commit the binary was built from; "unknown" when the build did not embed it.
    public var gitCommit: String
    /// Further records (e.g. the BLAS report), appended to the JSON object in order.
    public var extra: [(String, JSONValue)]
    /// The command line of the run's start, as recorded, when this provenance was read back for a resume.
    var originalCommandLine: String?

    public init(preset: String? = nil, configFile: String? = nil, citation: String? = nil, description: String? = nil,
                commandLine: [String] = CommandLine.arguments, overrides: [String] = [],
                toolkitVersion: String = Linalg.version, gitCommit: String = RunProvenance.builtCommit,
                extra: [(String, JSONValue)] = []) {
        self.preset = preset
        self.configFile = configFile
        self.citation = citation
        self.description = description
        self.commandLine = commandLine
        self.overrides = overrides
        self.toolkitVersion = toolkitVersion
        self.gitCommit = gitCommit
        self.extra = extra
    }

    public static func == (a: RunProvenance, b: RunProvenance) -> Bool { a.json == b.json }

    /// The commit embedded at build time (`CBuildInfo`, written by scripts/build-info.sh under `make build`
    /// and `make test`; "-dirty" when the tree had uncommitted changes). "unknown" for a build that did not
    /// run it: never read from a checkout that may have moved on since the binary was built.
    public static let builtCommit = String(cString: cbuildinfo_git_commit())

    /// The `"provenance"` object of summary.json.
    public var json: JSONValue {
        var o: JSONValue = [:]
        o.set("preset", preset.map { .string($0) } ?? .null)
        o.set("config_file", configFile.map { .string($0) } ?? .null)
        o.set("description", description.map { .string($0) } ?? .null)
        o.set("citation", citation.map { .string($0) } ?? .null)
        o.set("command_line", .string(originalCommandLine ?? RunProvenance.shellQuoted(commandLine)))
        o.set("overrides", .array(overrides.map { .string($0) }))
        o.set("toolkit_version", .string(toolkitVersion))
        o.set("git_commit", .string(gitCommit))
        for (k, v) in extra { o.set(k, v) }
        return o
    }

    /// The provenance of an earlier summary.json (a resumed run keeps where it came from), with the
    /// resuming command line added as `resumed_by`; nil when `summary` has none.
    public static func resumed(from summary: JSONValue?) -> RunProvenance? {
        guard let p = summary?["provenance"], p.members != nil else { return nil }
        var r = RunProvenance(preset: p["preset"]?.string, configFile: p["config_file"]?.string, citation: p["citation"]?.string,
                              description: p["description"]?.string, commandLine: [],
                              overrides: (p["overrides"]?.elements ?? []).compactMap { $0.string },
                              toolkitVersion: p["toolkit_version"]?.string ?? "unknown", gitCommit: p["git_commit"]?.string ?? "unknown")
        let known: Set<String> = ["preset", "config_file", "citation", "description", "command_line", "overrides", "toolkit_version", "git_commit", "resumed_by"]
        r.extra = (p.members ?? []).filter { !known.contains($0.0) }
        r.originalCommandLine = p["command_line"]?.string
        r.extra.append(("resumed_by", .string(shellQuoted(CommandLine.arguments))))
        return r
    }

    /// The arguments as one line a shell would split back into them.
    public static func shellQuoted(_ args: [String]) -> String {
        args.map { a in
            let safe = !a.isEmpty && a.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
            return safe ? a : "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }

    /// The leading comment block of a TOML text (every line up to the first that is neither a comment nor
    /// blank), with the `#` and one following space removed; nil when there is none.
    public static func leadingComments(_ text: String) -> String? {
        var lines: [String] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = raw.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("#") {
                var s = t.dropFirst()
                if s.hasPrefix(" ") { s = s.dropFirst() }
                lines.append(String(s))
            } else if t.isEmpty, !lines.isEmpty {
                break
            } else if !t.isEmpty {
                break
            }
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// The header that config.toml starts with: the source's comment block, kept verbatim as comments,
    /// then where it came from and the overrides, so the resolved file still reads like the preset.
    public var configHeader: String {
        var h = ""
        if let c = citation {
            h += c.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "#" : "# " + $0 }.joined(separator: "\n") + "\n#\n"
        }
        if let f = configFile { h += "# From \(preset.map { "preset \($0), " } ?? "")\(f)" + (overrides.isEmpty ? ".\n" : "; overrides: \(overrides.joined(separator: " ")).\n") }
        return h.isEmpty ? "" : h + "\n"
    }
}
