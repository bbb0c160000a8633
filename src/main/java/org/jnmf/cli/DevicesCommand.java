package org.jnmf.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.jnmf.backend.BlasBackend;
import org.jnmf.cuda.CudaProbe;
import picocli.CommandLine.Command;

/** {@code jnmf devices}: what each backend found on this machine, and why a backend cannot run. */
@Command(name = "devices", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "List what each backend found here (CPU threads and vector width; CUDA driver, GPUs and"
                + " cuBLAS, or every reason the cuda backend cannot run; the BLAS library, or every one tried).")
final class DevicesCommand implements Callable<Integer> {
    private final PrintStream out;

    DevicesCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        out.print(CudaProbe.report());
        out.print(BlasBackend.report());
        out.flush();
        return 0;
    }
}
