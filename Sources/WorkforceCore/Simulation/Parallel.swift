import Dispatch
import Synchronization

/// Runs `body(item, worker)` for every item in 0 ..< count on up to `threads` threads. Items are
/// taken in order from a shared counter; `worker` (0 ..< threads) lets a body use per-thread
/// scratch. Results must not depend on which thread runs which item.
func parallelFor(_ count: Int, threads: Int, _ body: (Int, Int) -> Void) {
    let workers = Swift.max(1, Swift.min(threads, count))
    if workers == 1 {
        for i in 0..<count { body(i, 0) }
        return
    }
    let next = Atomic<Int>(0)
    withoutActuallyEscaping(body) { body in
        let box = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= count { break }
                box.value(i, worker)
            }
        }
    }
}

/// Carries a non-Sendable value into worker threads whose accesses are disjoint by design.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
