import CNats

#if canImport(Glibc)
import Glibc
#endif

/// A user JWT and the NKey seed that signs the server's nonce with it, handed to libnats'
/// credential callbacks (which run on the connecting thread, at connect time).
final class NATSUserCredentials: Sendable {
    let jwt: String
    let seed: String

    init(jwt: String, seed: String) {
        self.jwt = jwt
        self.seed = seed
    }

    /// Signs `nonce` with the Ed25519 key of `seed` (an `SU...` user seed), as the server's
    /// challenge asks; libnats' own signer.
    static func sign(seed: String, nonce: String) throws(NATSError) -> [UInt8] {
        // The key decoding tables are set up with the library.
        try NATSError.loadLibrary()
        _ = nats_Open(-1)
        var signature: UnsafeMutablePointer<UInt8>?
        var length: Int32 = 0
        let status = nats_Sign(seed, nonce, &signature, &length)
        guard status == NATS_OK, let signature else { throw NATSError.last(status, "signing the server nonce with seedKey") }
        defer { free(signature) }
        return Array(UnsafeBufferPointer(start: signature, count: Int(length)))
    }
}

/// libnats asks for the user JWT; it frees the copy it gets.
let userJWTHandler: natsUserJWTHandler = { userJWT, _, closure in
    guard let closure else { return NATS_ERR }
    let credentials = Unmanaged<NATSUserCredentials>.fromOpaque(closure).takeUnretainedValue()
    userJWT?.pointee = strdup(credentials.jwt)
    return NATS_OK
}

/// libnats asks for the nonce's signature; it frees the signature it gets.
let nonceSignatureHandler: natsSignatureHandler = { _, signature, signatureLength, nonce, closure in
    guard let closure, let nonce else { return NATS_ERR }
    let credentials = Unmanaged<NATSUserCredentials>.fromOpaque(closure).takeUnretainedValue()
    return nats_Sign(credentials.seed, nonce, signature, signatureLength)
}

/// Public entry for checking a seed without connecting.
public enum NATSNonceSigner {
    /// The raw Ed25519 signature of `nonce` by the key of the user seed `seed` (64 bytes);
    /// throws when `seed` is not a valid NKey seed.
    public static func sign(seed: String, nonce: String) throws(NATSError) -> [UInt8] {
        try NATSUserCredentials.sign(seed: seed, nonce: nonce)
    }
}
