/// Decentralized-auth credentials made for these tests only: an operator, a system account,
/// an account and a user whose Ed25519 seeds are 32 bytes of 7, 6, 8 and 9. The JWTs have no
/// expiry. The server trusts the operator and knows both accounts from its configuration (a
/// memory resolver); JetStream needs the system account.
enum OperatorFixture {
    static let operatorJWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJpYXQiOjE3MDAwMDAwMDAsImlzcyI6Ik9EVkVVM0RENEtPRkVDVjY2VklIV0VaT1lYNFpLUjNXVjI3TDQ2NFNJSVBPVTJJVUkzSkNaQVc0IiwibmFtZSI6Im91dHJpZ2dlci10ZXN0LW9wZXJhdG9yIiwic3ViIjoiT0RWRVUzREQ0S09GRUNWNjZWSUhXRVpPWVg0WktSM1dWMjdMNDY0U0lJUE9VMklVSTNKQ1pBVzQiLCJuYXRzIjp7InR5cGUiOiJvcGVyYXRvciIsInN5c3RlbV9hY2NvdW50IjoiQUNGSU9YNzdEMlpZSVVLWFBMR1ZWN1hFQVZDV0syRzVQU0U2QkVFR0hJQ1ZQUEQyNlNQUlBaU0UiLCJ2ZXJzaW9uIjoyfSwianRpIjoiTkdRMlo0SlRUT05HSE9WNjQyVVdXWk1UUkRGUE9JTllNNVFCUkROVldKNU5INlBNSVZZUSJ9.rcZSYbX4_kKvQFCMv6FGZSQgYJeCBfRVv-NhHi-aveLhdxaQHnIOv8UTrvcjDXG-4GQ-7EtTxSYvLU0BeLoUBg"
    static let systemAccountPublicKey = "ACFIOX77D2ZYIUKXPLGVV7XEAVCWK2G5PSE6BEEGHICVPPD26SPRPZSE"
    static let systemAccountJWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJpYXQiOjE3MDAwMDAwMDAsImlzcyI6Ik9EVkVVM0RENEtPRkVDVjY2VklIV0VaT1lYNFpLUjNXVjI3TDQ2NFNJSVBPVTJJVUkzSkNaQVc0IiwibmFtZSI6IlNZUyIsInN1YiI6IkFDRklPWDc3RDJaWUlVS1hQTEdWVjdYRUFWQ1dLMkc1UFNFNkJFRUdISUNWUFBEMjZTUFJQWlNFIiwibmF0cyI6eyJsaW1pdHMiOnsic3VicyI6LTEsImRhdGEiOi0xLCJwYXlsb2FkIjotMSwiaW1wb3J0cyI6LTEsImV4cG9ydHMiOi0xLCJ3aWxkY2FyZHMiOnRydWUsImNvbm4iOi0xLCJsZWFmIjotMX0sInR5cGUiOiJhY2NvdW50IiwidmVyc2lvbiI6Mn0sImp0aSI6IlNJR1FKWlQzTkFITkNFTFFXWkVLT0tQU1E0TU9PVVZZM0lQNUhaRVpCWUNHWUlTUjZBNFEifQ.XkNXvGzGFn-x-bno3C2BoRLVdKg5bAQX0sL_BjB6IM_7vLUXwRycgtEJu0q-ghYeEDf5IsXG54Ln-mQ5hgcfCw"
    static let accountPublicKey = "AAJZR5RMNUNEK7CRXJVEWXZ5XUXWT7FJGILCDDOITF7EC26RPWJ4UDJB"
    static let accountJWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJpYXQiOjE3MDAwMDAwMDAsImlzcyI6Ik9EVkVVM0RENEtPRkVDVjY2VklIV0VaT1lYNFpLUjNXVjI3TDQ2NFNJSVBPVTJJVUkzSkNaQVc0IiwibmFtZSI6Im91dHJpZ2dlci10ZXN0LWFjY291bnQiLCJzdWIiOiJBQUpaUjVSTU5VTkVLN0NSWEpWRVdYWjVYVVhXVDdGSkdJTENERE9JVEY3RUMyNlJQV0o0VURKQiIsIm5hdHMiOnsibGltaXRzIjp7InN1YnMiOi0xLCJkYXRhIjotMSwicGF5bG9hZCI6LTEsImltcG9ydHMiOi0xLCJleHBvcnRzIjotMSwid2lsZGNhcmRzIjp0cnVlLCJjb25uIjotMSwibGVhZiI6LTF9LCJkZWZhdWx0X3Blcm1pc3Npb25zIjp7InB1YiI6e30sInN1YiI6e319LCJ0eXBlIjoiYWNjb3VudCIsInZlcnNpb24iOjJ9LCJqdGkiOiJKSEJOUkFJQ1NQTE5GSVo2TFVHU1pTUVhIVUdQUjVHUE5JREtTUlBaTlk1VVpKTU1QSEZRIn0.Kn6QDmLxad_zJ1DTbfA3jT89acGnmHS4bP4XTsMdSnEm_LLMqsiFehZOaPrsQ7Ckj_ksPcK16m3GXnwnLT5iCw"
    static let userJWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJpYXQiOjE3MDAwMDAwMDAsImlzcyI6IkFBSlpSNVJNTlVORUs3Q1JYSlZFV1haNVhVWFdUN0ZKR0lMQ0RET0lURjdFQzI2UlBXSjRVREpCIiwibmFtZSI6Im91dHJpZ2dlci10ZXN0LXVzZXIiLCJzdWIiOiJVRDZST0pCWUxLUU1PVzNFN040TTJZQlBVSE1aRDdQTDY1VlJIUk1PMjRCT1ZTQlY1SDNCUkRHUiIsIm5hdHMiOnsicHViIjp7fSwic3ViIjp7fSwic3VicyI6LTEsImRhdGEiOi0xLCJwYXlsb2FkIjotMSwidHlwZSI6InVzZXIiLCJ2ZXJzaW9uIjoyfSwianRpIjoiM0tBTEozS1JRRzdNU0NVSTM1TE4zTFVOMkVTN1hMSzYyVFRIRU5VT0xVUEJESTdYVlFWQSJ9.VpqCrmQS7VRRzSAzumpjgMMODXGwixvYvq_Fl6aB_-lcsfbHx8dTjDU24OiKoqhNvgGyKb45yZtRJn5AatNhAQ"
    static let userSeed = "SUAASCIJBEEQSCIJBEEQSCIJBEEQSCIJBEEQSCIJBEEQSCIJBEEQSCKHGM"
    /// A valid user seed of another key (32 bytes 1...32): it cannot sign for ``userJWT``.
    static let otherUserSeed = "SUAACAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUPB6IC5CQ"

    /// The nats-server configuration that trusts the operator and preloads the accounts.
    static var serverConfiguration: String {
        """
        operator: \(operatorJWT)
        system_account: \(systemAccountPublicKey)
        resolver: MEMORY
        resolver_preload: {
          \(systemAccountPublicKey): \(systemAccountJWT)
          \(accountPublicKey): \(accountJWT)
        }
        """
    }
}
