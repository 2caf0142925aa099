/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
/// counter-based generator. Each 128-bit counter under a 64-bit key gives 128 random bits, so a
/// draw is a pure function of what it is for, never of the order in which draws are made.
public struct Philox: Sendable {
    public var key: (UInt32, UInt32)

    public init(key: UInt64) {
        self.key = (UInt32(truncatingIfNeeded: key), UInt32(truncatingIfNeeded: key >> 32))
    }

    /// The round's multipliers M0 and M1 and the key's Weyl increments W0 and W1 (Salmon et al.'s
    /// Philox4x32 constants).
    @inlinable static var m0: UInt32 { 0xD251_1F53 }
    @inlinable static var m1: UInt32 { 0xCD9E_8D57 }
    @inlinable static var w0: UInt32 { 0x9E37_79B9 }
    @inlinable static var w1: UInt32 { 0xBB67_AE85 }

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
            let (hi0, lo0) = Philox.mulHiLo(Philox.m0, c0)
            let (hi1, lo1) = Philox.mulHiLo(Philox.m1, c2)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
            k0 = k0 &+ Philox.w0
            k1 = k1 &+ Philox.w1
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
    ///
    /// Only the path differs between the blocks, so the first three rounds are partly the same
    /// for all of them and made once: round 1 multiplies 0 and the month (the path only enters
    /// its XOR), round 2's first product and round 3's second are of words that do not depend
    /// on the path. Lanes multiply 16 times a block in place of 20, for the same bits.
    @inlinable
    public func firstBlocks(what: UInt32, month: Int, firstPath: Int, count: Int, into out: UnsafeMutablePointer<UInt32>) {
        typealias Lanes = SIMD8<UInt32>
        typealias Wide = SIMD8<UInt64>
        let m0 = Wide(repeating: UInt64(Philox.m0)), m1 = Wide(repeating: UInt64(Philox.m1))
        // Round r (1-based) uses the key words k + (r - 1) times the Weyl increments.
        @inline(__always) func roundKey0(_ r: UInt32) -> UInt32 { key.0 &+ (r &- 1) &* Philox.w0 }
        @inline(__always) func roundKey1(_ r: UInt32) -> UInt32 { key.1 &+ (r &- 1) &* Philox.w1 }
        // Round 1 from (0, what, month, path): (hi(M1 month) ^ what ^ k0, lo(M1 month), path ^ k1, 0).
        let first = Philox.mulHiLo(Philox.m1, UInt32(truncatingIfNeeded: month))
        let a = first.hi ^ what ^ roundKey0(1), b = first.lo
        // Round 2 from (a, b, x, 0), x = path ^ k1: (hi(M1 x) ^ b ^ k0, lo(M1 x), hi(M0 a) ^ k1, lo(M0 a)).
        let second = Philox.mulHiLo(Philox.m0, a)
        let c = second.hi ^ roundKey1(2), d = second.lo
        // Round 3 from (y0, y1, c, d): (hi(M1 c) ^ y1 ^ k0, lo(M1 c), hi(M0 y0) ^ d ^ k1, lo(M0 y0)).
        let third = Philox.mulHiLo(Philox.m1, c)
        var i = 0
        while i < count {
            let x = Lanes(repeating: UInt32(truncatingIfNeeded: firstPath + i)) &+ Lanes(0, 1, 2, 3, 4, 5, 6, 7)
                ^ Lanes(repeating: roundKey1(1))
            let q = Wide(truncatingIfNeeded: x) &* m1
            let y0 = Lanes(truncatingIfNeeded: q &>> 32) ^ Lanes(repeating: b ^ roundKey0(2)), y1 = Lanes(truncatingIfNeeded: q)
            let r = Wide(truncatingIfNeeded: y0) &* m0
            var c0 = Lanes(repeating: third.hi ^ roundKey0(3)) ^ y1, c1 = Lanes(repeating: third.lo)
            var c2 = Lanes(truncatingIfNeeded: r &>> 32) ^ Lanes(repeating: d ^ roundKey1(3)), c3 = Lanes(truncatingIfNeeded: r)
            var (k0, k1) = (roundKey0(4), roundKey1(4))
            for _ in 3..<10 {
                let p0 = Wide(truncatingIfNeeded: c0) &* m0
                let p1 = Wide(truncatingIfNeeded: c2) &* m1
                (c0, c1, c2, c3) = (Lanes(truncatingIfNeeded: p1 &>> 32) ^ c1 ^ Lanes(repeating: k0), Lanes(truncatingIfNeeded: p1),
                                    Lanes(truncatingIfNeeded: p0 &>> 32) ^ c3 ^ Lanes(repeating: k1), Lanes(truncatingIfNeeded: p0))
                k0 = k0 &+ Philox.w0
                k1 = k1 &+ Philox.w1
            }
            // Each block's four words gathered into one vector and stored at once (for a whole
            // group of eight the compiler turns the gathers into shuffles).
            @inline(__always) func store(_ lane: Int) {
                let block = SIMD4<UInt32>(c0[lane], c1[lane], c2[lane], c3[lane])
                UnsafeMutableRawPointer(out + 4 * (i + lane)).storeBytes(of: block, as: SIMD4<UInt32>.self)
            }
            if count - i >= 8 {
                for lane in 0..<8 { store(lane) }
            } else {
                for lane in 0..<(count - i) { store(lane) }
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
