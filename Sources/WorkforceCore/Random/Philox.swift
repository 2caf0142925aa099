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

extension Philox {
    /// The first blocks of the streams (what, month, path) for path = firstPath ..< firstPath +
    /// count (`RandomStream` with `sub` 0): block i is `block((0, what, month, firstPath + i))`,
    /// written to out[4 i ..< 4 i + 4]. Eight blocks are computed at once in SIMD lanes: the ten
    /// rounds of one block are a chain of dependent multiplications, and lanes run eight chains
    /// side by side in two registers of four (about 6 ns a block, against 7 with one register,
    /// where each round waited on the last, and 11 with four, where the registers ran out).
    @inlinable
    public func firstBlocks(what: UInt32, month: Int, firstPath: Int, count: Int, into out: UnsafeMutablePointer<UInt32>) {
        typealias Lanes = SIMD8<UInt32>
        typealias Wide = SIMD8<UInt64>
        let m0 = Wide(repeating: 0xD251_1F53), m1 = Wide(repeating: 0xCD9E_8D57)
        var i = 0
        while i < count {
            var c0 = Lanes(repeating: 0), c1 = Lanes(repeating: what)
            var c2 = Lanes(repeating: UInt32(truncatingIfNeeded: month))
            var c3 = Lanes(repeating: UInt32(truncatingIfNeeded: firstPath + i)) &+ Lanes(0, 1, 2, 3, 4, 5, 6, 7)
            var (k0, k1) = key
            for _ in 0..<10 {
                let p0 = Wide(truncatingIfNeeded: c0) &* m0
                let p1 = Wide(truncatingIfNeeded: c2) &* m1
                (c0, c1, c2, c3) = (Lanes(truncatingIfNeeded: p1 &>> 32) ^ c1 ^ Lanes(repeating: k0), Lanes(truncatingIfNeeded: p1),
                                    Lanes(truncatingIfNeeded: p0 &>> 32) ^ c3 ^ Lanes(repeating: k1), Lanes(truncatingIfNeeded: p0))
                k0 = k0 &+ 0x9E37_79B9
                k1 = k1 &+ 0xBB67_AE85
            }
            for lane in 0..<Swift.min(8, count - i) {
                let o = out + 4 * (i + lane)
                (o[0], o[1], o[2], o[3]) = (c0[lane], c1[lane], c2[lane], c3[lane])
            }
            i += 8
        }
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
