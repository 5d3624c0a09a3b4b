/// One command as its words, binary-safe: `RedisCommand("SET", "key")` then `append(bytes:)`.
///
/// Its ``description`` names the command only, never the arguments, so `AUTH` passwords and
/// message bodies stay out of logs.
public struct RedisCommand: Sendable, CustomStringConvertible {
    /// The command name followed by its arguments.
    public private(set) var arguments: [[UInt8]]

    /// `name` and text arguments.
    public init(_ name: String, _ words: String...) {
        arguments = [Array(name.utf8)] + words.map { Array($0.utf8) }
    }

    /// A command given as raw words (the first is the name).
    public init(arguments: [[UInt8]]) {
        precondition(!arguments.isEmpty, "a command needs a name")
        self.arguments = arguments
    }

    /// Appends a text argument.
    public mutating func append(_ word: String) { arguments.append(Array(word.utf8)) }

    /// Appends a number, in decimal.
    public mutating func append(_ number: Int) { arguments.append(Array(String(number).utf8)) }

    /// Appends a binary argument as it is.
    public mutating func append(bytes: [UInt8]) { arguments.append(bytes) }

    /// The command name, upper-cased.
    public var name: String { String(decoding: arguments[0], as: UTF8.self).uppercased() }

    /// The name and the number of arguments, never their values.
    public var description: String { "\(name) (\(arguments.count - 1) arguments)" }
}
