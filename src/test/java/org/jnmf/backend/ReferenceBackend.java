package org.jnmf.backend;

import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.Precision;
import org.jnmf.SparseMatrix;

/**
 * The slow, obvious backend every other backend is checked against: double precision, one thread,
 * textbook loops straight from the formulas in {@link Backend}'s javadoc.
 */
public final class ReferenceBackend implements Backend {
    /** A dense row-major matrix of doubles. */
    static final class Plain implements DeviceMatrix {
        final int rows;
        final int cols;
        final double[] x;

        Plain(int rows, int cols, double[] x) {
            this.rows = rows;
            this.cols = cols;
            this.x = x;
        }

        double at(int i, int j) {
            return x[i * cols + j];
        }

        @Override
        public int rows() {
            return rows;
        }

        @Override
        public int cols() {
            return cols;
        }

        @Override
        public void close() {
        }
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public Precision precision() {
        return Precision.DOUBLE;
    }

    @Override
    public DeviceMatrix upload(Matrix v) {
        DenseMatrix dense = v instanceof SparseMatrix s ? s.toDense(Precision.DOUBLE) : (DenseMatrix) v;
        return new Plain(v.rows(), v.cols(), dense.toDoubleArray());
    }

    @Override
    public DeviceMatrix upload(int rows, int cols, double[] rowMajor) {
        return new Plain(rows, cols, rowMajor.clone());
    }

    @Override
    public DeviceMatrix allocate(int rows, int cols) {
        return new Plain(rows, cols, new double[rows * cols]);
    }

    @Override
    public double[] download(DeviceMatrix x) {
        return ((Plain) x).x.clone();
    }

    @Override
    public void multiplyByTransposed(DeviceMatrix v, DeviceMatrix h, DeviceMatrix out) {
        Plain a = (Plain) v, b = (Plain) h, o = (Plain) out;
        for (int i = 0; i < a.rows; i++) {
            for (int p = 0; p < b.rows; p++) {
                double s = 0;
                for (int j = 0; j < a.cols; j++) {
                    s += a.at(i, j) * b.at(p, j);
                }
                o.x[i * o.cols + p] = s;
            }
        }
    }

    @Override
    public void multiplyTransposedBy(DeviceMatrix w, DeviceMatrix v, DeviceMatrix out) {
        Plain a = (Plain) w, b = (Plain) v, o = (Plain) out;
        for (int p = 0; p < a.cols; p++) {
            for (int j = 0; j < b.cols; j++) {
                double s = 0;
                for (int i = 0; i < a.rows; i++) {
                    s += a.at(i, p) * b.at(i, j);
                }
                o.x[p * o.cols + j] = s;
            }
        }
    }

    @Override
    public void multiply(DeviceMatrix a, DeviceMatrix b, DeviceMatrix out) {
        Plain x = (Plain) a, y = (Plain) b, o = (Plain) out;
        for (int i = 0; i < x.rows; i++) {
            for (int j = 0; j < y.cols; j++) {
                double s = 0;
                for (int p = 0; p < x.cols; p++) {
                    s += x.at(i, p) * y.at(p, j);
                }
                o.x[i * o.cols + j] = s;
            }
        }
    }

    @Override
    public void gramOfColumns(DeviceMatrix w, DeviceMatrix out) {
        multiplyTransposedBy(w, w, out);
    }

    @Override
    public void gramOfRows(DeviceMatrix h, DeviceMatrix out) {
        multiplyByTransposed(h, h, out);
    }

    @Override
    public void multiplicativeUpdate(DeviceMatrix x, DeviceMatrix numerator, DeviceMatrix denominator, double floor) {
        Plain a = (Plain) x, n = (Plain) numerator, d = (Plain) denominator;
        for (int i = 0; i < a.x.length; i++) {
            double den = d.x[i] == 0 ? DIVISION_GUARD : d.x[i];
            a.x[i] = a.x[i] * (n.x[i] / den);
            if (floor > 0) {
                a.x[i] = Math.max(a.x[i], floor);
            }
        }
    }

    @Override
    public void multiplicativeUpdate(DeviceMatrix x, DeviceMatrix numerator, DeviceMatrix denominator, double gamma,
                                     double zeroBelow, double floor) {
        Plain a = (Plain) x, n = (Plain) numerator, d = (Plain) denominator;
        for (int i = 0; i < a.x.length; i++) {
            double den = d.x[i] == 0 ? DIVISION_GUARD : d.x[i];
            double r = a.x[i] * Math.pow(n.x[i] / den, gamma);
            if (r < zeroBelow) {
                r = 0;
            }
            a.x[i] = floor > 0 ? Math.max(r, floor) : r;
        }
    }

    @Override
    public void combine(DeviceMatrix y, double a, DeviceMatrix x, double c, DeviceMatrix out) {
        Plain yy = (Plain) y, xx = (Plain) x, o = (Plain) out;
        for (int i = 0; i < o.x.length; i++) {
            o.x[i] = yy.x[i] + a * xx.x[i] + c;
        }
    }

    @Override
    public DeviceMatrix allocateLike(DeviceMatrix v) {
        return allocate(v.rows(), v.cols());
    }

    @Override
    public void sampledPower(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, double exponent, DeviceMatrix out) {
        Plain ww = (Plain) w, hh = (Plain) h, o = (Plain) out;
        for (int i = 0; i < o.rows; i++) {
            for (int j = 0; j < o.cols; j++) {
                double wh = 0;
                for (int p = 0; p < ww.cols; p++) {
                    wh += ww.at(i, p) * hh.at(p, j);
                }
                if (exponent < 0 && wh == 0) {
                    wh = DIVISION_GUARD;
                }
                double x = v == null ? 1 : ((Plain) v).at(i, j);
                o.x[i * o.cols + j] = x * Math.pow(wh, exponent);
            }
        }
    }

    @Override
    public double betaDivergence(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, double beta) {
        Plain vv = (Plain) v, ww = (Plain) w, hh = (Plain) h;
        double s = 0;
        for (int i = 0; i < vv.rows; i++) {
            for (int j = 0; j < vv.cols; j++) {
                double y = 0;
                for (int p = 0; p < ww.cols; p++) {
                    y += ww.at(i, p) * hh.at(p, j);
                }
                double x = vv.at(i, j);
                double ySafe = y == 0 ? DIVISION_GUARD : y;
                boolean counted = x > DIVISION_GUARD;
                if (beta == 1) {
                    s += y + (counted ? x * Math.log(x / ySafe) - x : 0);
                } else if (beta == 0) {
                    s += counted ? x / ySafe - Math.log(x / ySafe) - 1 : -1;
                } else {
                    double xb = counted ? Math.pow(x, beta) : 0;
                    double cross = counted ? x * Math.pow(ySafe, beta - 1) : 0;
                    s += (xb + (beta - 1) * Math.pow(y, beta) - beta * cross) / (beta * (beta - 1));
                }
            }
        }
        return s;
    }

    @Override
    public double projectedGradientSquared(DeviceMatrix x, DeviceMatrix numerator, DeviceMatrix denominator) {
        Plain xx = (Plain) x, n = (Plain) numerator, d = (Plain) denominator;
        double s = 0;
        for (int i = 0; i < xx.x.length; i++) {
            double g = d.x[i] - n.x[i];
            double projected = xx.x[i] > 0 ? g : Math.min(0, g);
            s += projected * projected;
        }
        return s;
    }

    @Override
    public void halsUpdateColumns(DeviceMatrix w, DeviceMatrix a, DeviceMatrix b) {
        Plain ww = (Plain) w, aa = (Plain) a, bb = (Plain) b;
        int k = ww.cols;
        for (int l = 0; l < k; l++) {
            double hess = bb.at(l, l);
            if (hess == 0) {
                continue;
            }
            for (int i = 0; i < ww.rows; i++) {
                double grad = -aa.at(i, l);
                for (int r = 0; r < k; r++) {
                    grad += bb.at(l, r) * ww.at(i, r);
                }
                ww.x[i * k + l] = Math.max(ww.at(i, l) - grad / hess, 0);
            }
        }
    }

    @Override
    public void halsUpdateRows(DeviceMatrix h, DeviceMatrix c, DeviceMatrix d) {
        Plain hh = (Plain) h, cc = (Plain) c, dd = (Plain) d;
        int k = hh.rows;
        for (int l = 0; l < k; l++) {
            double hess = dd.at(l, l);
            if (hess == 0) {
                continue;
            }
            for (int j = 0; j < hh.cols; j++) {
                double grad = -cc.at(l, j);
                for (int r = 0; r < k; r++) {
                    grad += dd.at(l, r) * hh.at(r, j);
                }
                hh.x[l * hh.cols + j] = Math.max(hh.at(l, j) - grad / hess, 0);
            }
        }
    }

    @Override
    public double dot(DeviceMatrix a, DeviceMatrix b) {
        double s = 0;
        double[] x = ((Plain) a).x, y = ((Plain) b).x;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }

    @Override
    public double squaredNorm(DeviceMatrix v) {
        return dot(v, v);
    }

    @Override
    public double residualSquared(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h) {
        Plain vv = (Plain) v, ww = (Plain) w, hh = (Plain) h;
        double s = 0;
        for (int i = 0; i < vv.rows; i++) {
            for (int j = 0; j < vv.cols; j++) {
                double wh = 0;
                for (int p = 0; p < ww.cols; p++) {
                    wh += ww.at(i, p) * hh.at(p, j);
                }
                double r = vv.at(i, j) - wh;
                s += r * r;
            }
        }
        return s;
    }

    @Override
    public void close() {
    }
}
