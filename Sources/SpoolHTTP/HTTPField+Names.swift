import HTTPTypes

extension HTTPField.Name {
    /// `X-Frame-Options`, for browsers that do not read `frame-ancestors`.
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    /// `Referrer-Policy`.
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    /// `Sec-Fetch-Site`: where a browser says the request comes from.
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
    /// `X-Forwarded-Proto`: the scheme a browser used, as a proxy in front of the server says.
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}
