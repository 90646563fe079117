package org.ddrl.tensor;

import java.util.Locale;

/**
 * Where a tensor's storage lives. {@code cpu} is host memory; {@code cuda:N} a GPU reached through the
 * CUDA driver API; {@code cuda-emu:N} the same CUDA kernels compiled for and run on the host.
 */
public record Device(Kind kind, int index) {
    public enum Kind { CPU, CUDA, CUDA_EMU }

    public static final Device CPU = new Device(Kind.CPU, 0);

    public Device {
        if (index < 0) throw new IllegalArgumentException("device index must be >= 0, got " + index);
        if (kind == Kind.CPU && index != 0) throw new IllegalArgumentException("the cpu device has no index, got cpu:" + index);
    }

    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /** Parses "cpu", "cuda", "cuda:1", "cuda-emu", "cuda-emu:0". */
    public static Device parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        int colon = s.lastIndexOf(':');
        String name = colon < 0 ? s : s.substring(0, colon);
        int index = 0;
        if (colon >= 0) {
            try {
                index = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad device '" + text + "': the index after ':' must be a number");
            }
        }
        Kind kind = switch (name) {
            case "cpu" -> Kind.CPU;
            case "cuda", "gpu" -> Kind.CUDA;
            case "cuda-emu", "cuda_emu" -> Kind.CUDA_EMU;
            default -> throw new IllegalArgumentException("bad device '" + text + "': expected cpu, cuda[:N] or cuda-emu[:N]");
        };
        return new Device(kind, index);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case CPU -> "cpu";
            case CUDA -> "cuda:" + index;
            case CUDA_EMU -> "cuda-emu:" + index;
        };
    }
}
