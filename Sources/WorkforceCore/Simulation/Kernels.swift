import COpenBLAS

/// The numerical kernels of a month step that are worth measuring on their own.
public enum Kernels {
    /// F2 = K F1 for `columns` columns at once (MODEL.md section 5, step 3): one BLAS matrix
    /// product. K is R x R and F1, F2 are R x columns, all column-major.
    @inlinable
    public static func progression(_ K: UnsafePointer<Double>, _ F1: UnsafePointer<Double>,
                                   into F2: UnsafeMutablePointer<Double>, roles R: Int, columns: Int) {
        let r = Int32(R)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, r, Int32(columns), r, 1, K, r, F1, r, 0, F2, r)
    }
}
