import Hummingbird
import NIOCore

/// The dashboard's stylesheet and script, served from the binary (the page's policy allows style and
/// script from this server only, and no inline ones). Open to all: they hold no data.
enum DashboardAssets {
    /// Adds `GET /dashboard/assets/dashboard.css` and `/dashboard/assets/dashboard.js`.
    static func add(to group: RouterGroup<SpoolRequestContext>) {
        for (name, type, text) in [
            ("dashboard.css", "text/css; charset=utf-8", stylesheet),
            ("dashboard.js", "text/javascript; charset=utf-8", liveUpdateScript),
        ] {
            let body = ByteBuffer(string: text)
            group.get("assets/\(name)") { _, _ in
                Response(
                    status: .ok,
                    headers: [.contentType: type, .cacheControl: "max-age=300"],
                    body: ResponseBody(byteBuffer: body)
                )
            }
        }
    }

    /// Whether `path` is one of the assets, served without a session.
    static func isAsset(_ path: String) -> Bool {
        path.hasPrefix("/dashboard/assets/")
    }
}
