import NIOCore

/// Frames the server's byte stream into ``SMTPReply`` values: lines end with CRLF (a bare LF is
/// accepted too); a line longer than `maximumLineLength` is an error rather than a buffer that
/// grows without bound.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    /// RFC 5321 allows 512 octets per reply line; servers in the wild send a little more.
    static let maximumLineLength = 8192

    /// A reply line longer than ``maximumLineLength``.
    struct LineTooLong: Error, CustomStringConvertible {
        var description: String { "the server sent a reply line longer than \(SMTPReplyDecoder.maximumLineLength) bytes" }
    }

    private var assembler = SMTPReplyAssembler()

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maximumLineLength { throw LineTooLong() }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        guard var line = buffer.readBytes(length: length + 1) else { return .needMoreData }
        line.removeLast()
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        if let reply = try assembler.add(line) {
            context.fireChannelRead(wrapInboundOut(reply))
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
