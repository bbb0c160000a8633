package org.jnmf.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's measured fused multiply-add peak: every thread runs independent chains of vector FMAs on
 * registers (16 chains, enough to cover the FMA latency on current x86 and ARM cores), all threads at
 * once; the best of a few rounds counts. 2 flops per lane per FMA.
 */
public final class FmaPeak {
    private static final int CHAINS = 16;
    /** Loop iterations per chunk (16 FMAs each): about 0.1 ms compiled. */
    private static final long CHUNK = 1 << 16;
    private static final long ROUND_NANOS = 100_000_000L;
    // Constants, so that C2 intrinsifies the vector operations (a species passed as a parameter defeats it).
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    private static volatile double sink;

    private FmaPeak() {
    }

    /** GFLOP/s of float32 (single = true) or float64 FMAs on {@code threads} threads, best of {@code rounds}. */
    public static double gflops(boolean single, int threads, int rounds) {
        warmUp(single);
        double best = 0;
        for (int round = 0; round < rounds; round++) {
            best = Math.max(best, round(single, threads, ROUND_NANOS));
        }
        return best;
    }

    private static int lanes(boolean single) {
        return single ? FLOATS.length() : DOUBLES.length();
    }

    /**
     * All threads run chunks of FMAs for about {@code nanos}; the rate is the work done over the wall time
     * until the last thread stops (bounded even if the loop never got compiled).
     */
    private static double round(boolean single, int threads, long nanos) {
        long[] chunks = new long[threads];
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                long deadline = System.nanoTime() + nanos;
                long done = 0;
                double sum = 0;
                do {
                    sum += chains(single, CHUNK);
                    done++;
                } while (System.nanoTime() < deadline);
                chunks[index] = done;
                sink += sum;
            }, "jnmf-fma-peak");
            worker.setDaemon(true);
            worker.start();
            workers.add(worker);
        }
        try {
            start.await();
            long t0 = System.nanoTime();
            for (Thread w : workers) {
                w.join();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long total = 0;
            for (long c : chunks) {
                total += c;
            }
            return (double) total * CHUNK * CHAINS * lanes(single) * 2 / seconds / 1e9;
        } catch (Exception e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the FMA peak", e);
        }
    }

    /** Runs short loops until one is fast (compiled by C2) or a second has passed; compiled code is shared by all threads. */
    private static void warmUp(boolean single) {
        long end = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            sink += chains(single, 20_000);
            if (System.nanoTime() - t0 < 1_000_000) {
                return;
            }
        }
    }

    private static double chains(boolean single, long iterations) {
        return single ? floatChains(iterations) : doubleChains(iterations);
    }

    private static double floatChains(long iterations) {
        VectorSpecies<Float> s = FLOATS;
        FloatVector a = FloatVector.broadcast(s, 0.999f);
        FloatVector b = FloatVector.broadcast(s, 0.001f);
        FloatVector c0 = FloatVector.broadcast(s, 1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        FloatVector c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
        for (long i = 0; i < iterations; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
            c12 = c12.fma(a, b); c13 = c13.fma(a, b); c14 = c14.fma(a, b); c15 = c15.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .add(c12).add(c13).add(c14).add(c15).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    private static double doubleChains(long iterations) {
        VectorSpecies<Double> s = DOUBLES;
        DoubleVector a = DoubleVector.broadcast(s, 0.999);
        DoubleVector b = DoubleVector.broadcast(s, 0.001);
        DoubleVector c0 = DoubleVector.broadcast(s, 1), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        DoubleVector c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
        for (long i = 0; i < iterations; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
            c12 = c12.fma(a, b); c13 = c13.fma(a, b); c14 = c14.fma(a, b); c15 = c15.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .add(c12).add(c13).add(c14).add(c15).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
