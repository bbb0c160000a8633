/**
 * Reading and writing matrices: {@link org.jnmf.io.MatrixReader} for Matrix Market ({@code .mtx}),
 * NumPy ({@code .npy}), CSV and TSV files and their gzip forms; {@link org.jnmf.io.MatrixWriter} and
 * {@link org.jnmf.io.AtomicFiles} for output that is never left half-written.
 */
package org.jnmf.io;
