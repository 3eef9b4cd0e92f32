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
        <title>\(xmlEscape(title))</title>
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
        </style>
        </head>
        <body>
        <h1>\(xmlEscape(title))</h1>

        """
        for w in warnings { h += "<p class=\"warn\">\(xmlEscape(w))</p>\n" }

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
