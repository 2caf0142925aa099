/// A stream of uniform numbers for one draw, identified by (seed, unit, path, month, what).
///
/// The Philox key is mix64(seed) combined with the unit's name hash; the counter is
/// (index, what, month, path), where `index` counts the 128-bit blocks used so far. Two
/// scenarios with the same seed therefore share random numbers wherever a unit, path, month and
/// kind of draw coincide (common random numbers, MODEL.md section 9).
public struct RandomStream {
    @usableFromInline let philox: Philox
    @usableFromInline let what: UInt32
    @usableFromInline let month: UInt32
    @usableFromInline let path: UInt32
    @usableFromInline var index: UInt32
    @usableFromInline var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    @usableFromInline var used: Int = 4

    /// - Parameters:
    ///   - key: `streamKey(seed:unit:)` for the unit (or 0 in place of the unit hash for
    ///     draws shared by every unit).
    ///   - what: the kind of draw and what it is for, as built by `DrawKind.code`.
    ///   - sub: a further 16-bit discriminator (a destination role, a training stage).
    @inlinable
    public init(key: Philox, what: UInt32, month: Int, path: Int, sub: UInt32 = 0) {
        self.philox = key
        self.what = what
        self.month = UInt32(truncatingIfNeeded: month)
        self.path = UInt32(truncatingIfNeeded: path)
        self.index = sub << 16
    }

    /// The same stream (with `sub` 0) when its first block, `philox.block((0, what, month, path))`,
    /// has already been computed, as `Philox.firstBlocks` does for a run of paths at once.
    @inlinable
    public init(key: Philox, what: UInt32, month: Int, path: Int, firstBlock: UnsafePointer<UInt32>) {
        self.init(key: key, what: what, month: month, path: path)
        buffer = (firstBlock[0], firstBlock[1], firstBlock[2], firstBlock[3])
        index = 1
        used = 0
    }

    @inlinable @inline(__always)
    mutating func nextWord() -> UInt32 {
        if used == 4 {
            buffer = philox.block((index, what, month, path))
            index &+= 1
            used = 0
        }
        defer { used += 1 }
        switch used {
        case 0: return buffer.0
        case 1: return buffer.1
        case 2: return buffer.2
        default: return buffer.3
        }
    }

    /// A uniform number in the open interval (0, 1) with 53 random bits: (b + 1/2) 2^-53 for the
    /// top 53 bits b of two words, except that b = 2^53 - 1, where that rounds to 1, gives the
    /// largest Double below 1.
    @inlinable @inline(__always)
    public mutating func uniform() -> Double {
        let hi = UInt64(nextWord())
        let lo = UInt64(nextWord())
        let bits = ((hi << 32) | lo) >> 11
        return Swift.min((Double(bits) + 0.5) * 0x1.0p-53, 1.0.nextDown)
    }
}

/// The Philox key for a unit's draws under a seed.
public func streamKey(seed: UInt64, unitHash: UInt64) -> Philox {
    Philox(key: mix64(mix64(seed) ^ unitHash))
}

/// Kinds of draws, each combined with a 24-bit name hash into the stream's `what` word.
public enum DrawKind: UInt32, Sendable {
    case parameter = 1, exits, moves, progression, dropouts, hires, internationalHires

    /// The `what` word: the kind in the top 8 bits, a 24-bit hash of `name` below.
    public func code(_ nameHash: UInt64) -> UInt32 {
        rawValue << 24 | UInt32(truncatingIfNeeded: nameHash) & 0xFF_FFFF
    }
}
