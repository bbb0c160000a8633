package org.jnmf.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import scala.Tuple2;

/**
 * The rows of a Matrix Market file ({@code coordinate} real/integer/pattern, general or symmetric; or
 * {@code array} real/integer general) on any Hadoop file system ({@code hdfs://}, {@code s3a://},
 * {@code file:}, compressed by extension, e.g. {@code .gz}), parsed on the executors: the driver reads
 * only the banner and the size line.
 */
public final class MatrixMarketRows {
    private MatrixMarketRows() {
    }

    /** V read from {@code path}: its rows keyed by 0-based row index, and its shape. */
    public record Rows(JavaPairRDD<Long, Vector> rows, long numRows, int numCols) {
    }

    private record Header(boolean coordinate, boolean pattern, boolean symmetric, long rows, long cols, long entries,
                          long sizeLine) implements java.io.Serializable {
    }

    public static Rows read(JavaSparkContext sc, String path, int minPartitions) {
        Header header = header(sc.hadoopConfiguration(), path);
        if (header.cols > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(path + ": " + header.cols + " columns are more than a row vector holds");
        }
        int cols = (int) header.cols;
        long rows = header.rows;
        JavaPairRDD<Long, Tuple2<Integer, Double>> entries = sc.textFile(path, minPartitions).zipWithIndex()
                .filter(t -> t._2() > header.sizeLine && !t._1().isBlank() && !t._1().startsWith("%"))
                .flatMapToPair(t -> entry(path, header, t._1(), t._2() + 1).iterator());
        JavaPairRDD<Long, Vector> vectors = entries.groupByKey().mapToPair(t -> {
            List<Tuple2<Integer, Double>> row = new ArrayList<>();
            t._2().forEach(row::add);
            row.sort((a, b) -> Integer.compare(a._1(), b._1()));
            int[] idx = new int[row.size()];
            double[] val = new double[row.size()];
            for (int q = 0; q < idx.length; q++) {
                idx[q] = row.get(q)._1();
                val[q] = row.get(q)._2();
                if (q > 0 && idx[q] == idx[q - 1]) {
                    throw new IllegalArgumentException(path + ": the entry at row " + (t._1() + 1) + ", column "
                            + (idx[q] + 1) + " is given twice");
                }
            }
            return new Tuple2<>(t._1(), Vectors.sparse(cols, idx, val));
        });
        return new Rows(vectors, rows, cols);
    }

    /** The (row, (column, value)) pairs of one data line, 0-based; two for an off-diagonal symmetric entry. */
    private static List<Tuple2<Long, Tuple2<Integer, Double>>> entry(String path, Header h, String line,
                                                                    long lineNumber) {
        String[] t = line.trim().split("\\s+");
        try {
            if (!h.coordinate) {
                if (t.length != 1) {
                    throw new NumberFormatException("an array entry is one number");
                }
                long e = lineNumber - h.sizeLine - 2;
                long row = e % h.rows;
                long col = e / h.rows;
                if (col >= h.cols) {
                    throw new NumberFormatException("more entries than the " + h.rows + "×" + h.cols + " the size line gives");
                }
                return List.of(new Tuple2<>(row, new Tuple2<>((int) col, Double.parseDouble(t[0]))));
            }
            if (t.length != (h.pattern ? 2 : 3)) {
                throw new NumberFormatException(h.pattern ? "a pattern entry is 'row column'" : "an entry is 'row column value'");
            }
            long row = Long.parseLong(t[0]) - 1;
            long col = Long.parseLong(t[1]) - 1;
            if (row < 0 || row >= h.rows || col < 0 || col >= h.cols) {
                throw new NumberFormatException("position (" + t[0] + ", " + t[1] + ") is outside the " + h.rows
                        + "×" + h.cols + " matrix");
            }
            double value = h.pattern ? 1 : Double.parseDouble(t[2]);
            List<Tuple2<Long, Tuple2<Integer, Double>>> out = new ArrayList<>(2);
            out.add(new Tuple2<>(row, new Tuple2<>((int) col, value)));
            if (h.symmetric && row != col) {
                out.add(new Tuple2<>(col, new Tuple2<>((int) row, value)));
            }
            return out;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(path + ", line " + lineNumber + ": " + e.getMessage() + "; got '"
                    + line.trim() + "'", e);
        }
    }

    /**
     * Reads the banner and the size line on the driver. The line numbers here and in the RDD agree because
     * both count every line of the (decompressed) text, comments included.
     */
    private static Header header(Configuration conf, String path) {
        Path p = new Path(path);
        try {
            FileSystem fs = p.getFileSystem(conf);
            CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
            try (InputStream raw = fs.open(p);
                 InputStream in = codec == null ? raw : codec.createInputStream(raw);
                 BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String banner = reader.readLine();
                String[] b = banner == null ? new String[0] : banner.trim().toLowerCase(Locale.ROOT).split("\\s+");
                if (b.length != 5 || !b[0].equals("%%matrixmarket") || !b[1].equals("matrix")
                        || !(b[2].equals("coordinate") || b[2].equals("array"))
                        || !(b[3].equals("real") || b[3].equals("integer") || b[3].equals("pattern"))
                        || !(b[4].equals("general") || b[4].equals("symmetric"))) {
                    throw new IllegalArgumentException(path + ", line 1: expected '%%MatrixMarket matrix "
                            + "<coordinate|array> <real|integer|pattern> <general|symmetric>'; got '" + banner + "'");
                }
                boolean coordinate = b[2].equals("coordinate");
                if (!coordinate && (b[3].equals("pattern") || b[4].equals("symmetric"))) {
                    throw new IllegalArgumentException(path + ", line 1: array files must be real or integer and "
                            + "general here; got '" + banner + "'");
                }
                long lineNumber = 0;
                String line;
                while ((line = reader.readLine()) != null) {
                    lineNumber++;
                    if (line.isBlank() || line.startsWith("%")) {
                        continue;
                    }
                    String[] size = line.trim().split("\\s+");
                    if (size.length != (coordinate ? 3 : 2)) {
                        throw new IllegalArgumentException(path + ", line " + (lineNumber + 1) + ": the size line is '"
                                + (coordinate ? "rows columns entries" : "rows columns") + "'; got '" + line + "'");
                    }
                    try {
                        long rows = Long.parseLong(size[0]);
                        long cols = Long.parseLong(size[1]);
                        long entries = coordinate ? Long.parseLong(size[2]) : rows * cols;
                        if (rows < 1 || cols < 1) {
                            throw new IllegalArgumentException(path + ", line " + (lineNumber + 1) + ": V is empty ("
                                    + rows + "×" + cols + ")");
                        }
                        return new Header(coordinate, b[3].equals("pattern"), b[4].equals("symmetric"), rows, cols,
                                entries, lineNumber);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(path + ", line " + (lineNumber + 1)
                                + ": the size line needs whole numbers; got '" + line + "'", e);
                    }
                }
                throw new IllegalArgumentException(path + ": no size line after the banner");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}
