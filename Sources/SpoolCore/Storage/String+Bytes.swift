extension String {
    /// The longest prefix of this string whose UTF-8 form has at most `limit` bytes, cut between Unicode
    /// scalars, so that it stays valid UTF-8.
    func truncated(toBytes limit: Int) -> String {
        guard utf8.count > limit else { return self }
        var end = utf8.index(utf8.startIndex, offsetBy: max(limit, 0))
        while end.samePosition(in: unicodeScalars) == nil { end = utf8.index(before: end) }
        return String(unicodeScalars[..<end])
    }

    /// This text with `0` added in front until it has `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
