/// Memory for the arrays of one chunk at a time, kept by a worker thread from chunk to chunk.
///
/// A chunk's arrays take a few hundred KiB. Allocated afresh for every chunk, the larger ones
/// came from mmap and went back with munmap, and the kernel's page clearing and the TLB
/// shootdowns between the two threads took up to a tenth of a W2 profile; reused, they stay
/// mapped.
final class ChunkMemory {
    /// Blocks of memory and their sizes in bytes; arrays are taken from the last.
    private var blocks: [(start: UnsafeMutableRawPointer, bytes: Int)] = []
    /// Bytes taken from the last block.
    private var used = 0

    init() {}

    deinit {
        for block in blocks { block.start.deallocate() }
    }

    /// Starts a new chunk: every array taken before is given up. When the last chunk needed more
    /// than one block, they are replaced by one of their total size.
    func reset() {
        if blocks.count > 1 {
            let total = blocks.reduce(0) { $0 + $1.bytes }
            for block in blocks { block.start.deallocate() }
            blocks = [(.allocate(byteCount: total, alignment: 64), total)]
        }
        used = 0
    }

    /// An array of `count` (at least 1) values, each set to `value`, valid until the next
    /// `reset`. Arrays start on a cache line and one line apart beyond their own size, so that
    /// arrays whose size is a whole number of 4 KiB pages do not all start at the same offset in
    /// a page (loads and stores 4 KiB apart are mistaken for each other and wait).
    func take<T>(_ count: Int, _ value: T) -> UnsafeMutablePointer<T> {
        let n = Swift.max(1, count)
        let bytes = (n * MemoryLayout<T>.stride + 63) / 64 * 64 + 64
        if blocks.isEmpty || used + bytes > blocks[blocks.count - 1].bytes {
            let size = Swift.max(bytes, 2 * (blocks.last?.bytes ?? 0), 1 << 16)
            blocks.append((.allocate(byteCount: size, alignment: 64), size))
            used = 0
        }
        let array = (blocks[blocks.count - 1].start + used).bindMemory(to: T.self, capacity: n)
        array.initialize(repeating: value, count: n)
        used += bytes
        return array
    }
}
