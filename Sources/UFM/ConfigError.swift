import Formats
/// A config file or `--set` override that cannot be used, naming the key (as `section.key`) and what would fix it.
public enum ConfigError: Error, Equatable, CustomStringConvertible {
    /// The TOML itself does not parse.
    case syntax(source: String, message: String, line: Int, column: Int)
    /// A `[section]` the toolkit does not know.
    case unknownSection(name: String, valid: [String])
    /// A key the section does not have.
    case unknownKey(key: String, valid: [String])
    /// A required key is absent.
    case missingKey(key: String, hint: String)
    /// A value of the wrong TOML type.
    case wrongType(key: String, expected: String, found: String)
    /// A value of the right type outside its legal range.
    case invalidValue(key: String, value: String, reason: String)
    /// A `--set` argument that is not `section.key=value`.
    case badOverride(text: String, reason: String)
    /// The config file cannot be read, or is not UTF-8 text (the message names the path and the cause).
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .syntax(let s, let m, let l, let c):
            return "\(s):\(l):\(c): TOML syntax error: \(m)"
        case .unknownSection(let n, let v):
            return "unknown section [\(n)]; valid sections: \(v.map { "[\($0)]" }.joined(separator: ", "))"
        case .unknownKey(let k, let v):
            return "unknown key '\(k)'; valid keys here: \(v.joined(separator: ", "))"
        case .missingKey(let k, let h):
            return "missing required key '\(k)' (\(h))"
        case .wrongType(let k, let e, let f):
            return "'\(k)' must be \(e), found \(f)"
        case .invalidValue(let k, let v, let r):
            return "'\(k)' = \(v) is invalid: \(r)"
        case .badOverride(let t, let r):
            return "--set \(t): \(r) (expected section.key=value, e.g. --set optimizer.learning_rate=0.05)"
        case .unreadable(_, let r):
            return r
        }
    }
}

/// A legal choice that the theory does not cover (e.g. a width smaller than K): the run proceeds, the CLI prints it.
public struct ConfigWarning: Equatable, Sendable, CustomStringConvertible {
    /// The key concerned, `section.key`.
    public var key: String
    public var message: String
    public var description: String { "warning: \(key): \(message)" }
}

extension ConfigError {
    /// Runs a TOML read, turning its `TOMLError` into the matching `ConfigError` case.
    static func wrapping<T>(_ body: () throws(TOMLError) -> T) throws -> T {
        do { return try body() } catch {
            switch error {
            case .syntax(let source, let message, let line, let column):
                throw ConfigError.syntax(source: source, message: message, line: line, column: column)
            case .badOverride(let text, let reason):
                throw ConfigError.badOverride(text: text, reason: reason)
            case .unreadable(let path, _), .notUTF8(let path, _, _, _):
                throw ConfigError.unreadable(path: path, reason: error.description)
            }
        }
    }
}
