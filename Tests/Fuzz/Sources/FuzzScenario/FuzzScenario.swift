import Foundation
import WorkforceCore
import WorkforceScenario

/// One fuzz input is the text of `scenario.yaml`, a NUL byte, and the text of `t.csv` (which the
/// scenario may name as any of its tables). Loading must end in a model or a ScenarioError,
/// never a crash; a model small enough is then simulated on two paths.
let directory = NSTemporaryDirectory() + "workforce-fuzz-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let split = bytes.firstIndex(of: 0) ?? size
    let yaml = Data(bytes[0..<split])
    let csv = split < size ? Data(bytes[(split + 1)...]) : Data()
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: directory + "/scenario.yaml", contents: yaml)
    _ = FileManager.default.createFile(atPath: directory + "/t.csv", contents: csv)
    guard var model = try? ScenarioLoader.load(path: directory + "/scenario.yaml") else { return 0 }
    model.paths = 2
    let size = model.leaves.count * model.roles.count * model.timeline.months
        * Swift.max(1, model.programmes.map(\.duration).reduce(0, +))
    if size < 200_000 {
        _ = Simulator.run(model, options: SimulationOptions(threads: 1))
    }
    return 0
}

/// libFuzzer's driver, started from the entry point SwiftPM gives an executable target.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("FuzzScenario_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzz(data, size) }
}
