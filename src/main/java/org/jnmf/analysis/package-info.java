/**
 * Reading a factorisation: sparseness of the factors, clusters and their agreement with known classes,
 * and consensus clustering for choosing the rank.
 */
package org.jnmf.analysis;
