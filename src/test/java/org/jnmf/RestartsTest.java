package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Several seeded runs: each is the single fit with its seed, the best is kept, all losses are reported. */
class RestartsTest {
    private static final DenseMatrix V = TestMatrices.lowRank(40, 30, 6, 0.2, 21);

    @Test
    void keepsTheBestOfTheSeededRunsAndReportsEveryLoss() {
        NmfOptions options = NmfOptions.builder(6).seed(5).maxIterations(15).threads(1).restarts(4).build();
        NmfResult best = Nmf.fit(V, options);
        double[] losses = best.restartLosses();
        long[] seeds = best.restartSeeds();
        assertEquals(4, losses.length);
        assertEquals(5, seeds[0]);
        assertEquals(4, Arrays.stream(seeds).distinct().count());
        assertEquals(Initialization.RANDOM, best.initialization());
        for (int i = 0; i < 4; i++) {
            NmfResult single = Nmf.fit(V, NmfOptions.builder(6).seed(seeds[i]).maxIterations(15).threads(1)
                    .initialization(Initialization.RANDOM).build());
            assertEquals(single.loss(), losses[i], 0.0, "run " + i);
            if (i == best.bestRestart()) {
                assertEquals(single.w(), best.w());
                assertEquals(single.h(), best.h());
            }
        }
        assertEquals(Arrays.stream(losses).min().orElseThrow(), best.loss(), 0.0);
        assertTrue(Arrays.stream(losses).distinct().count() > 1, "every run ended the same");
        NmfResult again = Nmf.fit(V, options);
        assertArrayEquals(losses, again.restartLosses());
        assertEquals(best.w(), again.w());
    }

    @Test
    void aSingleRunReportsItsOwnLoss() {
        NmfResult r = Nmf.fit(V, NmfOptions.builder(3).maxIterations(5).threads(1).build());
        assertArrayEquals(new double[] {r.loss()}, r.restartLosses());
        assertEquals(0, r.bestRestart());
    }

    @Test
    void badRestartsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NmfOptions.builder(3).restarts(0));
        assertTrue(e.getMessage().contains("restarts must be at least 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NmfOptions.builder(3).restarts(3).initialization(Initialization.NNDSVDA).build());
        assertTrue(e.getMessage().contains("random"), e.getMessage());
        NmfOptions.builder(3).restarts(3).initialization(Initialization.NNDSVDAR).build();
    }
}
