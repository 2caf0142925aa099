/// The order in which the leaves are simulated, in blocks, and when each parent area is complete,
/// so that a parent's per-path values are held only while its subtree is being simulated.
///
/// Each parent area P holds the sum, path by path, of its own leaves in unit order, followed by
/// its child parents one by one in the reverse of their order among P's children (each child
/// whole by then). The leaves are simulated in the order that lets every parent be finished as
/// soon as possible under that rule: `visit(P)` = P's own leaves in unit order, then for each
/// child parent c in reverse order `visit(c)`, after which c is complete: it is added into P,
/// summarised, and its storage reused. So the areas held at once are the ancestors of the leaves
/// being simulated, not every parent of the tree, and a parent's sums are the same, addition
/// for addition, whatever the block size (a leaf's values do not depend on its block).
struct AreaSchedule {
    /// One block of leaves and the parents that are complete once it has been simulated.
    struct Block {
        /// Indices into `Model.leaves`, in simulation order.
        var leaves: [Int]
        /// Parent slots reused by areas that start receiving values in this block: to be zeroed
        /// before it (slots used for the first time are zero already).
        var reused: [Int]
        /// Parent areas complete after this block, in the order they are to be added into their
        /// own parents.
        var completed: [Int]
    }

    var blocks: [Block] = []
    /// The storage slot of each parent area (-1 for a leaf).
    var slot: [Int]
    /// Slots needed at once: the largest number of parents held together.
    var slotCount = 0

    /// - Parameter blockSize: leaves per block (at least 1).
    init(model: Model, blockSize: Int) {
        let areas = model.areas
        slot = [Int](repeating: -1, count: areas.count)
        // Simulation order, each parent's completion placed after the last leaf of its subtree.
        var leafOrder: [Int] = []
        var completedAfter: [[Int]] = [[]]  // completedAfter[j]: complete once j leaves are done
        func visit(_ area: Int) {
            let children = areas[area].children
            for leaf in children.compactMap({ areas[$0].leaf }).sorted() {
                leafOrder.append(leaf)
                completedAfter.append([])
            }
            for child in children.reversed() where areas[child].leaf == nil {
                visit(child)
                completedAfter[leafOrder.count].append(child)
            }
        }
        for root in areas.indices where areas[root].parent == nil {
            if let leaf = areas[root].leaf {
                leafOrder.append(leaf)
                completedAfter.append([])
            } else {
                visit(root)
                completedAfter[leafOrder.count].append(root)
            }
        }

        // Slots: taken when an area first receives values (when a block holds one of its
        // leaves), given back when it is complete, the lowest free slot first.
        var free: [Int] = []
        func open(_ area: Int, in block: inout Block) {
            var up: Int? = area
            while let a = up, slot[a] < 0 {
                if let reuse = free.min() {
                    free.removeAll { $0 == reuse }
                    slot[a] = reuse
                    block.reused.append(reuse)
                } else {
                    slot[a] = slotCount
                    slotCount += 1
                }
                up = areas[a].parent
            }
        }
        var first = 0
        repeat {
            let last = Swift.min(leafOrder.count, first + Swift.max(1, blockSize))
            var block = Block(leaves: Array(leafOrder[first..<last]), reused: [], completed: [])
            for leaf in block.leaves {
                if let parent = areas[model.leaves[leaf].area].parent { open(parent, in: &block) }
            }
            // (A parent with no leaves below it, which a scenario file cannot make, is opened
            // when it is complete and so holds zeros.)
            for j in (first == 0 ? 0 : first + 1)...last {
                for area in completedAfter[j] {
                    open(area, in: &block)
                    block.completed.append(area)
                }
            }
            for area in block.completed { free.append(slot[area]) }
            blocks.append(block)
            first = last
        } while first < leafOrder.count
    }
}
