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
    /// side by side.
    ///
    /// Only the path differs between the blocks, so the first three rounds are partly the same
    /// for all of them and made once (`sharedRounds`). Lanes multiply 16 times a block in place
    /// of 20, for the same bits.
    ///
    /// Of the two layouts of the words in lanes, each is the faster where it is used: 64-bit
    /// lanes where the code is built for AVX2 (the compilation condition AVX2, which
    /// `.ci/build-release` sets with the processor), 32-bit lanes otherwise.
    @inlinable
    public func firstBlocks(what: UInt32, month: Int, firstPath: Int, count: Int, into out: UnsafeMutablePointer<UInt32>) {
        #if AVX2
        firstBlocksInWideLanes(what: what, month: month, firstPath: firstPath, count: count, into: out)
        #else
        firstBlocksInNarrowLanes(what: what, month: month, firstPath: firstPath, count: count, into: out)
        #endif
    }

    /// The key words of round r (1-based): the key plus r - 1 times the Weyl increments.
    @inlinable @inline(__always)
    func roundKey(_ r: UInt32) -> (UInt32, UInt32) {
        (key.0 &+ (r &- 1) &* Philox.w0, key.1 &+ (r &- 1) &* Philox.w1)
    }

    /// What rounds 1 to 3 of the blocks (0, what, month, path) share whatever the path, with the
    /// round keys folded in:
    /// - round 1 gives (a, b, x, 0), a = hi(M1 month) ^ what ^ k0, b = lo(M1 month), x = path ^ k1;
    /// - round 2 gives (hi(M1 x) ^ b ^ k0, lo(M1 x), c, d), c = hi(M0 a) ^ k1, d = lo(M0 a), so
    ///   y0 = hi(M1 x) ^ `y0Key` and y1 = lo(M1 x);
    /// - round 3 gives (hi(M1 c) ^ y1 ^ k0, lo(M1 c), hi(M0 y0) ^ d ^ k1, lo(M0 y0)), so
    ///   (`c0Key` ^ y1, `c1`, hi(M0 y0) ^ `c2Key`, lo(M0 y0)).
    /// `xKey` is round 1's k1, to be XORed into the path.
    @inlinable @inline(__always)
    func sharedRounds(what: UInt32, month: Int) -> (xKey: UInt32, y0Key: UInt32, c0Key: UInt32, c1: UInt32, c2Key: UInt32) {
        let first = Philox.mulHiLo(Philox.m1, UInt32(truncatingIfNeeded: month))
        let a = first.hi ^ what ^ roundKey(1).0, b = first.lo
        let second = Philox.mulHiLo(Philox.m0, a)
        let c = second.hi ^ roundKey(2).1, d = second.lo
        let third = Philox.mulHiLo(Philox.m1, c)
        return (roundKey(1).1, b ^ roundKey(2).0, third.hi ^ roundKey(3).0, third.lo, d ^ roundKey(3).1)
    }

    /// `firstBlocks` with each 32-bit word in a 64-bit lane, where only its low 32 bits count: a
    /// round's product of a word and a multiplier is one 32 x 32 -> 64-bit multiplication of the
    /// lanes (`pmuludq`), its high word a shift, and its low word the product itself, its high
    /// bits left in place, since they only ever meet XORs, the low-bit multiplications of later
    /// rounds and the final truncation to 32 bits. Two groups of four blocks, each word of a
    /// group one AVX2 register, go side by side. Built for AVX2, W3 took 0.92 of its time with
    /// 32-bit lanes, where splitting each product into its words took shuffles across the
    /// register's halves on every round's chain; built for SSE2, 1.07.
    @inlinable
    func firstBlocksInWideLanes(what: UInt32, month: Int, firstPath: Int, count: Int, into out: UnsafeMutablePointer<UInt32>) {
        typealias Wide = SIMD4<UInt64>
        /// The four words of four blocks, a block per lane.
        typealias Words = (Wide, Wide, Wide, Wide)
        let m0 = Wide(repeating: UInt64(Philox.m0)), m1 = Wide(repeating: UInt64(Philox.m1))
        // The product of each lane's low 32 bits and the multiplier m: the explicit mask is what
        // lets the compiler use the 32 x 32 -> 64-bit multiplication.
        let low = Wide(repeating: 0xFFFF_FFFF)
        @inline(__always) func product(_ word: Wide, _ m: Wide) -> Wide { (word & low) &* m }
        @inline(__always) func wide(_ x: UInt32) -> Wide { Wide(repeating: UInt64(x)) }
        let shared = sharedRounds(what: what, month: month)
        // The words after round 3 of the blocks of paths first + lane (wrapping at 2^32 in the
        // low bits).
        @inline(__always) func afterThird(_ first: Int) -> Words {
            let x = (wide(UInt32(truncatingIfNeeded: first)) &+ Wide(0, 1, 2, 3)) ^ wide(shared.xKey)
            let q = product(x, m1)
            let r = product(q &>> 32 ^ wide(shared.y0Key), m0)
            return (wide(shared.c0Key) ^ q, wide(shared.c1), r &>> 32 ^ wide(shared.c2Key), r)
        }
        @inline(__always) func round(_ w: Words, _ k: (UInt32, UInt32)) -> Words {
            let p0 = product(w.0, m0), p1 = product(w.2, m1)
            return (p1 &>> 32 ^ w.1 ^ wide(k.0), p1, p0 &>> 32 ^ w.3 ^ wide(k.1), p0)
        }
        // Block `lane` of `w` to out[4 (at + lane)], its four words gathered into one vector.
        @inline(__always) func store(_ w: Words, lane: Int, at: Int) {
            let block = SIMD4<UInt32>(UInt32(truncatingIfNeeded: w.0[lane]), UInt32(truncatingIfNeeded: w.1[lane]),
                                      UInt32(truncatingIfNeeded: w.2[lane]), UInt32(truncatingIfNeeded: w.3[lane]))
            UnsafeMutableRawPointer(out + 4 * (at + lane)).storeBytes(of: block, as: SIMD4<UInt32>.self)
        }
        var i = 0
        while i < count {
            var g = afterThird(firstPath &+ i), h = afterThird(firstPath &+ i &+ 4)  // h may be past the paths
            for r in UInt32(4)...10 {
                g = round(g, roundKey(r))
                h = round(h, roundKey(r))
            }
            if count - i >= 8 {
                for lane in 0..<4 {
                    store(g, lane: lane, at: i)
                    store(h, lane: lane, at: i + 4)
                }
            } else {
                for lane in 0..<Swift.min(4, count - i) { store(g, lane: lane, at: i) }
                for lane in 0..<Swift.max(0, count - i - 4) { store(h, lane: lane, at: i + 4) }
            }
            i += 8
        }
    }

    /// `firstBlocks` with the words in 32-bit lanes, eight blocks in two registers of four with
    /// SSE2 (about 6 ns a block, against 7 with one register, where each round waited on the
    /// last, and 11 with four, where the registers ran out).
    @inlinable
    func firstBlocksInNarrowLanes(what: UInt32, month: Int, firstPath: Int, count: Int, into out: UnsafeMutablePointer<UInt32>) {
        typealias Lanes = SIMD8<UInt32>
        typealias Wide = SIMD8<UInt64>
        let m0 = Wide(repeating: UInt64(Philox.m0)), m1 = Wide(repeating: UInt64(Philox.m1))
        let shared = sharedRounds(what: what, month: month)
        var i = 0
        while i < count {
            let x = Lanes(repeating: UInt32(truncatingIfNeeded: firstPath + i)) &+ Lanes(0, 1, 2, 3, 4, 5, 6, 7)
                ^ Lanes(repeating: shared.xKey)
            let q = Wide(truncatingIfNeeded: x) &* m1
            let y0 = Lanes(truncatingIfNeeded: q &>> 32) ^ Lanes(repeating: shared.y0Key), y1 = Lanes(truncatingIfNeeded: q)
            let r = Wide(truncatingIfNeeded: y0) &* m0
            var c0 = Lanes(repeating: shared.c0Key) ^ y1, c1 = Lanes(repeating: shared.c1)
            var c2 = Lanes(truncatingIfNeeded: r &>> 32) ^ Lanes(repeating: shared.c2Key), c3 = Lanes(truncatingIfNeeded: r)
            for round in UInt32(4)...10 {
                let k = roundKey(round)
                let p0 = Wide(truncatingIfNeeded: c0) &* m0
                let p1 = Wide(truncatingIfNeeded: c2) &* m1
                (c0, c1, c2, c3) = (Lanes(truncatingIfNeeded: p1 &>> 32) ^ c1 ^ Lanes(repeating: k.0), Lanes(truncatingIfNeeded: p1),
                                    Lanes(truncatingIfNeeded: p0 &>> 32) ^ c3 ^ Lanes(repeating: k.1), Lanes(truncatingIfNeeded: p0))
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
