import CYaml

/// Refuses YAML whose aliases expand to more nodes than a resource document could need, before
/// Yams composes it.
///
/// An alias is a reference, so nine aliases of nine aliases of ... ("billion laughs") describe a
/// tree of hundreds of millions of nodes in a few hundred bytes. Yams keeps the references
/// cheaply, but it hashes every mapping key to look for duplicates, so such a tree used as a key
/// takes hours to load. This walks libyaml's event stream (the parser Yams itself runs; Yams has
/// no hook for it) and sums each node's expanded size, so the cost stays linear in the text.
enum YAMLAliasLimit {
    /// Most nodes one document may expand to, aliases counted at their full size.
    static let maximumNodes = 100_000

    /// Where a document first grows past ``maximumNodes``: its 1-based number and line.
    struct Excess: Equatable {
        let document: Int
        let line: Int
    }

    /// The first place `text` expands past the limit, or nil. Malformed YAML is nil too: the
    /// composer reports it with a better message.
    static func firstExcess(in text: String) -> Excess? {
        var utf8 = Array(text.utf8)
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        return utf8.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var sizes = ExpandedSizes()
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_DOCUMENT_START_EVENT:
                    sizes.startDocument()
                case YAML_SCALAR_EVENT:
                    sizes.complete(anchor: name(event.data.scalar.anchor), size: 1)
                case YAML_ALIAS_EVENT:
                    sizes.complete(anchor: nil, size: sizes.size(of: name(event.data.alias.anchor)))
                case YAML_SEQUENCE_START_EVENT:
                    sizes.open(anchor: name(event.data.sequence_start.anchor))
                case YAML_MAPPING_START_EVENT:
                    sizes.open(anchor: name(event.data.mapping_start.anchor))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    sizes.close()
                default:
                    continue
                }
                if sizes.exceeded { return Excess(document: sizes.document, line: line) }
            }
        }
    }

    private static func name(_ anchor: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        anchor.map { String(cString: $0) }
    }
}

/// The expanded size of every open collection and every anchored node of one document,
/// saturating just past the limit so no sum can overflow.
private struct ExpandedSizes {
    private var anchored: [String: Int] = [:]
    private var openCollections: [(anchor: String?, size: Int)] = []
    private(set) var document = 0
    private(set) var exceeded = false

    mutating func startDocument() {
        document += 1
        anchored = [:]
        openCollections = []
    }

    /// An alias of an unknown anchor counts as one node; the composer rejects it anyway.
    func size(of anchor: String?) -> Int {
        anchor.flatMap { anchored[$0] } ?? 1
    }

    mutating func open(anchor: String?) {
        openCollections.append((anchor, 1))
    }

    mutating func close() {
        guard let collection = openCollections.popLast() else { return }
        complete(anchor: collection.anchor, size: collection.size)
    }

    mutating func complete(anchor: String?, size: Int) {
        let cap = YAMLAliasLimit.maximumNodes + 1
        if let anchor { anchored[anchor] = size }
        if !openCollections.isEmpty {
            let parent = openCollections.count - 1
            openCollections[parent].size = min(openCollections[parent].size + size, cap)
        }
        exceeded = exceeded || size >= cap || (openCollections.last?.size ?? 0) >= cap
    }
}
