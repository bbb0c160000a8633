package org.jnmf.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON object one level deep, written and read back: values are strings, numbers ({@link Long} when
 * written without fraction or exponent and in range, else {@link Double}), booleans, null, or arrays of
 * those. Enough for small self-describing headers; nested objects are refused.
 */
public final class FlatJson {
    private FlatJson() {
    }

    /** The object as JSON text, keys in the map's order; non-finite doubles become null. */
    public static String write(Map<String, ?> object) {
        StringBuilder out = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, ?> e : object.entrySet()) {
            out.append(first ? "\n  " : ",\n  ");
            first = false;
            quote(e.getKey(), out);
            out.append(": ");
            value(e.getValue(), out);
        }
        return out.append("\n}\n").toString();
    }

    private static void value(Object v, StringBuilder out) {
        switch (v) {
            case null -> out.append("null");
            case String s -> quote(s, out);
            case Boolean b -> out.append(b);
            case Double d -> out.append(Double.isFinite(d) ? d.toString() : "null");
            case Float f -> value(f.doubleValue(), out);
            case Number n -> out.append(n.longValue());
            case double[] a -> {
                List<Object> list = new ArrayList<>();
                for (double x : a) {
                    list.add(x);
                }
                value(list, out);
            }
            case long[] a -> {
                List<Object> list = new ArrayList<>();
                for (long x : a) {
                    list.add(x);
                }
                value(list, out);
            }
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    out.append(i == 0 ? "" : ", ");
                    value(list.get(i), out);
                }
                out.append(']');
            }
            default -> throw new IllegalArgumentException("cannot write a " + v.getClass().getSimpleName() + " as JSON");
        }
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * Parses a flat JSON object.
     *
     * @throws IllegalArgumentException saying where (character offset) the text stops being one
     */
    public static Map<String, Object> parse(String text) {
        Parser p = new Parser(text);
        Map<String, Object> object = new LinkedHashMap<>();
        p.expect('{');
        if (!p.consume('}')) {
            do {
                String key = p.string();
                p.expect(':');
                object.put(key, p.value(true));
            } while (p.consume(','));
            p.expect('}');
        }
        p.skipSpace();
        if (p.at < text.length()) {
            throw p.error("text after the end of the object");
        }
        return object;
    }

    private static final class Parser {
        private final String text;
        private int at;

        Parser(String text) {
            this.text = text;
        }

        void skipSpace() {
            while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
        }

        boolean consume(char c) {
            skipSpace();
            if (at < text.length() && text.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!consume(c)) {
                throw error("expected '" + c + "'");
            }
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("not a flat JSON object at character " + at + ": " + what);
        }

        Object value(boolean arrayAllowed) {
            skipSpace();
            if (at >= text.length()) {
                throw error("unexpected end");
            }
            char c = text.charAt(at);
            if (c == '"') {
                return string();
            }
            if (c == '[' && arrayAllowed) {
                at++;
                List<Object> list = new ArrayList<>();
                if (!consume(']')) {
                    do {
                        list.add(value(false));
                    } while (consume(','));
                    expect(']');
                }
                return list;
            }
            for (String word : new String[] {"true", "false", "null"}) {
                if (text.startsWith(word, at)) {
                    at += word.length();
                    return word.equals("null") ? null : Boolean.valueOf(word);
                }
            }
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String number = text.substring(start, at);
            try {
                if (number.matches("-?\\d{1,18}")) {
                    return Long.valueOf(number);
                }
                if (number.matches("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?")) {
                    return Double.valueOf(number);
                }
            } catch (NumberFormatException e) {
                // Reported below.
            }
            at = start;
            throw error("expected a string, number, true, false, null" + (arrayAllowed ? " or an array" : ""));
        }

        String string() {
            skipSpace();
            if (at >= text.length() || text.charAt(at) != '"') {
                throw error("expected a string");
            }
            at++;
            StringBuilder s = new StringBuilder();
            while (true) {
                if (at >= text.length()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return s.toString();
                }
                if (c != '\\') {
                    s.append(c);
                    continue;
                }
                if (at >= text.length()) {
                    throw error("unterminated string");
                }
                char e = text.charAt(at++);
                switch (e) {
                    case '"', '\\', '/' -> s.append(e);
                    case 'n' -> s.append('\n');
                    case 'r' -> s.append('\r');
                    case 't' -> s.append('\t');
                    case 'b' -> s.append('\b');
                    case 'f' -> s.append('\f');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            s.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape");
                        }
                        at += 4;
                    }
                    default -> throw error("bad escape \\" + (Character.isISOControl(e) || e == '\u2028'
                            || e == '\u2029' ? String.format("U+%04X", (int) e) : String.valueOf(e)));
                }
            }
        }
    }
}
