/// Header names spelled the way Go's `net/http` spells them, so response metadata keys and the
/// headers a request carries match Dapr's: the first letter and every letter after a `-` upper
/// case, the rest lower case (`content-TYPE` → `Content-Type`). A name with a byte that is not
/// an RFC 9110 token character is left as it is.
enum CanonicalHeaderName {
    static func of(_ name: String) -> String {
        var bytes = Array(name.utf8)
        guard bytes.allSatisfy(isTokenByte) else { return name }
        var upper = true
        for index in bytes.indices {
            let byte = bytes[index]
            if upper, byte >= UInt8(ascii: "a"), byte <= UInt8(ascii: "z") {
                bytes[index] = byte - 32
            } else if !upper, byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") {
                bytes[index] = byte + 32
            }
            upper = byte == UInt8(ascii: "-")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
