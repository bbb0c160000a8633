/**
 * The {@code jnmf} command line ({@link org.jnmf.cli.Main}): {@code jnmf fit INPUT --rank K --out DIR}
 * reads a matrix with {@link org.jnmf.io.MatrixReader}, factors it with {@link org.jnmf.Nmf} and writes
 * W, H and {@code summary.json} atomically. Errors are one line, {@code jnmf: <message>}, with exit
 * status 2 for usage and input errors and 1 for other failures.
 */
package org.jnmf.cli;
