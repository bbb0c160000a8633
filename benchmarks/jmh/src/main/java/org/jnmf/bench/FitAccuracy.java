package org.jnmf.bench;

import java.util.List;
import java.util.Locale;
import org.jnmf.Algorithm;
import org.jnmf.Nmf;
import org.jnmf.NmfResult;
import org.jnmf.Precision;

/**
 * Prints, as tab-separated lines "backend precision algorithm shape iterations relative_error", the
 * relative error each backend reaches from FitBenchmark's start. Arguments: backends (comma-separated),
 * shape, iterations, threads.
 */
public final class FitAccuracy {
    private FitAccuracy() {
    }

    public static void main(String[] args) {
        List<String> backends = List.of(args[0].split(","));
        String shape = args[1];
        int iterations = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        int[] s = Shapes.parse(shape);
        for (Precision precision : Precision.values()) {
            FitProblem problem = FitProblem.of(s[0], s[1], s[2], precision);
            for (Algorithm algorithm : List.of(Algorithm.HALS, Algorithm.MULTIPLICATIVE)) {
                for (String backend : backends) {
                    try {
                        NmfResult r = Nmf.fit(problem.v(), FitBenchmark.options(s[2], algorithm, precision,
                                iterations, threads, backend, problem));
                        System.out.printf(Locale.ROOT, "%s\t%s\t%s\t%s\t%d\t%.8f%n", backend, precision, algorithm,
                                shape, iterations, r.relativeError());
                    } catch (RuntimeException e) {
                        System.err.println(backend + ": " + e.getMessage());
                    }
                }
            }
        }
    }
}
