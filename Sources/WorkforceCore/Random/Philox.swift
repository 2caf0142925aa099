/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
/// counter-based generator. Each 128-bit counter under a 64-bit key gives 128 random bits, so a
/// draw is a pure function of what it is for, never of the order in which draws are made.
public struct Philox: Sendable {
    public var key: (UInt32, UInt32)

    public init(key: UInt64) {
        self.key = (UInt32(truncatingIfNeeded: key), UInt32(truncatingIfNeeded: key >> 32))
    }

    @inlinable @inline(__always)
    static func mulHiLo(_ a: UInt32, _ b: UInt32) -> (hi: UInt32, lo: UInt32) {
        let p = UInt64(a) &* UInt64(b)
        return (UInt32(truncatingIfNeeded: p >> 32), UInt32(truncatingIfNeeded: p))
    }

    /// The ten-round Philox bijection of `counter` under this key.
    @inlinable
    public func block(_ c: (UInt32, UInt32, UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = c
        var (k0, k1) = key
        for _ in 0..<10 {
            let (hi0, lo0) = Philox.mulHiLo(0xD251_1F53, c0)
            let (hi1, lo1) = Philox.mulHiLo(0xCD9E_8D57, c2)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
            k0 = k0 &+ 0x9E37_79B9
            k1 = k1 &+ 0xBB67_AE85
        }
        return (c0, c1, c2, c3)
    }
}

/// A 64-bit mixing function (the finaliser of SplitMix64) for combining seeds and names into keys.
@inlinable
public func mix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// FNV-1a over the UTF-8 bytes of `text`, then mixed: a stable 64-bit name hash (Swift's own
/// `hashValue` is randomly seeded per process and so cannot be used for reproducible draws).
public func stableHash(_ text: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
        h ^= UInt64(byte)
        h = h &* 0x100_0000_01B3
    }
    return mix64(h)
}
