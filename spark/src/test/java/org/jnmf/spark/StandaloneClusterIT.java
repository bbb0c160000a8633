package org.jnmf.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.jnmf.Algorithm;
import org.jnmf.DenseMatrix;
import org.jnmf.Initialization;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distributed fit on a real Spark standalone cluster on localhost: a master and two workers, each a JVM
 * of its own started here ({@code org.apache.spark.deploy.master.Master} and {@code ...worker.Worker}, what
 * {@code sbin/start-master.sh} and {@code start-worker.sh} run), and the executors the workers launch, one
 * JVM each. Spark is not installed: the workers' SPARK_HOME is a folder whose {@code jars/} links to this
 * test's class path. Runs in a JVM of its own (the {@code cluster-tests} execution), since a JVM holds one
 * SparkContext at a time and the other tests share a local[2] one.
 */
@EnabledOnOs(OS.LINUX)
class StandaloneClusterIT {
    private static final DenseMatrix V = Problems.lowRankPlusNoise(300, 120, 5, 17);
    private static final long START_TIMEOUT_SECONDS = 180;

    @TempDir
    static Path dir;

    private static final List<Process> daemons = new ArrayList<>();
    private static String masterUrl;
    private static Path home;
    private static List<String> directories;

    @BeforeAll
    static void startMasterAndTwoWorkers() throws Exception {
        List<String> classPath = List.of(System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path")).split(File.pathSeparator));
        home = Files.createDirectories(dir.resolve("spark-home"));
        Path jars = Files.createDirectories(home.resolve("jars"));
        // The workers' launcher takes jars/ for the class path only where a RELEASE file marks a distribution.
        Files.writeString(home.resolve("RELEASE"), "Spark (the jnmf test's class path)\n");
        directories = new ArrayList<>();
        int index = 0;
        for (String entry : classPath) {
            Path p = Path.of(entry).toAbsolutePath();
            if (Files.isDirectory(p)) {
                directories.add(p.toString());
            } else if (p.toString().endsWith(".jar") && Files.isRegularFile(p)) {
                // Numbered: two artifacts may share a file name.
                Files.createSymbolicLink(jars.resolve(String.format("%04d-%s", index++, p.getFileName())), p);
            }
        }
        int port = freePort();
        masterUrl = "spark://127.0.0.1:" + port;
        daemons.add(daemon("master", List.of(), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--webui-port", "0"));
        waitForPort(port, daemons.getFirst(), dir.resolve("master.log"));
        for (int w = 1; w <= 2; w++) {
            Path work = Files.createDirectories(dir.resolve("worker-" + w));
            // Each worker offers one "GPU", found by a discovery script as on a real cluster: worker 1 has
            // device 1, worker 2 device 0 (the CUDA stand-in reports two devices to the executors).
            Path discover = dir.resolve("gpus-" + w + ".sh");
            Files.writeString(discover, "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [\"" + (2 - w) + "\"]}'\n");
            discover.toFile().setExecutable(true);
            daemons.add(daemon("worker-" + w, List.of("-Dspark.worker.resource.gpu.amount=1",
                    "-Dspark.worker.resource.gpu.discoveryScript=" + discover),
                    "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1", "--memory", "1g",
                    "--webui-port", "0", "--work-dir", work.toString(), masterUrl));
        }
    }

    @AfterAll
    static void stopTheCluster() throws InterruptedException {
        for (Process p : daemons.reversed()) {
            p.destroy();
        }
        for (Process p : daemons) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** A Spark daemon in a JVM of its own, with the JVM options the tests run with; output to NAME.log. */
    private static Process daemon(String name, List<String> properties, String mainClass, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(sparkJvmOptions());
        command.addAll(properties);
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(home.resolve("jars") + File.separator + "*");
        command.add(mainClass);
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        // The workers start their executors with JAVA_HOME's java: this test's JDK, not the machine's default.
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // The workers' launcher asks for the Scala version, which a Spark installation's layout would give.
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    /** The --add-opens list every Spark JVM needs (jvm-spark.args, one option a line). */
    private static List<String> sparkJvmOptions() throws IOException {
        List<String> options = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(System.getProperty("user.dir"), "jvm-spark.args"))) {
            if (!line.isBlank()) {
                options.add(line.strip());
            }
        }
        return options;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void waitForPort(int port, Process owner, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (!owner.isAlive()) {
                throw new IllegalStateException("the master exited: " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the master did not listen on " + port + ": " + Files.readString(log));
    }

    private static String logs() throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.walk(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".log") || f.getFileName().toString()
                    .equals("stderr")).toList()) {
                String text = Files.readString(p);
                all.append("\n== ").append(p).append('\n')
                        .append(text, Math.max(0, text.length() - 4000), text.length());
            }
        }
        return all.toString();
    }

    private static JavaSparkContext connect(String master, int executors) throws Exception {
        return connect(master, executors, "", Map.of());
    }

    /** With more executor JVM flags and configuration ({@code extra}). */
    private static JavaSparkContext connect(String master, int executors, String moreFlags, Map<String, String> extra)
            throws Exception {
        // The executors get the flags jnmf's kernels need and, as a class path after SPARK_HOME/jars/*,
        // this build's class folders (the library under test and these tests' classes).
        String executorFlags = String.join(" ", sparkJvmOptions()) + " " + System.getProperty("jnmf.jvmFlags", "")
                + " " + moreFlags;
        SparkConf conf = new SparkConf().setMaster(master).setAppName("jnmf-standalone-cluster-test")
                .set("spark.ui.enabled", "false")
                .set("spark.executor.memory", "512m")
                .set("spark.executor.cores", "1")
                .set("spark.executor.extraJavaOptions", executorFlags)
                .set("spark.executor.extraClassPath", String.join(File.pathSeparator, directories))
                .set("spark.driver.host", "127.0.0.1");
        extra.forEach(conf::set);
        JavaSparkContext sc = new JavaSparkContext(conf);
        sc.setLogLevel("WARN");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (sc.sc().statusTracker().getExecutorInfos().length < executors + 1) { // + the driver
            if (System.nanoTime() > deadline) {
                sc.stop();
                throw new IllegalStateException("fewer than " + executors + " executors registered:" + logs());
            }
            Thread.sleep(250);
        }
        return sc;
    }

    @Test
    void aFitOnTwoWorkersMatchesTheSingleMachineFitAndLocalModeBitForBit() throws Exception {
        NmfOptions options = NmfOptions.builder(5).algorithm(Algorithm.HALS).initialization(Initialization.RANDOM)
                .seed(3).maxIterations(40).tolerance(0).backend("java").threads(1).build();
        DistributedOptions four = DistributedOptions.builder().partitions(4).build();
        List<Vector> rows = Problems.rows(V);

        DenseMatrix clusterH;
        DenseMatrix clusterW;
        double clusterError;
        JavaSparkContext cluster = connect(masterUrl, 2);
        try {
            assertEquals(3, cluster.sc().statusTracker().getExecutorInfos().length, "the driver and two executors");
            // Each task reports the JVM it ran in: both executors take part.
            Set<String> jvms = new TreeSet<>(cluster.parallelize(List.of(0, 1, 2, 3, 4, 5, 6, 7), 8)
                    .map(x -> { Thread.sleep(300); return java.lang.management.ManagementFactory
                            .getRuntimeMXBean().getPid() + ""; }).collect());
            assertEquals(2, jvms.size(), "tasks ran in " + jvms);
            DistributedNmfResult result = DistributedNmf.fit(cluster.parallelize(rows, 3), options, four);
            clusterH = result.h();
            clusterW = result.collectW();
            clusterError = result.relativeError();
            assertEquals(4, result.partitions());
            result.unpersist();
        } finally {
            cluster.stop();
        }

        NmfResult local = Nmf.fit(V, options);
        assertTrue(Problems.relativeDifference(clusterH, local.h()) < DistributedNmfTest.PARTITIONED_TOLERANCE,
                () -> "H differs by " + Problems.relativeDifference(clusterH, local.h()));
        assertTrue(Problems.relativeDifference(clusterW, local.w()) < DistributedNmfTest.PARTITIONED_TOLERANCE);
        assertEquals(local.relativeError(), clusterError, 1e-12);

        // The same partitions in local mode: the sums are ordered by partition, so the bits do not depend on
        // which JVM computed a block or how the rows travelled there.
        JavaSparkContext inProcess = new JavaSparkContext(new SparkConf().setMaster("local[2]")
                .setAppName("jnmf-local-reference").set("spark.ui.enabled", "false"));
        try {
            DistributedNmfResult reference = DistributedNmf.fit(inProcess.parallelize(rows, 2), options, four);
            assertArrayEquals(reference.h().toDoubleArray(), clusterH.toDoubleArray());
            assertArrayEquals(reference.collectW().toDoubleArray(), clusterW.toDoubleArray());
            reference.unpersist();
        } finally {
            inProcess.stop();
        }
    }

    /**
     * Executors on GPUs that Spark's resource scheduling hands out: each task opens the CUDA device of its
     * task's GPU address (worker 1's device 1, worker 2's device 0, on the CPU stand-in of libcuda), and keeps
     * its block there for the fit. The result names each executor's device and where it came from.
     */
    @Test
    void gpuExecutorsTakeTheirDeviceFromSparksResourceScheduling() throws Exception {
        Path standIns = Path.of(System.getProperty("user.dir"), "..", "target", "native-stand-ins").normalize();
        assumeTrue(Files.exists(standIns.resolve("libcuda.so.1")), "needs the CUDA stand-ins (built by gcc)");
        assumeTrue(org.jnmf.cuda.CudaBackend.class.getResource("/org/jnmf/cuda/nmf_kernels.fatbin") != null,
                "needs the kernels (built by nvcc)");
        NmfOptions options = NmfOptions.builder(5).algorithm(Algorithm.HALS).initialization(Initialization.RANDOM)
                .seed(3).maxIterations(20).tolerance(0).threads(1).build();
        DistributedOptions onGpus = DistributedOptions.builder().partitions(4).executorBackend("cuda").build();
        JavaSparkContext cluster = connect(masterUrl, 2, "-Djnmf.cuda.libraryPath=" + standIns, Map.of(
                "spark.executor.resource.gpu.amount", "1", "spark.task.resource.gpu.amount", "1",
                "spark.executorEnv.MOCK_CUDA_DEVICES", "2"));
        // The driver's H step opens the cuda backend too: device 0 of the stand-in, in this JVM.
        System.setProperty("jnmf.cuda.libraryPath", standIns.toString());
        DistributedNmfResult result;
        try {
            result = DistributedNmf.fit(cluster.parallelize(Problems.rows(V), 3), options, onGpus);
        } finally {
            System.clearProperty("jnmf.cuda.libraryPath");
            cluster.stop();
        }
        List<String> backends = result.executorBackends();
        assertEquals(2, backends.size(), backends.toString());
        for (int device = 0; device < 2; device++) {
            int d = device;
            assertTrue(backends.stream().anyMatch(b -> b.contains("device " + d + ": jnmf CPU stand-in " + d)
                    && b.endsWith("; GPU " + d + " from Spark's resource scheduling")), backends.toString());
        }
        NmfResult local = Nmf.fit(V, options.toBuilder().backend("java").build());
        assertTrue(Problems.relativeDifference(result.h(), local.h()) < 1e-9,
                () -> "H differs by " + Problems.relativeDifference(result.h(), local.h()));
    }
}
