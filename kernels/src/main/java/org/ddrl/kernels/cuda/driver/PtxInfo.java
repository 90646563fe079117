package org.ddrl.kernels.cuda.driver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a PTX module's header and entry declarations say: the PTX ISA version (which decides the oldest driver
 * that can JIT it), the target architecture (the oldest GPU it runs on), and each kernel with the byte size
 * of each parameter (so a launch with the wrong arguments fails with a message instead of reading garbage).
 *
 * @param entries kernel name (as cuModuleGetFunction wants it, mangled for C++ kernels) to parameter sizes in
 *                bytes, -1 where a parameter's type is not understood
 */
public record PtxInfo(int isaMajor, int isaMinor, int target, String targetSuffix, Map<String, List<Integer>> entries) {
    private static final Pattern VERSION = Pattern.compile("^\\s*\\.version\\s+(\\d+)\\.(\\d+)", Pattern.MULTILINE);
    private static final Pattern TARGET = Pattern.compile("^\\s*\\.target\\s+sm_(\\d+)([a-z]?)", Pattern.MULTILINE);
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+([A-Za-z_$][\\w$]*)\\s*\\(([^)]*)\\)");
    private static final Pattern SCALAR = Pattern.compile("\\.[usbf](8|16|32|64)\\b");
    private static final Pattern ARRAY = Pattern.compile("\\[(\\d+)]\\s*$");

    public PtxInfo {
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** @throws IllegalArgumentException when the text has no .version or .target line */
    public static PtxInfo parse(String ptx) {
        Matcher v = VERSION.matcher(ptx);
        Matcher t = TARGET.matcher(ptx);
        if (!v.find() || !t.find()) throw new IllegalArgumentException("not a PTX module: no .version and .target lines");
        Map<String, List<Integer>> entries = new LinkedHashMap<>();
        Matcher e = ENTRY.matcher(ptx);
        while (e.find()) {
            List<Integer> sizes = new ArrayList<>();
            String params = e.group(2).strip();
            if (!params.isEmpty()) {
                for (String p : params.split(",")) sizes.add(paramSize(p.strip()));
            }
            entries.put(e.group(1), List.copyOf(sizes));
        }
        return new PtxInfo(Integer.parseInt(v.group(1)), Integer.parseInt(v.group(2)), Integer.parseInt(t.group(1)), t.group(2), entries);
    }

    private static int paramSize(String param) {
        Matcher s = SCALAR.matcher(param);
        if (!s.find()) return -1;
        int bytes = Integer.parseInt(s.group(1)) / 8;
        Matcher a = ARRAY.matcher(param);
        return a.find() ? bytes * Integer.parseInt(a.group(1)) : bytes;
    }

    /** "sm_80", "sm_90a". */
    public String targetName() {
        return "sm_" + target + targetSuffix;
    }

    public String isa() {
        return isaMajor + "." + isaMinor;
    }

    /**
     * Why this PTX cannot be loaded on a device, or null when it can.
     *
     * @param computeCapability major * 10 + minor (90 for an H100)
     * @param driverVersion     cuDriverGetVersion's value (13000 for CUDA 13.0)
     */
    public String unusableReason(int computeCapability, int driverVersion) {
        if (!targetSuffix.isEmpty() && target != computeCapability) {
            return "the PTX targets " + targetName() + ", which runs only on compute capability " + target / 10 + "." + target % 10;
        }
        if (target > computeCapability) {
            return "the PTX targets " + targetName() + ", newer than this device (compute capability "
                    + computeCapability / 10 + "." + computeCapability % 10 + ")";
        }
        int[] max = maxIsa(driverVersion);
        if (isaMajor > max[0] || (isaMajor == max[0] && isaMinor > max[1])) {
            return "the PTX is ISA " + isa() + ", newer than this driver (CUDA " + NativeLibraries.versionString(driverVersion)
                    + ", ISA " + max[0] + "." + max[1] + ") can compile";
        }
        return null;
    }

    /**
     * The newest PTX ISA a driver accepts: CUDA 11.x took ISA 7.x, 12.x 8.x and 13.x 9.x, with the ISA minor never
     * above the CUDA minor (12.6 accepts 8.5, 12.8 accepts 8.7). The bound can be one minor too generous; a driver
     * that still refuses answers CUDA_ERROR_UNSUPPORTED_PTX_VERSION, which the device treats the same way.
     */
    static int[] maxIsa(int driverVersion) {
        return new int[] {driverVersion / 1000 - 4, (driverVersion % 1000) / 10};
    }
}
