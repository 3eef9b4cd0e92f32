import Foundation

/// `index.html` of a run directory: the figures (inlined, so the page is one self-contained file), the
/// summary as tables plus the raw JSON, and the resolved configuration. Viewable offline: no scripts,
/// fonts, stylesheets or images from anywhere else.
public enum RunIndex {
    public static func html(title: String, figures: [RenderedFigure], summary: JSONValue?, summaryText: String?,
                            config: String?, files: [String], warnings: [String] = []) -> String {
        var h = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(xmlEscape(pageTitle(title, summary)))</title>
        <style>
        body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 1.5em auto; max-width: 1500px; padding: 0 1em; color: #111; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
        figure { margin: 1em 0; } figcaption { font-size: 0.9em; color: #333; max-width: 60em; }
        svg { max-width: 100%; height: auto; }
        .grid { display: flex; flex-wrap: wrap; gap: 1em; } .grid figure { flex: 0 1 auto; }
        table { border-collapse: collapse; font-size: 0.95em; } td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
        td.num { text-align: right; font-family: "DejaVu Sans Mono", monospace; }
        pre { background: #f6f6f6; border: 1px solid #ddd; padding: 0.8em; overflow-x: auto; font-size: 0.9em; }
        .warn { color: #a33; }
        .failure { background: #fde8e8; border: 2px solid #b00; color: #600; padding: 0.6em 1em; font-size: 1.05em; }
        .provenance td:first-child { white-space: nowrap; } .provenance pre { margin: 0; border: none; padding: 0; background: none; white-space: pre-wrap; word-break: break-all; }
        </style>
        </head>
        <body>

        """
        if let banner = failureBanner(summary) { h += banner }
        h += "<h1>\(xmlEscape(title))</h1>\n"
        if let d = summary?["provenance"]?["description"]?.string, !d.isEmpty { h += "<p class=\"description\">\(xmlEscape(d))</p>\n" }
        for w in warnings { h += "<p class=\"warn\">\(xmlEscape(w))</p>\n" }
        for case .string(let w) in summary?["warnings"]?.elements ?? [] { h += "<p class=\"warn run-warning\">Warning: \(xmlEscape(w))</p>\n" }
        if let p = summary?["provenance"] { h += provenanceTable(p) }

        if let overview = figures.first(where: { $0.name == "overview" }) {
            h += "<figure id=\"overview\">\n\(overview.svg)<figcaption>\(xmlEscape(overview.caption))</figcaption>\n</figure>\n"
        }

        h += "<h2>Summary</h2>\n"
        if let summary {
            h += summaryTables(summary)
            h += "<details><summary>summary.json</summary>\n<pre>\(xmlEscape(summaryText ?? summary.serialized()))</pre>\n</details>\n"
        } else {
            h += "<p>No summary.json in this run directory.</p>\n"
        }

        let panels = figures.filter { $0.name != "overview" }
        if !panels.isEmpty {
            h += "<h2>Figures</h2>\n<div class=\"grid\">\n"
            for f in panels {
                h += "<figure id=\"fig-\(xmlEscape(f.name))\">\n\(f.svg)<figcaption><b>\(xmlEscape(f.title)).</b> "
                h += "\(xmlEscape(f.caption)) <a href=\"figures/\(xmlEscape(f.filename))\">figures/\(xmlEscape(f.filename))</a></figcaption>\n</figure>\n"
            }
            h += "</div>\n"
        }

        h += "<h2>Configuration</h2>\n"
        if let config {
            h += "<pre>\(xmlEscape(config))</pre>\n"
        } else {
            h += "<p>No config.toml in this run directory.</p>\n"
        }

        if !files.isEmpty {
            h += "<h2>Files</h2>\n<ul>\n"
            for f in files { h += "<li><a href=\"\(xmlEscape(f))\">\(xmlEscape(f))</a></li>\n" }
            h += "</ul>\n"
        }
        h += "</body>\n</html>\n"
        return h
    }

    /// "name — figure and setting" (from summary.json's provenance), "FAILED: …" first for a failed run.
    static func pageTitle(_ title: String, _ summary: JSONValue?) -> String {
        var t = title
        if let d = summary?["provenance"]?["description"]?.string, !d.isEmpty { t += " — " + d }
        return summary?["status"]?.string == "failed" ? "FAILED: " + t : t
    }

    /// The banner at the top of the page of a failed run (summary.json `status` = "failed"): what happened,
    /// at which step, and that the figures show the run up to its last logged row. nil for other runs.
    static func failureBanner(_ summary: JSONValue?) -> String? {
        guard let s = summary, s["status"]?.string == "failed" else { return nil }
        let f = s["failure"]
        var what = "This run FAILED"
        if f?["kind"]?.string == "diverged", let epoch = f?["epoch"]?.number {
            what += ": training diverged in epoch \(Int(epoch))" + (f?["step"]?.number).map { ", batch \(Int($0))" }.orEmpty
        } else if f?["kind"]?.string == "diverged", let step = f?["step"]?.number {
            what += ": the optimization diverged at step \(Int(step))"
            if let r = f?["reason"]?.string { what += " (\(r))" }
        } else if let e = s["error"]?.string ?? f?["message"]?.string {
            what += ": " + e
        }
        var h = "<div class=\"failure\" id=\"failure\" role=\"alert\"><b>\(xmlEscape(what)).</b>"
        if let last = f?["last_logged_step"]?.number {
            h += " The figures and the final values show the run up to its last logged step, \(Int(last))."
        } else if let last = f?["last_epoch"]?.number {
            h += " The figures and the final values show the run up to its last completed epoch, \(Int(last))."
        }
        if let e = s["error"]?.string { h += "<br>\(xmlEscape(e))" }
        return h + "</div>\n"
    }

    /// Where the run came from: preset, citation, command line, overrides, toolkit version and commit, and
    /// any further records of summary.json's `provenance` object.
    static func provenanceTable(_ p: JSONValue) -> String {
        let labels = ["preset": "preset", "config_file": "config file", "citation": "citation", "command_line": "command line",
                      "overrides": "--set overrides", "toolkit_version": "toolkit version", "git_commit": "git commit"]
        var h = "<table class=\"provenance\" id=\"provenance\">\n"
        for (k, v) in p.members ?? [] {
            if case .null = v { continue }
            if k == "description" { continue }  // shown under the heading
            var cell: String
            switch v {
            case .string(let text) where k == "citation" || k == "command_line": cell = "<pre>\(xmlEscape(text))</pre>"
            case .array(let a) where a.isEmpty: cell = "none"
            case .array(let a): cell = "<code>" + a.map { xmlEscape($0.string ?? $0.serialized(indent: 0)) }.joined(separator: "</code> <code>") + "</code>"
            case .object: cell = "<pre>\(xmlEscape(v.serialized()))</pre>"
            default: cell = format(v)
            }
            h += "<tr><td>\(xmlEscape(labels[k] ?? k))</td><td>\(cell)</td></tr>\n"
        }
        return h + "</table>\n"
    }

    /// "final vs. theory" for the keys of `final` and `theory`, then every other scalar as path → value.
    static func summaryTables(_ summary: JSONValue) -> String {
        var h = ""
        let final = summary["final"]?.members ?? []
        let theory = summary["theory"]?.members ?? []
        var keys: [String] = []
        for (k, v) in final + theory where isScalar(v) && !keys.contains(k) { keys.append(k) }
        if !keys.isEmpty {
            // The theory column only when summary.json has a theory object.
            let withTheory = !theory.isEmpty
            h += "<table class=\"final\">\n<tr><th>quantity</th><th>final</th>\(withTheory ? "<th>theory</th>" : "")</tr>\n"
            for k in keys {
                let f = final.first { $0.0 == k }?.1, t = theory.first { $0.0 == k }?.1
                h += "<tr><td>\(xmlEscape(k))</td><td class=\"num\">\(f.map(format) ?? "")</td>"
                h += withTheory ? "<td class=\"num\">\(t.map(format) ?? "")</td></tr>\n" : "</tr>\n"
            }
            h += "</table>\n"
        }
        var rest: [(String, JSONValue)] = []
        flatten(summary, prefix: "", into: &rest)
        rest.removeAll { $0.0 == "provenance" || $0.0.hasPrefix("provenance.") || $0.0 == "warnings" }
        rest.removeAll { $0.0.hasPrefix("final.") && keys.contains(String($0.0.dropFirst(6))) }
        rest.removeAll { $0.0.hasPrefix("theory.") && keys.contains(String($0.0.dropFirst(7))) }
        if !rest.isEmpty {
            h += "<table class=\"other\">\n<tr><th>key</th><th>value</th></tr>\n"
            for (k, v) in rest {
                let num = v.number != nil
                h += "<tr><td>\(xmlEscape(k))</td><td\(num ? " class=\"num\"" : "")>\(format(v))</td></tr>\n"
            }
            h += "</table>\n"
        }
        return h
    }

    private static func isScalar(_ v: JSONValue) -> Bool {
        switch v {
        case .object, .array: false
        default: true
        }
    }

    private static func flatten(_ v: JSONValue, prefix: String, into out: inout [(String, JSONValue)]) {
        switch v {
        case .object(let kv):
            for (k, c) in kv { flatten(c, prefix: prefix.isEmpty ? k : prefix + "." + k, into: &out) }
        case .array(let a) where a.count > 8 || a.contains(where: { !isScalar($0) }):
            out.append((prefix, .string("[\(a.count) values: see summary.json]")))
        default:
            out.append((prefix, v))
        }
    }

    /// A value for a table cell (escaped): numbers to 6 significant digits, arrays inline.
    static func format(_ v: JSONValue) -> String {
        switch v {
        case .number(let x):
            if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
            return xmlEscape(String(format: "%.6g", x))
        case .string(let s): return xmlEscape(s)
        case .array(let a): return "[" + a.map(format).joined(separator: ", ") + "]"
        default: return xmlEscape(v.serialized(indent: 0))
        }
    }
}

private extension Optional where Wrapped == String {
    var orEmpty: String { self ?? "" }
}
