import CHiredis
import NIOCore

/// Writes a command in RESP with hiredis's `redisFormatCommandArgv`, binary-safe.
enum HiredisCommandFormatter {
    /// Appends `command`'s RESP encoding to `buffer`.
    static func write(_ command: RedisCommand, into buffer: inout ByteBuffer) {
        let arguments = command.arguments
        let lengths = arguments.map { $0.count }
        // hiredis wants one pointer per argument; the words are laid out in one block so the
        // pointers stay valid for the call.
        var joined: [UInt8] = []
        joined.reserveCapacity(lengths.reduce(0, +) + 1)
        for argument in arguments { joined += argument }
        joined.append(0)
        joined.withUnsafeBufferPointer { block in
            let base = UnsafeRawPointer(block.baseAddress!)
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(arguments.count)
            var offset = 0
            for length in lengths {
                pointers.append((base + offset).assumingMemoryBound(to: CChar.self))
                offset += length
            }
            var target: UnsafeMutablePointer<CChar>?
            let written = pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvlen in
                    redisFormatCommandArgv(&target, Int32(arguments.count), argv.baseAddress, argvlen.baseAddress)
                }
            }
            guard written > 0, let target else { fatalError("hiredis could not allocate a command buffer") }
            defer { redisFreeCommand(target) }
            buffer.writeBytes(UnsafeRawBufferPointer(start: target, count: Int(written)))
        }
    }
}
