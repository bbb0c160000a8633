package org.jnmf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.jnmf.Algorithm;
import org.jnmf.ConcurrentFitsTest;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.Precision;
import org.jnmf.RobustnessTest;
import org.jnmf.TestMatrices;
import org.jnmf.DenseMatrix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** RobustnessTest's awkward data and ConcurrentFitsTest's crowd, on the CUDA backend (the stand-ins in CI). */
class CudaRobustnessTest {
    @AfterEach
    void noLeaks() throws Throwable {
        if (CudaTestSupport.standIns()) {
            assertEquals(0, CudaTestSupport.StandIn.liveAllocations(), "device memory left allocated");
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void awkwardDataGivesFiniteFactorsOnTheGpu(Precision precision) {
        CudaTestSupport.open(precision).close();
        RobustnessTest.allCasesOn(() -> CudaTestSupport.open(precision), precision);
    }

    @Test
    void gpuFitsInParallelWithCpuFitsEqualTheirSequentialResults() throws Exception {
        CudaTestSupport.open(Precision.SINGLE).close();
        DenseMatrix v = TestMatrices.lowRank(40, 30, 3, 0.05, 31);
        List<ConcurrentFitsTest.Job> jobs = new ArrayList<>();
        for (Algorithm a : Algorithm.values()) {
            for (Precision p : Precision.values()) {
                NmfOptions o = NmfOptions.builder(4).algorithm(a).precision(p).seed(9).maxIterations(25).tolerance(0)
                        .threads(1).build();
                jobs.add(new ConcurrentFitsTest.Job("cuda " + a + " " + p, () -> {
                    try (CudaBackend backend = CudaTestSupport.open(p)) {
                        return Nmf.fit(v, o, backend);
                    }
                }));
                jobs.add(new ConcurrentFitsTest.Job("java " + a + " " + p, () -> Nmf.fit(v, o)));
            }
        }
        ConcurrentFitsTest.assertParallelEqualsSequential(jobs, 2);
    }
}
