package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The API is safe to call from many threads at once: every fit owns its backend, worker threads and
 * buffers. Fits of different kinds run in parallel, several copies of each, and each must equal bit for
 * bit the same fit run alone.
 */
public class ConcurrentFitsTest {
    /** One fit to run, alone and in a crowd. */
    public record Job(String name, Supplier<NmfResult> fit) {
    }

    static List<Job> javaJobs() {
        DenseMatrix dense = TestMatrices.lowRank(70, 50, 4, 0.05, 21);
        SparseMatrix sparse = TestMatrices.sparseCounts(80, 60, 0.1, 22);
        List<Job> jobs = new ArrayList<>();
        for (Algorithm a : Algorithm.values()) {
            for (Precision p : Precision.values()) {
                NmfOptions o = NmfOptions.builder(5).algorithm(a).precision(p).seed(3).threads(2).maxIterations(40)
                        .tolerance(0).build();
                jobs.add(new Job("dense " + a + " " + p, () -> Nmf.fit(dense, o)));
                NmfOptions sparseOptions = NmfOptions.builder(4).algorithm(a).precision(p).seed(5).threads(1)
                        .initialization(Initialization.NNDSVDA).maxIterations(30).tolerance(0).build();
                jobs.add(new Job("sparse " + a + " " + p, () -> Nmf.fit(sparse, sparseOptions)));
            }
        }
        return jobs;
    }

    @Test
    void parallelFitsEqualTheirSequentialResultsBitForBit() throws Exception {
        assertParallelEqualsSequential(javaJobs(), 3);
    }

    /** Runs every job alone, then {@code copies} of each all at once, and compares them bit for bit. */
    public static void assertParallelEqualsSequential(List<Job> jobs, int copies) throws Exception {
        List<NmfResult> alone = new ArrayList<>();
        for (Job job : jobs) {
            alone.add(job.fit().get());
        }
        ExecutorService pool = Executors.newFixedThreadPool(jobs.size() * copies);
        try {
            List<Future<NmfResult>> crowd = new ArrayList<>();
            for (int c = 0; c < copies; c++) {
                for (Job job : jobs) {
                    crowd.add(pool.submit((Callable<NmfResult>) () -> job.fit().get()));
                }
            }
            for (int f = 0; f < crowd.size(); f++) {
                Job job = jobs.get(f % jobs.size());
                NmfResult expected = alone.get(f % jobs.size());
                NmfResult got = crowd.get(f).get();
                assertArrayEquals(expected.w().toDoubleArray(), got.w().toDoubleArray(), job.name() + ": W");
                assertArrayEquals(expected.h().toDoubleArray(), got.h().toDoubleArray(), job.name() + ": H");
                assertArrayEquals(expected.lossHistory(), got.lossHistory(), job.name() + ": losses");
                assertEquals(expected.iterations(), got.iterations(), job.name() + ": iterations");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
