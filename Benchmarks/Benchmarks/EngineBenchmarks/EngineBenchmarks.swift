import Benchmark
import Foundation
import WorkforceCore
import WorkforceScenario

/// Micro-benchmarks of the engine's kernels and the interactive workload W1 in-process. The
/// whole-command workloads W1-W3 (start-up, wall time, peak memory, thread scaling) are timed by
/// `Benchmarks/workloads.sh`.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .peakMemoryResident],
                                           maxDuration: .seconds(3), maxIterations: 1000)

    // Binomial draws per second over the n*p range of the issue: inversion below n p = 10, BTRS above.
    let binomialCases = [(2.0, 0.1), (20.0, 0.1), (200.0, 0.05), (1_000.0, 0.1), (40_000.0, 0.25)]
    for (n, p) in binomialCases {
        Benchmark("binomial n=\(Int(n)) p=\(p) (n*p=\(n * p)), 1M draws",
                  configuration: .init(scalingFactor: .mega)) { benchmark in
            let key = streamKey(seed: 1, unitHash: 2)
            var total = 0.0
            for i in benchmark.scaledIterations {
                var s = RandomStream(key: key, what: 3, month: 24300, path: i)
                total += Binomial.sample(n: n, p: p, stream: &s)
            }
            blackHole(total)
        }
    }

    // The same draws as the month step makes them: the first blocks of 64 paths' streams made
    // together in SIMD lanes, then one draw from each, either one by one or through the batch
    // call the month step uses (runs of four in SIMD lanes).
    for (n, p) in binomialCases {
        for batch in [false, true] {
            let way = batch ? "64 paths at once" : "first blocks of 64 paths together"
            Benchmark("binomial n=\(Int(n)) p=\(p) (n*p=\(n * p)), 1M draws, \(way)",
                      configuration: .init(scalingFactor: .mega)) { benchmark in
                let key = streamKey(seed: 1, unitHash: 2)
                let blocks = UnsafeMutablePointer<UInt32>.allocate(capacity: 4 * 64)
                defer { blocks.deallocate() }
                let logQ = log1p(-p)  // made once per rate, as the month step does for exits and moves
                let ns = [Double](repeating: n, count: 64), ps = [Double](repeating: p, count: 64)
                let logQs = [Double](repeating: logQ, count: 64)
                var out = [Double](repeating: 0, count: 64)
                let draws = benchmark.scaledIterations.count
                var total = 0.0
                benchmark.startMeasurement()
                for first in stride(from: 0, to: draws, by: 64) {
                    let count = Swift.min(64, draws - first)
                    key.firstBlocks(what: 3, month: 24300, firstPath: first, count: count, into: blocks)
                    if batch {
                        Binomial.sample(count: count, n: ns, p: ps, logQ: logQs, key: key, what: 3, month: 24300,
                                        firstPath: first, blocks: blocks, into: &out)
                        for i in 0..<count { total += out[i] }
                    } else {
                        for i in 0..<count {
                            var s = RandomStream(key: key, what: 3, month: 24300, path: first + i,
                                                 firstBlock: blocks + 4 * i)
                            total += Binomial.sample(n: n, p: p, logQ: logQ, stream: &s)
                        }
                    }
                }
                blackHole(total)
            }
        }
    }

    // One month of the progression product for W2's block: 8 roles x (153 units x 64 paths).
    Benchmark("progression product, 8 roles x 9792 columns") { benchmark in
        let R = 8, C = 153 * 64
        var k = [Double](repeating: 0, count: R * R)
        for r in 0..<R { k[r * R + r] = 0.995; if r + 1 < R { k[r * R + r + 1] = 0.005 } }
        let f1 = [Double](repeating: 100, count: R * C)
        var f2 = [Double](repeating: 0, count: R * C)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            k.withUnsafeBufferPointer { kp in f1.withUnsafeBufferPointer { fp in f2.withUnsafeMutableBufferPointer { out in
                Kernels.progression(kp.baseAddress!, fp.baseAddress!, into: out.baseAddress!, roles: R, columns: C, stride: C)
            } } }
        }
        blackHole(f2[0])
    }

    // Summaries: mean, sd and five quantiles of 10,000 paths, the work per output cell of W2.
    Benchmark("quantile summary of 10000 paths") { benchmark in
        let key = streamKey(seed: 4, unitHash: 5)
        var source = RandomStream(key: key, what: 0, month: 0, path: 0)
        let values = (0..<10_000).map { _ in source.uniform() * 1000 }
        var scratch = values
        var out = [Double](repeating: 0, count: 7)
        let workspace = SummaryWorkspace(capacity: values.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            scratch.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.update(from: values, count: values.count)
                Statistics.summarise(buffer.baseAddress!, count: values.count, quantiles: [5, 25, 50, 75, 95],
                                     into: &out, workspace: workspace)
            }
        }
        blackHole(out)
    }

    // W1 in-process: the North West scenario, 2,000 paths, fluid mode, to 2030-12.
    Benchmark("W1 north-west-2017, 2000 paths (in-process)", configuration: .init(maxIterations: 20)) { benchmark in
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scenarios/north-west-2017/scenario.yaml").path
        var model = try ScenarioLoader.load(path: path)
        model.paths = 2000
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(Simulator.run(model, options: SimulationOptions(threads: 2)))
        }
    }
}
