/**
 * jnmf: non-negative matrix factorization on the CPU (Vector API), CUDA (java.lang.foreign) and Spark.
 * The library is {@code org.jnmf} and its subpackages below; the command line ({@code org.jnmf.cli}) and the
 * charts ({@code org.jnmf.demo}) need the optional picocli, progressbar and XChart modules.
 */
module org.jnmf {
    requires jdk.incubator.vector;
    requires static java.management;
    requires static java.desktop;
    requires static info.picocli;
    requires static me.tongfei.progressbar;
    requires static org.knowm.xchart;
    requires static VectorGraphics2D;

    exports org.jnmf;
    exports org.jnmf.analysis;
    exports org.jnmf.backend;
    exports org.jnmf.bench;
    exports org.jnmf.cuda;
    exports org.jnmf.demo;
    exports org.jnmf.io;

    opens org.jnmf.cli to info.picocli;
}
