package org.ddrl.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.ddrl.tensor.cpu.CpuStorage;
import org.ddrl.tensor.rng.Generator;
import org.ddrl.tensor.rng.Philox;

/**
 * An n-dimensional array: a view (shape, strides and offset, in elements) of a {@link Storage} on one
 * {@link Device}. Views share storage; ops return new tensors. Methods follow PyTorch's names.
 *
 * <p>Lifetime: see {@link Scope}. Threading: tensors may be read from many threads; ops on one tensor
 * from several threads at once need outside synchronization only when one of them writes.
 */
public final class Tensor {
    private final Storage storage;
    private final DType dtype;
    private final int[] shape;
    private final long[] strides;
    private final long offset;

    // autodiff state; the engine lives in the autodiff module (see GradEngine)
    private boolean requiresGrad;
    private Tensor grad;
    private Object gradNode;
    private java.util.List<java.util.function.UnaryOperator<Tensor>> hooks;

    /** Wraps storage in a view; checks that every element the view can address lies inside the storage. */
    public Tensor(Storage storage, DType dtype, int[] shape, long[] strides, long offset) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("Tensor: shape " + Shapes.str(shape) + " and strides " + Arrays.toString(strides)
                    + " differ in rank");
        }
        Shapes.checkShape("Tensor", shape);
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.strides = strides.clone();
        this.offset = offset;
        if (Shapes.numel(shape) > 0) {
            long lo = offset, hi = offset;
            for (int i = 0; i < shape.length; i++) {
                long span = (long) (shape[i] - 1) * strides[i];
                if (span < 0) lo += span; else hi += span;
            }
            if (lo < 0 || (hi + 1) * dtype.byteSize() > storage.byteSize()) {
                throw new IndexOutOfBoundsException("Tensor: view " + dtype + Shapes.str(shape) + " strides " + Arrays.toString(strides)
                        + " offset " + offset + " reaches elements [" + lo + ", " + hi + "] outside a storage of "
                        + storage.byteSize() + " bytes");
            }
        }
    }

    // ------------------------------------------------------------------ metadata

    public Storage storage() {
        return storage;
    }

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return storage.device();
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of one dim; negative dims count from the end. */
    public int size(int dim) {
        return shape[Shapes.dim("size", dim, shape.length)];
    }

    /** A copy of the strides, in elements. */
    public long[] strides() {
        return strides.clone();
    }

    public long stride(int dim) {
        return strides[Shapes.dim("stride", dim, shape.length)];
    }

    /** Offset of the first element in the storage, in elements. */
    public long offset() {
        return offset;
    }

    public int dim() {
        return shape.length;
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    public boolean isContiguous() {
        return Shapes.isContiguous(shape, strides);
    }

    // ------------------------------------------------------------------ creation

    /** Uninitialized-looking but actually zero-filled contiguous tensor. */
    public static Tensor empty(DType dtype, Device device, int... shape) {
        Shapes.checkShape("empty", shape);
        long bytes = Shapes.numel(shape) * dtype.byteSize();
        Storage s = Backends.of(device).allocate(bytes);
        return new Tensor(s, dtype, shape, Shapes.contiguousStrides(shape), 0);
    }

    public static Tensor zeros(int... shape) {
        return zeros(DType.F32, Backends.defaultDevice(), shape);
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return zeros(dtype, Backends.defaultDevice(), shape);
    }

    public static Tensor zeros(DType dtype, Device device, int... shape) {
        return full(0, dtype, device, shape);
    }

    public static Tensor ones(int... shape) {
        return ones(DType.F32, Backends.defaultDevice(), shape);
    }

    public static Tensor ones(DType dtype, int... shape) {
        return ones(dtype, Backends.defaultDevice(), shape);
    }

    public static Tensor ones(DType dtype, Device device, int... shape) {
        return full(1, dtype, device, shape);
    }

    public static Tensor full(double value, DType dtype, int... shape) {
        return full(value, dtype, Backends.defaultDevice(), shape);
    }

    public static Tensor full(double value, DType dtype, Device device, int... shape) {
        Shapes.checkShape("full", shape);
        return Dispatch.call(Op.FULL, Attrs.of("shape", shape, "dtype", dtype, "value", value, "device", device));
    }

    /** A 0-d tensor. */
    public static Tensor scalar(double value, DType dtype, Device device) {
        return full(value, dtype, device);
    }

    public static Tensor scalar(double value) {
        return full(value, DType.F32, Backends.defaultDevice());
    }

    /** 0, 1, ..., end - 1 as I64. */
    public static Tensor arange(long end) {
        return arange(0, end, 1, DType.I64, Backends.defaultDevice());
    }

    /** start, start + step, ... while below end (above, for negative step). */
    public static Tensor arange(double start, double end, double step, DType dtype, Device device) {
        if (step == 0 || !Double.isFinite(step) || !Double.isFinite(start) || !Double.isFinite(end)) {
            throw new IllegalArgumentException("arange: need finite start, end and a non-zero step, got start=" + start
                    + " end=" + end + " step=" + step);
        }
        long n = Math.max(0, (long) Math.ceil((end - start) / step));
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("arange: " + n + " elements is too many for one dim");
        return Dispatch.call(Op.ARANGE, Attrs.of("start", start, "step", step, "n", (int) n, "dtype", dtype, "device", device));
    }

    /** {@code steps} evenly spaced values from start to end, both included. */
    public static Tensor linspace(double start, double end, int steps, DType dtype, Device device) {
        if (steps < 0) throw new IllegalArgumentException("linspace: steps must be >= 0, got " + steps);
        return Dispatch.call(Op.LINSPACE, Attrs.of("start", start, "end", end, "n", steps, "dtype", dtype, "device", device));
    }

    public static Tensor linspace(double start, double end, int steps) {
        return linspace(start, end, steps, DType.F32, Backends.defaultDevice());
    }

    public static Tensor eye(int n) {
        return eye(n, n, DType.F32, Backends.defaultDevice());
    }

    public static Tensor eye(int n, int m, DType dtype, Device device) {
        if (n < 0 || m < 0) throw new IllegalArgumentException("eye: sizes must be >= 0, got " + n + "x" + m);
        return Dispatch.call(Op.EYE, Attrs.of("n", n, "m", m, "dtype", dtype, "device", device));
    }

    /** Uniform in [0, 1). */
    public static Tensor rand(Generator gen, int... shape) {
        return rand(gen, DType.F32, Backends.defaultDevice(), shape);
    }

    public static Tensor rand(Generator gen, DType dtype, Device device, int... shape) {
        return uniform(gen, 0, 1, dtype, device, shape);
    }

    /** Uniform in [low, high). */
    public static Tensor uniform(Generator gen, double low, double high, DType dtype, Device device, int... shape) {
        requireFloat("rand", dtype);
        Shapes.checkShape("rand", shape);
        if (!(low < high)) throw new IllegalArgumentException("rand: need low < high, got [" + low + ", " + high + ")");
        long blocks = Philox.uniformBlocks(dtype, Shapes.numel(shape));
        return Dispatch.call(Op.RAND_UNIFORM, Attrs.of("shape", shape, "dtype", dtype, "low", low, "high", high,
                "seed", gen.seed(), "offset", gen.reserve(blocks), "device", device));
    }

    /** Standard normal. */
    public static Tensor randn(Generator gen, int... shape) {
        return randn(gen, DType.F32, Backends.defaultDevice(), shape);
    }

    public static Tensor randn(Generator gen, DType dtype, Device device, int... shape) {
        return normal(gen, 0, 1, dtype, device, shape);
    }

    public static Tensor normal(Generator gen, double mean, double std, DType dtype, Device device, int... shape) {
        requireFloat("randn", dtype);
        Shapes.checkShape("randn", shape);
        if (!(std >= 0)) throw new IllegalArgumentException("randn: need std >= 0, got " + std);
        long blocks = Philox.normalBlocks(dtype, Shapes.numel(shape));
        return Dispatch.call(Op.RAND_NORMAL, Attrs.of("shape", shape, "dtype", dtype, "mean", mean, "std", std,
                "seed", gen.seed(), "offset", gen.reserve(blocks), "device", device));
    }

    /** Integers uniform in [low, high). */
    public static Tensor randint(Generator gen, long low, long high, DType dtype, Device device, int... shape) {
        if (high <= low) throw new IllegalArgumentException("randint: need low < high, got [" + low + ", " + high + ")");
        Shapes.checkShape("randint", shape);
        long blocks = Philox.randintBlocks(Shapes.numel(shape));
        return Dispatch.call(Op.RAND_INT, Attrs.of("shape", shape, "dtype", dtype, "low", low, "high", high,
                "seed", gen.seed(), "offset", gen.reserve(blocks), "device", device));
    }

    public static Tensor randint(Generator gen, long low, long high, int... shape) {
        return randint(gen, low, high, DType.I64, Backends.defaultDevice(), shape);
    }

    private static void requireFloat(String op, DType dtype) {
        if (!dtype.isFloatingPoint()) throw new IllegalArgumentException(op + ": needs a floating dtype, got " + dtype);
    }

    // ------------------------------------------------------------------ Java arrays in and out

    public static Tensor of(float[] data, int... shape) {
        Tensor t = hostTensor(DType.F32, data.length, shape, "of(float[])");
        MemorySegment.copy(data, 0, ((CpuStorage) t.storage).segment(), ValueLayout.JAVA_FLOAT, 0, data.length);
        return t;
    }

    public static Tensor of(double[] data, int... shape) {
        Tensor t = hostTensor(DType.F64, data.length, shape, "of(double[])");
        MemorySegment.copy(data, 0, ((CpuStorage) t.storage).segment(), ValueLayout.JAVA_DOUBLE, 0, data.length);
        return t;
    }

    public static Tensor of(int[] data, int... shape) {
        Tensor t = hostTensor(DType.I32, data.length, shape, "of(int[])");
        MemorySegment.copy(data, 0, ((CpuStorage) t.storage).segment(), ValueLayout.JAVA_INT, 0, data.length);
        return t;
    }

    public static Tensor of(long[] data, int... shape) {
        Tensor t = hostTensor(DType.I64, data.length, shape, "of(long[])");
        MemorySegment.copy(data, 0, ((CpuStorage) t.storage).segment(), ValueLayout.JAVA_LONG, 0, data.length);
        return t;
    }

    public static Tensor of(boolean[] data, int... shape) {
        Tensor t = hostTensor(DType.BOOL, data.length, shape, "of(boolean[])");
        MemorySegment seg = ((CpuStorage) t.storage).segment();
        for (int i = 0; i < data.length; i++) seg.set(ValueLayout.JAVA_BYTE, i, (byte) (data[i] ? 1 : 0));
        return t;
    }

    /** A 1-d tensor when no shape is given. */
    private static Tensor hostTensor(DType dtype, int length, int[] shape, String op) {
        int[] s = shape.length == 0 ? new int[] {length} : shape;
        Shapes.checkShape(op, s);
        if (Shapes.numel(s) != length) {
            throw new IllegalArgumentException(op + ": " + length + " values do not fill shape " + Shapes.str(s)
                    + " (" + Shapes.numel(s) + " elements)");
        }
        return empty(dtype, Device.CPU, s);
    }

    /** The elements in row-major order as floats (converted from any dtype, copied to the host). */
    public float[] toFloatArray() {
        Tensor h = hostDense(DType.F32);
        float[] out = new float[checkedLength()];
        MemorySegment.copy(((CpuStorage) h.storage).segment(), ValueLayout.JAVA_FLOAT, h.offset * 4, out, 0, out.length);
        return out;
    }

    public double[] toDoubleArray() {
        Tensor h = hostDense(DType.F64);
        double[] out = new double[checkedLength()];
        MemorySegment.copy(((CpuStorage) h.storage).segment(), ValueLayout.JAVA_DOUBLE, h.offset * 8, out, 0, out.length);
        return out;
    }

    public int[] toIntArray() {
        Tensor h = hostDense(DType.I32);
        int[] out = new int[checkedLength()];
        MemorySegment.copy(((CpuStorage) h.storage).segment(), ValueLayout.JAVA_INT, h.offset * 4, out, 0, out.length);
        return out;
    }

    public long[] toLongArray() {
        Tensor h = hostDense(DType.I64);
        long[] out = new long[checkedLength()];
        MemorySegment.copy(((CpuStorage) h.storage).segment(), ValueLayout.JAVA_LONG, h.offset * 8, out, 0, out.length);
        return out;
    }

    public boolean[] toBooleanArray() {
        Tensor h = hostDense(DType.BOOL);
        boolean[] out = new boolean[checkedLength()];
        MemorySegment seg = ((CpuStorage) h.storage).segment();
        for (int i = 0; i < out.length; i++) out[i] = seg.get(ValueLayout.JAVA_BYTE, h.offset + i) != 0;
        return out;
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new IllegalStateException("item: needs exactly one element, tensor has shape " + Shapes.str(shape));
        return toDoubleArray()[0];
    }

    /** The value of a one-element integer tensor, exactly. */
    public long itemLong() {
        if (numel() != 1) throw new IllegalStateException("itemLong: needs exactly one element, tensor has shape " + Shapes.str(shape));
        return toLongArray()[0];
    }

    private int checkedLength() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) throw new IllegalStateException("toArray: " + n + " elements do not fit a Java array");
        return (int) n;
    }

    /** This tensor as a dense host tensor of the given dtype (itself when it already is one). */
    private Tensor hostDense(DType dt) {
        storage.checkLive("toArray");
        Tensor t = this;
        if (t.dtype != dt) t = t.to(dt);
        if (!t.isContiguous()) t = t.contiguous();
        if (t.device().kind() != Device.Kind.CPU) t = t.to(Device.CPU);
        return t;
    }

    // ------------------------------------------------------------------ devices and dtypes

    /** A copy on {@code device} (this tensor itself when already there). */
    public Tensor to(Device device) {
        if (device.equals(device())) return this;
        storage.checkLive("to(" + device + ")");
        Tensor src = isContiguous() ? this : contiguous();
        long bytes = src.numel() * dtype.byteSize();
        Tensor dst = empty(dtype, device, shape);
        long srcOff = src.offset * dtype.byteSize();
        if (src.device().kind() == Device.Kind.CPU) {
            Backends.of(device).copyFromHost(((CpuStorage) src.storage).segment().asSlice(srcOff, bytes), dst.storage, 0, bytes);
        } else if (device.kind() == Device.Kind.CPU) {
            Backends.of(src.device()).copyToHost(src.storage, srcOff, ((CpuStorage) dst.storage).segment(), bytes);
        } else {
            Tensor host = src.to(Device.CPU);
            Backends.of(device).copyFromHost(((CpuStorage) host.storage).segment(), dst.storage, 0, bytes);
        }
        return dst;
    }

    /** A copy converted to {@code dtype} (this tensor itself when already of that type). */
    public Tensor to(DType dtype) {
        if (dtype == this.dtype) return this;
        return Dispatch.call(Op.CAST, Attrs.of("dtype", dtype), this);
    }

    // ------------------------------------------------------------------ views (share storage)

    /** Same data, new shape; fails when the strides cannot express it (use reshape to copy then). One dim may be -1. */
    public Tensor view(int... shape) {
        return Dispatch.call(Op.VIEW, Attrs.of("shape", inferShape("view", shape)), this);
    }

    /** A view when possible, else a contiguous copy. One dim may be -1. */
    public Tensor reshape(int... shape) {
        int[] s = inferShape("reshape", shape);
        if (ViewOps.viewStrides(this.shape, this.strides, s) != null) return view(s);
        return contiguous().view(s);
    }

    private int[] inferShape(String op, int[] s) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dim may be -1, got " + Shapes.str(s));
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException(op + ": negative dim in " + Shapes.str(s));
            } else {
                known *= s[i];
            }
        }
        long n = numel();
        int[] out = s.clone();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException(op + ": cannot infer the -1 in " + Shapes.str(s) + " for " + n + " elements (shape "
                        + Shapes.str(shape) + ")");
            }
            out[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException(op + ": shape " + Shapes.str(s) + " (" + known + " elements) does not match "
                    + Shapes.str(shape) + " (" + n + " elements)");
        }
        return out;
    }

    public Tensor permute(int... dims) {
        return Dispatch.call(Op.PERMUTE, Attrs.of("dims", dims), this);
    }

    public Tensor transpose(int dim0, int dim1) {
        int r = dim();
        int a = Shapes.dim("transpose", dim0, r), b = Shapes.dim("transpose", dim1, r);
        int[] p = new int[r];
        for (int i = 0; i < r; i++) p[i] = i;
        p[a] = b;
        p[b] = a;
        return permute(p);
    }

    /** Transpose of a 2-d tensor (mT for batches: transpose(-2, -1)). */
    public Tensor t() {
        if (dim() != 2) throw new IllegalArgumentException("t: expects a 2-d tensor, got shape " + Shapes.str(shape));
        return transpose(0, 1);
    }

    /** Elements start, start + step, ... below end along dim. Negative start/end count from the end; they are clamped like Python slices. */
    public Tensor slice(int dim, long start, long end, long step) {
        return Dispatch.call(Op.SLICE, Attrs.of("dim", dim, "start", start, "end", end, "step", step), this);
    }

    public Tensor slice(int dim, long start, long end) {
        return slice(dim, start, end, 1);
    }

    /** {@code length} elements from {@code start} along dim; unlike slice, out-of-range is an error. */
    public Tensor narrow(int dim, int start, int length) {
        int d = Shapes.dim("narrow", dim, dim());
        if (start < 0 || length < 0 || (long) start + length > shape[d]) {
            throw new IndexOutOfBoundsException("narrow: start " + start + " length " + length + " is outside dim " + d
                    + " of size " + shape[d] + " (shape " + Shapes.str(shape) + ")");
        }
        return slice(d, start, start + length, 1);
    }

    /** Drops dim, taking element {@code index} of it (negative counts from the end). */
    public Tensor select(int dim, long index) {
        return Dispatch.call(Op.SELECT, Attrs.of("dim", dim, "index", index), this);
    }

    /** Broadcasts to shape without copying; -1 keeps a dim. */
    public Tensor expand(int... shape) {
        return Dispatch.call(Op.EXPAND, Attrs.of("shape", shape), this);
    }

    public Tensor broadcastTo(int... shape) {
        return expand(shape);
    }

    public Tensor expandAs(Tensor other) {
        return expand(other.shape);
    }

    /** Drops all size-1 dims, or only the given ones (which must have size 1... or are left alone as in PyTorch). */
    public Tensor squeeze(int... dims) {
        return Dispatch.call(Op.SQUEEZE, Attrs.of("dims", dims), this);
    }

    public Tensor unsqueeze(int dim) {
        return Dispatch.call(Op.UNSQUEEZE, Attrs.of("dim", dim), this);
    }

    public Tensor flatten() {
        return reshape(-1);
    }

    /** Merges dims start..end (inclusive) into one. */
    public Tensor flatten(int startDim, int endDim) {
        int r = dim();
        if (r == 0) return reshape(1);
        int a = Shapes.dim("flatten", startDim, r), b = Shapes.dim("flatten", endDim, r);
        if (a > b) throw new IllegalArgumentException("flatten: start dim " + a + " is after end dim " + b);
        int[] s = new int[r - (b - a)];
        int j = 0;
        for (int i = 0; i < a; i++) s[j++] = shape[i];
        long m = 1;
        for (int i = a; i <= b; i++) m *= shape[i];
        s[j++] = Math.toIntExact(m);
        for (int i = b + 1; i < r; i++) s[j++] = shape[i];
        return reshape(s);
    }

    /** Splits into pieces of {@code size} along dim (the last may be smaller); views. */
    public Tensor[] split(int size, int dim) {
        int d = Shapes.dim("split", dim, dim());
        if (size <= 0) throw new IllegalArgumentException("split: size must be > 0, got " + size);
        int n = Math.max(1, (shape[d] + size - 1) / size);
        Tensor[] out = new Tensor[n];
        for (int i = 0; i < n; i++) out[i] = slice(d, (long) i * size, Math.min((long) (i + 1) * size, shape[d]));
        return out;
    }

    /** Splits into pieces of the given sizes along dim; views. */
    public Tensor[] split(int[] sizes, int dim) {
        int d = Shapes.dim("split", dim, dim());
        long total = 0;
        for (int s : sizes) total += s;
        if (total != shape[d]) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " sum to " + total + " but dim " + d
                    + " has size " + shape[d]);
        }
        Tensor[] out = new Tensor[sizes.length];
        long at = 0;
        for (int i = 0; i < sizes.length; i++) {
            out[i] = slice(d, at, at + sizes[i]);
            at += sizes[i];
        }
        return out;
    }

    /** Splits into {@code chunks} nearly equal pieces along dim, as torch.chunk. */
    public Tensor[] chunk(int chunks, int dim) {
        if (chunks <= 0) throw new IllegalArgumentException("chunk: chunks must be > 0, got " + chunks);
        int d = Shapes.dim("chunk", dim, dim());
        return split(Math.max(1, (shape[d] + chunks - 1) / chunks), d);
    }

    // ------------------------------------------------------------------ copies

    /** This tensor when dense row-major, else a dense copy. */
    public Tensor contiguous() {
        return isContiguous() ? this : Dispatch.call(Op.CONTIGUOUS, Attrs.NONE, this);
    }

    /** Always a new dense copy. */
    public Tensor copy() {
        return Dispatch.call(Op.CONTIGUOUS, Attrs.NONE, this);
    }

    /** Concatenates along dim; all tensors must share dtype, device and every other dim. */
    public static Tensor cat(int dim, Tensor... tensors) {
        return Dispatch.call(Op.CAT, Attrs.of("dim", dim), tensors);
    }

    /** Stacks along a new dim. */
    public static Tensor stack(int dim, Tensor... tensors) {
        if (tensors.length == 0) throw new IllegalArgumentException("stack: needs at least one tensor");
        int d = Shapes.dim("stack", dim, tensors[0].dim() + 1);
        Tensor[] u = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) u[i] = tensors[i].unsqueeze(d);
        return cat(d, u);
    }

    /**
     * Pads with a constant: {@code pads} holds (before, after) pairs starting from the last dim, as
     * torch.nn.functional.pad. Mode "constant", "reflect" or "replicate".
     */
    public Tensor pad(int[] pads, String mode, double value) {
        return Dispatch.call(Op.PAD, Attrs.of("pads", pads, "mode", mode, "value", value), this);
    }

    public Tensor pad(int... pads) {
        return pad(pads, "constant", 0);
    }

    /** out[i][j][k] = this[index[i][j][k]][j][k] for dim 0, and so on (torch.gather). */
    public Tensor gather(int dim, Tensor index) {
        return Dispatch.call(Op.GATHER, Attrs.of("dim", dim), this, index);
    }

    /** A copy of this tensor with src added at the positions index names along dim (duplicates accumulate). */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return Dispatch.call(Op.SCATTER_ADD, Attrs.of("dim", dim), this, index, src);
    }

    /** Picks entries of dim by a 1-d index tensor. */
    public Tensor indexSelect(int dim, Tensor index) {
        return Dispatch.call(Op.INDEX_SELECT, Attrs.of("dim", dim), this, index);
    }

    /** condition ? a : b, broadcast. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return Dispatch.call(Op.WHERE, Attrs.NONE, condition, a, b);
    }

    /** This tensor with {@code value} wherever mask (broadcast) is true. */
    public Tensor maskedFill(Tensor mask, double value) {
        return Dispatch.call(Op.MASKED_FILL, Attrs.of("value", value), this, mask);
    }

    // ------------------------------------------------------------------ elementwise

    private Tensor unary(Op op) {
        return Dispatch.call(op, Attrs.NONE, this);
    }

    public Tensor neg() { return unary(Op.NEG); }
    public Tensor abs() { return unary(Op.ABS); }
    public Tensor sqrt() { return unary(Op.SQRT); }
    public Tensor rsqrt() { return unary(Op.RSQRT); }
    public Tensor exp() { return unary(Op.EXP); }
    public Tensor log() { return unary(Op.LOG); }
    public Tensor sin() { return unary(Op.SIN); }
    public Tensor cos() { return unary(Op.COS); }
    public Tensor tanh() { return unary(Op.TANH); }
    public Tensor sigmoid() { return unary(Op.SIGMOID); }
    public Tensor relu() { return unary(Op.RELU); }
    public Tensor silu() { return unary(Op.SILU); }
    public Tensor logicalNot() { return unary(Op.LOGICAL_NOT); }
    public Tensor erf() { return unary(Op.ERF); }

    /** Exact GELU, x * Phi(x). */
    public Tensor gelu() {
        return gelu("none");
    }

    /** approximate: "none" (erf form) or "tanh". */
    public Tensor gelu(String approximate) {
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw new IllegalArgumentException("gelu: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
        }
        return Dispatch.call(Op.GELU, Attrs.of("approximate", approximate), this);
    }

    public Tensor softplus() {
        return softplus(1, 20);
    }

    /** log(1 + exp(beta x)) / beta, linear where beta x > threshold. */
    public Tensor softplus(double beta, double threshold) {
        return Dispatch.call(Op.SOFTPLUS, Attrs.of("beta", beta, "threshold", threshold), this);
    }

    /** Clamps into [min, max]; pass NaN for an open side. */
    public Tensor clamp(double min, double max) {
        return Dispatch.call(Op.CLAMP, Attrs.of("min", min, "max", max), this);
    }

    private Tensor binary(Op op, Tensor other) {
        return Dispatch.call(op, Attrs.NONE, this, other);
    }

    /**
     * A Java number as a 0-d tensor that does not widen this tensor's dtype (as Python scalars in
     * PyTorch), except that a fractional number with an integer tensor gives F32.
     */
    private Tensor wrap(double v) {
        DType dt = dtype;
        if (!dt.isFloatingPoint() && (v != Math.rint(v) || Double.isInfinite(v))) dt = DType.F32;
        else if (dt == DType.BOOL && v != 0 && v != 1) dt = DType.I64;
        return scalar(v, dt, device());
    }

    public Tensor add(Tensor o) { return binary(Op.ADD, o); }
    public Tensor sub(Tensor o) { return binary(Op.SUB, o); }
    public Tensor mul(Tensor o) { return binary(Op.MUL, o); }
    public Tensor div(Tensor o) { return binary(Op.DIV, o); }
    public Tensor pow(Tensor o) { return binary(Op.POW, o); }
    public Tensor maximum(Tensor o) { return binary(Op.MAXIMUM, o); }
    public Tensor minimum(Tensor o) { return binary(Op.MINIMUM, o); }
    public Tensor eq(Tensor o) { return binary(Op.EQ, o); }
    public Tensor ne(Tensor o) { return binary(Op.NE, o); }
    public Tensor lt(Tensor o) { return binary(Op.LT, o); }
    public Tensor le(Tensor o) { return binary(Op.LE, o); }
    public Tensor gt(Tensor o) { return binary(Op.GT, o); }
    public Tensor ge(Tensor o) { return binary(Op.GE, o); }
    public Tensor logicalAnd(Tensor o) { return binary(Op.LOGICAL_AND, o); }
    public Tensor logicalOr(Tensor o) { return binary(Op.LOGICAL_OR, o); }

    public Tensor add(double v) { return binary(Op.ADD, wrap(v)); }
    public Tensor sub(double v) { return binary(Op.SUB, wrap(v)); }
    public Tensor mul(double v) { return binary(Op.MUL, wrap(v)); }
    public Tensor div(double v) { return binary(Op.DIV, wrap(v)); }
    public Tensor pow(double v) { return binary(Op.POW, wrap(v)); }
    public Tensor maximum(double v) { return binary(Op.MAXIMUM, wrap(v)); }
    public Tensor minimum(double v) { return binary(Op.MINIMUM, wrap(v)); }
    public Tensor eq(double v) { return binary(Op.EQ, wrap(v)); }
    public Tensor ne(double v) { return binary(Op.NE, wrap(v)); }
    public Tensor lt(double v) { return binary(Op.LT, wrap(v)); }
    public Tensor le(double v) { return binary(Op.LE, wrap(v)); }
    public Tensor gt(double v) { return binary(Op.GT, wrap(v)); }
    public Tensor ge(double v) { return binary(Op.GE, wrap(v)); }

    /** v - this. */
    public Tensor rsub(double v) { return wrap(v).sub(this); }

    // ------------------------------------------------------------------ reductions

    private Tensor reduce(Op op, int[] dims, boolean keepdim) {
        return Dispatch.call(op, Attrs.of("dims", dims, "keepdim", keepdim), this);
    }

    private static final int[] ALL = new int[0];

    public Tensor sum() { return reduce(Op.SUM, ALL, false); }
    public Tensor sum(int dim) { return reduce(Op.SUM, new int[] {dim}, false); }
    public Tensor sum(int dim, boolean keepdim) { return reduce(Op.SUM, new int[] {dim}, keepdim); }
    /** Sum over several dims; an empty array means all. */
    public Tensor sum(int[] dims, boolean keepdim) { return reduce(Op.SUM, dims, keepdim); }

    public Tensor mean() { return reduce(Op.MEAN, ALL, false); }
    public Tensor mean(int dim) { return reduce(Op.MEAN, new int[] {dim}, false); }
    public Tensor mean(int dim, boolean keepdim) { return reduce(Op.MEAN, new int[] {dim}, keepdim); }
    public Tensor mean(int[] dims, boolean keepdim) { return reduce(Op.MEAN, dims, keepdim); }

    public Tensor max() { return reduce(Op.MAX, ALL, false); }
    public Tensor max(int dim, boolean keepdim) { return reduce(Op.MAX, new int[] {dim}, keepdim); }
    public Tensor max(int[] dims, boolean keepdim) { return reduce(Op.MAX, dims, keepdim); }

    public Tensor min() { return reduce(Op.MIN, ALL, false); }
    public Tensor min(int dim, boolean keepdim) { return reduce(Op.MIN, new int[] {dim}, keepdim); }
    public Tensor min(int[] dims, boolean keepdim) { return reduce(Op.MIN, dims, keepdim); }

    /** Variance with Bessel's correction (correction 1) over all elements. */
    public Tensor var() { return var(ALL, 1, false); }

    /** correction: 0 for the population variance, 1 for the sample variance. */
    public Tensor var(int[] dims, int correction, boolean keepdim) {
        return Dispatch.call(Op.VAR, Attrs.of("dims", dims, "keepdim", keepdim, "correction", correction), this);
    }

    public Tensor std() { return var().sqrt(); }

    public Tensor std(int[] dims, int correction, boolean keepdim) { return var(dims, correction, keepdim).sqrt(); }

    public Tensor logsumexp(int[] dims, boolean keepdim) { return reduce(Op.LOGSUMEXP, dims, keepdim); }

    public Tensor logsumexp(int dim) { return reduce(Op.LOGSUMEXP, new int[] {dim}, false); }

    /** Index of the largest element along dim (I64); ties go to the first. */
    public Tensor argmax(int dim, boolean keepdim) {
        return Dispatch.call(Op.ARGMAX, Attrs.of("dim", dim, "keepdim", keepdim), this);
    }

    /** Index into the flattened tensor of its largest element. */
    public Tensor argmax() {
        return reshape(-1).argmax(0, false);
    }

    public Tensor argmin(int dim, boolean keepdim) {
        return Dispatch.call(Op.ARGMIN, Attrs.of("dim", dim, "keepdim", keepdim), this);
    }

    public Tensor argmin() {
        return reshape(-1).argmin(0, false);
    }

    public Tensor softmax(int dim) {
        return Dispatch.call(Op.SOFTMAX, Attrs.of("dim", dim), this);
    }

    public Tensor logSoftmax(int dim) {
        return Dispatch.call(Op.LOG_SOFTMAX, Attrs.of("dim", dim), this);
    }

    // ------------------------------------------------------------------ contractions

    /** Matrix product with NumPy semantics (batch dims broadcast, 1-d operands promoted then squeezed). */
    public Tensor matmul(Tensor other) {
        return Dispatch.call(Op.MATMUL, Attrs.NONE, this, other);
    }

    // ------------------------------------------------------------------ in place

    /** Writes src (broadcast to this shape, converted to this dtype) into this view; returns this. */
    public Tensor copyFrom(Tensor src) {
        return Dispatch.call(Op.ASSIGN, Attrs.NONE, this, src);
    }

    /** Sets every element of this view to v; returns this. */
    public Tensor fill(double v) {
        return copyFrom(scalar(v, dtype, device()));
    }

    public Tensor zero() {
        return fill(0);
    }

    // ------------------------------------------------------------------ autodiff

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as a variable whose gradient backward() accumulates into grad(). Returns this. */
    public Tensor requiresGrad(boolean on) {
        if (!on && gradNode != null) {
            throw new IllegalStateException("requiresGrad(false): this tensor is the result of an op on tensors that require"
                    + " grad (not a leaf); use detach() to get a tensor without history");
        }
        if (on && !dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("requiresGrad: only floating tensors can require gradients, this one is " + dtype);
        }
        if (on) GradEngine.get();
        requiresGrad = on;
        return this;
    }

    /** The accumulated gradient, or null before the first backward(). */
    public Tensor grad() {
        return grad;
    }

    /** Replaces the gradient (null clears it); its shape must match. */
    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape)) {
            throw new IllegalArgumentException("setGrad: gradient shape " + Shapes.str(g.shape) + " does not match tensor shape " + Shapes.str(shape));
        }
        grad = g;
    }

    /** Sets the gradient to zeros in place (keeping its memory), as optimizers do between steps. */
    public void zeroGrad() {
        if (grad != null) {
            try (var g = GradMode.noGrad()) {
                grad.zero();
            }
        }
    }

    /** The same data without history: a leaf that does not require grad. */
    public Tensor detach() {
        return new Tensor(storage, dtype, shape, strides, offset);
    }

    /** True for tensors created by the user rather than by an op on tensors that require grad. */
    public boolean isLeaf() {
        return gradNode == null;
    }

    /** The engine's graph node that produced this tensor; for the autodiff module. */
    public Object gradNode() {
        return gradNode;
    }

    /** Attaches the graph node that produced this tensor (which then requires grad); for the autodiff module. */
    public void setGradNode(Object node) {
        this.gradNode = node;
        this.requiresGrad = node != null;
    }

    /** Registers a function applied to this leaf's incoming gradient before it is accumulated. */
    public void registerHook(java.util.function.UnaryOperator<Tensor> hook) {
        if (hooks == null) hooks = new java.util.ArrayList<>();
        hooks.add(hook);
    }

    /** The registered gradient hooks (empty when none). */
    public java.util.List<java.util.function.UnaryOperator<Tensor>> hooks() {
        return hooks == null ? java.util.List.of() : java.util.Collections.unmodifiableList(hooks);
    }

    /** Backward from a one-element tensor (seed 1). */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward: needs a one-element tensor (a loss) or an explicit output gradient; shape is "
                    + Shapes.str(shape));
        }
        backward(Tensor.ones(dtype, device(), shape), false);
    }

    public void backward(Tensor gradOutput) {
        backward(gradOutput, false);
    }

    /** Accumulates gradients into every leaf reachable from this tensor; retainGraph keeps the graph for another backward. */
    public void backward(Tensor gradOutput, boolean retainGraph) {
        if (!requiresGrad) {
            throw new IllegalStateException("backward: this tensor does not require grad and has no graph; call requiresGrad(true)"
                    + " on the inputs you want gradients for before computing it");
        }
        GradEngine.get().backward(this, gradOutput, retainGraph);
    }

    // ------------------------------------------------------------------ printing

    @Override
    public String toString() {
        String head = "tensor(" + dtype.name().toLowerCase() + Shapes.str(shape) + ", " + device();
        if (storage.isReleased()) return head + ", released)";
        long n = numel();
        if (n > 64) return head + ")";
        String vals;
        if (dtype.isFloatingPoint()) vals = Arrays.toString(toDoubleArray());
        else if (dtype == DType.BOOL) vals = Arrays.toString(toBooleanArray());
        else vals = Arrays.toString(toLongArray());
        return head + ", " + vals + ")";
    }
}
