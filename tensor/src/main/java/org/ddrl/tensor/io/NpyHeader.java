package org.ddrl.tensor.io;

import java.util.Arrays;

/**
 * The header of a .npy file: a Python dict literal such as {@code {'descr': '<f4', 'fortran_order': False,
 * 'shape': (3, 4), }}. Parsed by hand over the small grammar numpy writes (string keys, a string, True/False, a
 * tuple of integers), never evaluated. As in numpy, the three keys must each appear exactly once and nothing else
 * may, and the shape must be a tuple: {@code (3,)}, not {@code (3)}. A Python 2 long suffix ({@code 3L}) is accepted.
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {
    /** numpy's spare room after the dict, so the first dim can grow in place: this many digits minus its own. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    /** The dict exactly as numpy writes it for a C-order array, before the alignment padding. */
    static String format(String descr, int[] shape) {
        StringBuilder sb = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i]);
        }
        if (shape.length == 1) sb.append(',');
        sb.append("), }");
        if (shape.length > 0) sb.repeat(' ', GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length());
        return sb.toString();
    }

    /** Parses the header text; {@code where} names the file in messages. */
    static NpyHeader parse(String where, String text) throws TensorFileException {
        return new Parser(where, text).header();
    }

    private static final class Parser {
        private final String where;
        private final String text;
        private int pos;

        Parser(String where, String text) {
            this.where = where;
            this.text = text;
        }

        NpyHeader header() throws TensorFileException {
            String descr = null;
            Boolean fortran = null;
            long[] shape = null;
            expect('{');
            while (true) {
                if (peek() == '}') break;
                int keyAt = skipSpace();
                String key = string();
                expect(':');
                switch (key) {
                    case "descr" -> {
                        if (descr != null) throw duplicate(key, keyAt);
                        if (peek() == '[') throw error("descr is a list: structured (record) dtypes are not supported", pos);
                        descr = string();
                    }
                    case "fortran_order" -> {
                        if (fortran != null) throw duplicate(key, keyAt);
                        fortran = bool();
                    }
                    case "shape" -> {
                        if (shape != null) throw duplicate(key, keyAt);
                        shape = tuple();
                    }
                    default -> throw error("unexpected key '" + key + "' (a .npy header holds exactly descr, fortran_order and shape)", keyAt);
                }
                char c = peek();
                if (c == ',') {
                    pos++;
                } else if (c != '}') {
                    throw error("expected ',' or '}'", pos);
                }
            }
            pos++;
            if (skipSpace() != text.length()) throw error("unexpected text after the closing '}'", pos);
            if (descr == null || fortran == null || shape == null) {
                throw error("missing key '" + (descr == null ? "descr" : fortran == null ? "fortran_order" : "shape") + "'", pos);
            }
            return new NpyHeader(descr, fortran, shape);
        }

        /** Skips whitespace; returns the new position. */
        private int skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
            return pos;
        }

        /** The next non-space character without consuming it; NUL at the end. */
        private char peek() {
            skipSpace();
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private void expect(char c) throws TensorFileException {
            if (peek() != c) throw error("expected '" + c + "'", pos);
            pos++;
        }

        private String string() throws TensorFileException {
            char q = peek();
            if (q != '\'' && q != '"') throw error("expected a quoted string", pos);
            int start = ++pos;
            while (pos < text.length() && text.charAt(pos) != q) {
                if (text.charAt(pos) == '\\') throw error("escape sequences in strings are not supported", pos);
                pos++;
            }
            if (pos == text.length()) throw error("unterminated string", start - 1);
            return text.substring(start, pos++);
        }

        private boolean bool() throws TensorFileException {
            skipSpace();
            for (String word : new String[] {"True", "False"}) {
                if (text.startsWith(word, pos) && !isWordChar(pos + word.length())) {
                    pos += word.length();
                    return word.equals("True");
                }
            }
            throw error("fortran_order must be True or False", pos);
        }

        private long[] tuple() throws TensorFileException {
            expect('(');
            long[] dims = new long[4];
            int n = 0;
            boolean trailingComma = false;
            while (peek() != ')') {
                if (n == dims.length) dims = Arrays.copyOf(dims, 2 * n);
                dims[n++] = natural();
                trailingComma = false;
                if (peek() == ',') {
                    pos++;
                    trailingComma = true;
                } else if (peek() != ')') {
                    throw error("expected ',' or ')' in shape", pos);
                }
            }
            pos++;
            if (n == 1 && !trailingComma) throw error("shape (" + dims[0] + ") is not a tuple; a 1-d shape is written (" + dims[0] + ",)", pos - 1);
            return Arrays.copyOf(dims, n);
        }

        private long natural() throws TensorFileException {
            int start = skipSpace();
            if (pos < text.length() && text.charAt(pos) == '-') throw error("negative dimension in shape", pos);
            while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') pos++;
            if (pos == start) throw error("expected a dimension (an integer) in shape", pos);
            String digits = text.substring(start, pos);
            if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) pos++;
            if (isWordChar(pos)) throw error("expected a dimension (an integer) in shape", start);
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw error("dimension " + digits + " in shape is too large", start);
            }
        }

        private boolean isWordChar(int i) {
            return i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_' || text.charAt(i) == '.');
        }

        private TensorFileException duplicate(String key, int at) {
            return error("key '" + key + "' appears twice", at);
        }

        private TensorFileException error(String what, int at) {
            String shown = text.strip();
            if (shown.length() > 200) shown = shown.substring(0, 200) + "...";
            return new TensorFileException(where + ": cannot parse the header: " + what + " at character " + at + " of " + shown);
        }
    }
}
