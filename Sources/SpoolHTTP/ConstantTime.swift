/// Whether `given` equals `expected`, comparing every byte of `expected` whatever the first difference, so
/// that the time taken does not tell how much of a secret was guessed right.
func constantTimeEquals(_ given: some Collection<UInt8>, _ expected: some Collection<UInt8>) -> Bool {
    let given = Array(given)
    var difference = UInt8(given.count == expected.count ? 0 : 1)
    for (index, byte) in expected.enumerated() { difference |= byte ^ (index < given.count ? given[index] : 0) }
    return difference == 0
}
