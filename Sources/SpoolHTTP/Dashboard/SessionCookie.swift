import Hummingbird
import SpoolConfig

/// The dashboard's cookies: the session's, and the login form's token. Both are `HttpOnly` (no script
/// reads them) and `SameSite=Strict` (a browser sends them only with requests from the dashboard's own
/// pages and addresses typed or bookmarked), and `Secure` as `api.auth.secure_cookies` says.
enum SessionCookie {
    /// The session cookie's name.
    static let session = "spool_session"
    /// The name of the cookie that holds the login form's token until the form is sent.
    static let loginForm = "spool_login"

    /// The cookie that carries session `id`, for the whole site (`Path=/`), until the browser closes.
    static func session(_ id: String, secure: Bool) -> Cookie {
        Cookie(name: session, value: id, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// The cookie that carries the login form's `token`, sent back only to the login route, for an hour.
    static func loginForm(_ token: String, secure: Bool) -> Cookie {
        Cookie(
            name: loginForm,
            value: token,
            maxAge: 3600,
            path: "/dashboard/login",
            secure: secure,
            httpOnly: true,
            sameSite: .strict
        )
    }

    /// A cookie that makes the browser forget the cookie `name` at `path`.
    static func expired(_ name: String, path: String, secure: Bool) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: path, secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// Whether cookies set in answer to `request` are marked `Secure`: as `setting` says, and for `auto`,
    /// when a proxy on this host (the peer is a loopback address) says the browser used HTTPS
    /// (`X-Forwarded-Proto: https`). spoold itself serves plain HTTP.
    static func isSecure(_ request: Request, peer: String?, setting: CookieSecurity) -> Bool {
        switch setting {
        case .always: return true
        case .never: return false
        case .auto:
            guard let peer, peer == "::1" || peer.hasPrefix("127.") || peer.hasPrefix("::ffff:127.") else {
                return false
            }
            return request.headers[.xForwardedProto]?.lowercased() == "https"
        }
    }
}
