package org.jnmf.io;

/**
 * The number syntax of text matrix files: decimal numbers with an optional sign, fraction and
 * exponent ({@code 3}, {@code -0.5}, {@code 1e-3}, {@code .5}), and NaN and infinity as NumPy, R and
 * pandas write them ({@code nan}, {@code NaN}, {@code inf}, {@code -Infinity}, case-insensitive).
 * Values are converted exactly as Java's {@link Double#parseDouble} does (correctly rounded), so a
 * value written with {@link Double#toString} reads back bit for bit. Java-only forms such as
 * {@code 1d} or hexadecimal floats are not numbers here.
 */
final class Numbers {
    private Numbers() {
    }

    /** Whether {@code s[from, to)} is a number in the syntax above. */
    static boolean isNumber(CharSequence s, int from, int to) {
        int p = from;
        if (p < to && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
            p++;
        }
        if (p == to) {
            return false;
        }
        char c = s.charAt(p);
        if (c == 'n' || c == 'N' || c == 'i' || c == 'I') {
            String word = s.subSequence(p, to).toString();
            return word.equalsIgnoreCase("nan") || word.equalsIgnoreCase("inf")
                    || word.equalsIgnoreCase("infinity");
        }
        int digits = 0;
        while (p < to && isDigit(s.charAt(p))) {
            p++;
            digits++;
        }
        if (p < to && s.charAt(p) == '.') {
            p++;
            while (p < to && isDigit(s.charAt(p))) {
                p++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (p < to && (s.charAt(p) == 'e' || s.charAt(p) == 'E')) {
            p++;
            if (p < to && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
                p++;
            }
            int exponentDigits = 0;
            while (p < to && isDigit(s.charAt(p))) {
                p++;
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return false;
            }
        }
        return p == to;
    }

    /** The value of {@code s[from, to)}, which {@link #isNumber} has accepted. */
    static double parse(CharSequence s, int from, int to) {
        boolean negative = s.charAt(from) == '-';
        int p = s.charAt(from) == '-' || s.charAt(from) == '+' ? from + 1 : from;
        if (to - p <= 15) {
            // Integers of up to 15 digits are exact in a double: skip the general parser.
            long value = 0;
            int q = p;
            while (q < to && isDigit(s.charAt(q))) {
                value = value * 10 + (s.charAt(q) - '0');
                q++;
            }
            if (q == to) {
                return negative ? -(double) value : (double) value;
            }
        }
        char c = s.charAt(p);
        if (c == 'n' || c == 'N') {
            return Double.NaN;
        }
        if (c == 'i' || c == 'I') {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return Double.parseDouble(s.subSequence(from, to).toString());
    }

    /** Whether {@code s[from, to)} is a non-negative decimal integer (digits only). */
    static boolean isIndex(CharSequence s, int from, int to) {
        if (from == to) {
            return false;
        }
        for (int p = from; p < to; p++) {
            if (!isDigit(s.charAt(p))) {
                return false;
            }
        }
        return true;
    }

    /** The value of an index {@link #isIndex} accepted, or {@code Long.MAX_VALUE} when it overflows. */
    static long parseIndex(CharSequence s, int from, int to) {
        long value = 0;
        for (int p = from; p < to; p++) {
            int digit = s.charAt(p) - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                return Long.MAX_VALUE;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /**
     * A token for an error message: quoted, cut to 40 characters, control characters written as
     * {@code U+XXXX}; then, if it holds a character outside ASCII, that character's code point and name,
     * since such a character is usually what makes a number unreadable although it looks right (a no-break
     * space, a full-width digit, a Unicode minus sign, or U+FFFD where the bytes were not UTF-8).
     */
    static String show(String token) {
        String cut = token.length() > 40 ? token.substring(0, 37) + "..." : token;
        StringBuilder out = new StringBuilder("'");
        cut.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("U+%04X", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        out.append('\'');
        int odd = token.codePoints().filter(c -> c > 0x7e).findFirst().orElse(-1);
        if (odd >= 0) {
            String name = Character.getName(odd);
            out.append(" (it holds U+").append(String.format("%04X", odd));
            if (odd == 0xFFFD) {
                out.append(", bytes that are not UTF-8 text: save the file as UTF-8");
            } else if (name != null) {
                out.append(' ').append(name);
            }
            out.append("; numbers must be written with ASCII digits, '+', '-', '.' and 'e')");
        }
        return out.toString();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
