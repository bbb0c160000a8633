package org.jnmf.cli;

/**
 * A small JSON object writer, enough for summary.json: strings escaped per RFC 8259, doubles as
 * {@link Double#toString} writes them (which JSON accepts) and NaN or infinity as {@code null}.
 */
final class Json {
    private final StringBuilder text = new StringBuilder("{\n");
    private boolean first = true;

    Json put(String key, String value) {
        return raw(key, value == null ? "null" : quote(value));
    }

    Json put(String key, double value) {
        return raw(key, number(value));
    }

    Json put(String key, long value) {
        return raw(key, Long.toString(value));
    }

    Json put(String key, boolean value) {
        return raw(key, Boolean.toString(value));
    }

    Json put(String key, double[] values) {
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            array.append(i == 0 ? "" : ", ").append(number(values[i]));
        }
        return raw(key, array.append(']').toString());
    }

    Json put(String key, int[] values) {
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            array.append(i == 0 ? "" : ", ").append(values[i]);
        }
        return raw(key, array.append(']').toString());
    }

    /** A list of strings as a JSON array, or null. */
    Json put(String key, java.util.List<String> values) {
        if (values == null) {
            return raw(key, "null");
        }
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(quote(values.get(i)));
        }
        return raw(key, b.append(']').toString());
    }

    /** Puts a value already written as JSON. */
    Json raw(String key, String json) {
        text.append(first ? "" : ",\n").append("  ").append(quote(key)).append(": ").append(json);
        first = false;
        return this;
    }

    @Override
    public String toString() {
        return text + "\n}\n";
    }

    static String number(double value) {
        return Double.isFinite(value) ? Double.toString(value) : "null";
    }

    static String quote(String s) {
        StringBuilder q = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                case '\b' -> q.append("\\b");
                case '\f' -> q.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }

    /**
     * The array of numbers under {@code key} in a JSON object as {@link #toString()} writes it (jnmf's own
     * summary.json), or null when the key is absent; {@code null} entries read as NaN.
     */
    static double[] numbers(String json, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                java.util.regex.Pattern.quote(quote(key)) + "\\s*:\\s*\\[([^\\]]*)\\]").matcher(json);
        if (!m.find()) {
            return null;
        }
        String body = m.group(1).strip();
        if (body.isEmpty()) {
            return new double[0];
        }
        String[] parts = body.split(",");
        double[] values = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            try {
                values[i] = p.equals("null") ? Double.NaN : Double.parseDouble(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + key + "' holds '" + p + "', which is not a number");
            }
        }
        return values;
    }

    /**
     * The array of strings under {@code key} in jnmf's own JSON (escapes undone), or null when the key is
     * absent or null.
     */
    static java.util.List<String> strings(String json, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                java.util.regex.Pattern.quote(quote(key)) + "\\s*:\\s*\\[").matcher(json);
        if (!m.find()) {
            return null;
        }
        java.util.List<String> values = new java.util.ArrayList<>();
        int p = m.end();
        while (true) {
            while (p < json.length() && (Character.isWhitespace(json.charAt(p)) || json.charAt(p) == ',')) {
                p++;
            }
            if (p >= json.length()) {
                throw new IllegalArgumentException("'" + key + "' is not a closed array");
            }
            if (json.charAt(p) == ']') {
                return values;
            }
            if (json.charAt(p) != '"') {
                throw new IllegalArgumentException("'" + key + "' holds something other than strings");
            }
            StringBuilder value = new StringBuilder();
            for (p++; p < json.length() && json.charAt(p) != '"'; p++) {
                char c = json.charAt(p);
                if (c == '\\' && p + 1 < json.length()) {
                    char e = json.charAt(++p);
                    switch (e) {
                        case 'n' -> value.append('\n');
                        case 'r' -> value.append('\r');
                        case 't' -> value.append('\t');
                        case 'b' -> value.append('\b');
                        case 'f' -> value.append('\f');
                        case 'u' -> {
                            value.append((char) Integer.parseInt(json.substring(p + 1, p + 5), 16));
                            p += 4;
                        }
                        default -> value.append(e);
                    }
                } else {
                    value.append(c);
                }
            }
            values.add(value.toString());
            p++;
        }
    }

    /** The string under {@code key} (without escapes) in jnmf's own JSON, or null when absent. */
    static String string(String json, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                java.util.regex.Pattern.quote(quote(key)) + "\\s*:\\s*\"([^\"\\\\]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }
}
