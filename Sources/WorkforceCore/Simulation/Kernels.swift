import COpenBLAS

/// The numerical kernels of a month step that are worth measuring on their own.
public enum Kernels {
    /// Makes OpenBLAS run every call on the calling thread. The engine runs its own threads over
    /// columns, so BLAS's threads would only compete with them; a threaded OpenBLAS starts them
    /// when it is loaded, and they spin (sched_yield) for a while before they sleep, which took
    /// a core from short runs. Their server is stopped if the library has one (a weak symbol, so
    /// a serial OpenBLAS works too, linked statically or not). Done once per process: after the
    /// server is stopped, setting the thread count again would start it again.
    public static func singleThreadedBLAS() { _ = blasOnOneThread }

    private static let blasOnOneThread: Void = {
        openblas_set_num_threads(1)
        workforce_blas_thread_shutdown()
    }()

    /// F2 = K F1 for `columns` columns at once (MODEL.md section 5, step 3): one BLAS matrix
    /// product. K is R x R, column-major. F1 and F2 are role-major: role r of column c at
    /// r * stride + c (stride >= columns), so the product is taken as F2^T = F1^T K^T, a
    /// columns x R matrix with leading dimension `stride`.
    @inlinable
    public static func progression(_ K: UnsafePointer<Double>, _ F1: UnsafePointer<Double>,
                                   into F2: UnsafeMutablePointer<Double>, roles R: Int, columns: Int, stride: Int) {
        let r = Int32(R)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, Int32(columns), r, r, 1, F1, Int32(stride), K, r,
                    0, F2, Int32(stride))
    }
}
