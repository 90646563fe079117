package org.ddrl.kernels.cuda;

/** What a device reports about itself. */
public record DeviceInfo(int ordinal, String name, int multiprocessors, long totalMemory, int computeMajor, int computeMinor,
                         int maxThreadsPerBlock, int maxSharedPerBlock, int warpSize) {
    public String computeCapability() {
        return computeMajor + "." + computeMinor;
    }
}
