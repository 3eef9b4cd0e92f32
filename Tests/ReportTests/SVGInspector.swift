import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses an SVG (or XHTML) document with Foundation's XMLParser and records every element with its
/// attributes, so tests can count curves, legend entries and reference lines in what a browser would read.
final class SVGInspector: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var raw = ""
        /// The text content with surrounding whitespace trimmed.
        var text: String { raw.trimmingCharacters(in: .whitespacesAndNewlines) }
        var classes: [String] { (attributes["class"] ?? "").split(separator: " ").map(String.init) }
    }

    private(set) var elements: [Element] = []
    private var stack: [Int] = []
    private(set) var error: Error?

    /// nil if the text is not well-formed XML.
    static func parse(_ text: String) -> SVGInspector? {
        let inspector = SVGInspector()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = inspector
        guard parser.parse(), inspector.error == nil else { return nil }
        return inspector
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes))
        stack.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        for i in stack { elements[i].raw += string }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }

    func all(_ name: String, class cls: String? = nil) -> [Element] {
        elements.filter { e in e.name == name && (cls.map { e.classes.contains($0) } ?? true) }
    }

    /// The text of every element with class `cls`.
    func texts(class cls: String) -> [String] {
        elements.filter { $0.classes.contains(cls) }.map(\.text)
    }
}
