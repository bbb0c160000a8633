package org.jnmf.cuda;

import java.util.List;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import org.jnmf.Precision;

/**
 * What the backends find on this machine, for {@code jnmf devices}: the CPU the Java backend would use,
 * and for CUDA the driver, device, cuBLAS and kernels, or every reason CUDA cannot run here. Probing opens
 * and closes a CUDA backend (driver load, {@code cuInit}, device, test allocation, cuBLAS handle, kernel
 * load); it never throws for an unusable machine.
 */
public final class CudaProbe {
    private CudaProbe() {
    }

    /**
     * The result of a probe.
     *
     * @param usable   whether the cuda backend can run here
     * @param reasons  why it cannot (empty when usable)
     * @param findings what was found: driver, device, cuBLAS
     */
    public record Result(boolean usable, List<String> reasons, List<String> findings, int deviceCount) {
        public Result {
            reasons = List.copyOf(reasons);
            findings = List.copyOf(findings);
        }
    }

    /** Probes CUDA with the given configuration. */
    public static Result probe(CudaConfig config) {
        CudaBackend.Attempt attempt = CudaBackend.attempt(config, Precision.SINGLE);
        int count = 0;
        if (attempt.usable()) {
            count = attempt.backend().deviceCount();
            attempt.backend().close();
        }
        return new Result(attempt.usable(), attempt.reasons(), attempt.findings(), count);
    }

    /** Probes CUDA as configured by the system properties ({@link CudaConfig#fromSystemProperties()}). */
    public static Result probe() {
        return probe(CudaConfig.fromSystemProperties());
    }

    /** A human-readable report of what each backend found, one backend per block. */
    public static String report() {
        return report(CudaConfig.fromSystemProperties());
    }

    /** {@link #report()} with an explicit CUDA configuration. */
    public static String report(CudaConfig config) {
        StringBuilder out = new StringBuilder();
        out.append("java: usable; ").append(Runtime.getRuntime().availableProcessors())
                .append(" CPU threads, Vector API ").append(FloatVector.SPECIES_PREFERRED.vectorBitSize())
                .append("-bit (").append(FloatVector.SPECIES_PREFERRED.length()).append(" float32 / ")
                .append(DoubleVector.SPECIES_PREFERRED.length()).append(" float64 lanes), ")
                .append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        Result r = probe(config);
        out.append("cuda: ").append(r.usable() ? "usable" : "not usable").append('\n');
        for (String finding : r.findings()) {
            out.append("  ").append(finding).append('\n');
        }
        for (String reason : r.reasons()) {
            out.append("  - ").append(reason).append('\n');
        }
        if (!r.usable()) {
            out.append("  fix: ").append(fix()).append('\n');
        }
        // The other devices, each as the backend would open it: -Djnmf.cuda.devices=all fits on all of them.
        for (int d = 0; d < r.deviceCount(); d++) {
            if (d == config.device()) {
                continue;
            }
            CudaBackend.Attempt other = CudaBackend.attempt(config.withDevice(d), Precision.SINGLE);
            if (other.usable()) {
                other.backend().close();
            }
            String found = other.findings().stream().filter(f -> f.startsWith("device ")).findFirst()
                    .orElse("device " + d);
            out.append("  ").append(found).append(other.usable() ? "" : ": not usable: "
                    + String.join("; ", other.reasons())).append('\n');
        }
        if (r.deviceCount() > 1) {
            out.append("  ").append(r.deviceCount()).append(" devices: -D").append(CudaConfig.DEVICES)
                    .append("=all fits on all of them, V's rows split between them\n");
        }
        return out.toString();
    }

    /** What to do when CUDA is not usable. */
    public static String fix() {
        return "install an NVIDIA driver for CUDA 13 (580 or newer) and cuBLAS 13 (or 12/11), point -D"
                + CudaConfig.LIBRARY_PATH + " or " + CudaConfig.LIBRARY_DIRS_ENV + " at their folders if they are not "
                + "on the loader path, or use --backend java";
    }
}
