package org.ddrl.tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The attributes of one op call (dims, eps, dtype, ...), by name; immutable. */
public final class Attrs {
    public static final Attrs NONE = new Attrs(Map.of());

    private final Map<String, Object> values;

    private Attrs(Map<String, Object> values) {
        this.values = values;
    }

    /** {@code Attrs.of("dim", 1, "keepdim", true)}. Arrays are copied. */
    public static Attrs of(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) throw new IllegalArgumentException("Attrs.of needs key/value pairs");
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            Object v = keysAndValues[i + 1];
            if (v instanceof int[] a) v = a.clone();
            else if (v instanceof long[] a) v = a.clone();
            else if (v instanceof double[] a) v = a.clone();
            m.put((String) keysAndValues[i], v);
        }
        return new Attrs(m);
    }

    /** A copy with one more (or replaced) attribute. */
    public Attrs with(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(values);
        m.put(key, value instanceof int[] a ? a.clone() : value);
        return new Attrs(m);
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    private Object get(String key) {
        Object v = values.get(key);
        if (v == null && !values.containsKey(key)) {
            throw new IllegalArgumentException("missing attribute '" + key + "' (have " + this + ")");
        }
        return v;
    }

    /** Any attribute, as stored. */
    public Object obj(String key) {
        return get(key);
    }

    public int i(String key) {
        return ((Number) get(key)).intValue();
    }

    public long l(String key) {
        return ((Number) get(key)).longValue();
    }

    public double d(String key) {
        return ((Number) get(key)).doubleValue();
    }

    public boolean b(String key) {
        return (Boolean) get(key);
    }

    public String s(String key) {
        return (String) get(key);
    }

    public DType dtype(String key) {
        return (DType) get(key);
    }

    /** An int array attribute; callers must not modify it. */
    public int[] ints(String key) {
        return (int[]) get(key);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (var e : values.entrySet()) {
            if (sb.length() > 1) sb.append(", ");
            Object v = e.getValue();
            String s = v instanceof int[] a ? Arrays.toString(a)
                    : v instanceof long[] a ? Arrays.toString(a)
                    : v instanceof double[] a ? Arrays.toString(a) : String.valueOf(v);
            sb.append(e.getKey()).append('=').append(s);
        }
        return sb.append('}').toString();
    }
}
