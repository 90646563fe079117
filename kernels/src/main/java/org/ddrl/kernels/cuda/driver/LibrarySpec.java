package org.ddrl.kernels.cuda.driver;

import java.util.List;

/**
 * One CUDA library as the loader looks for it.
 *
 * @param what         what it is, for messages ("NVRTC")
 * @param baseName     the unversioned file name ("libnvrtc.so"); the files tried are baseName.major
 * @param majors       the major versions accepted, most preferred first
 * @param companions   libraries of the same major loaded first from the same folder, because the main one
 *                     finds them by soname and the system loader would not look in that folder (cuBLAS needs
 *                     cuBLASLt, NVRTC its builtins); given by unversioned name
 * @param installHint  what to install when none is found
 * @param systemFirst  ask the system loader before the folders (right for the driver, which the system installs)
 */
public record LibrarySpec(String what, String baseName, List<Integer> majors, List<String> companions, String installHint,
                          boolean systemFirst) {
    public LibrarySpec {
        majors = List.copyOf(majors);
        companions = List.copyOf(companions);
        if (majors.isEmpty()) throw new IllegalArgumentException(what + ": no major versions given");
    }

    public String fileName(int major) {
        return baseName + "." + major;
    }

    /** "libnvrtc.so.13 or libnvrtc.so.12". */
    public String fileNames() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < majors.size(); i++) {
            if (i > 0) b.append(i == majors.size() - 1 ? " or " : ", ");
            b.append(fileName(majors.get(i)));
        }
        return b.toString();
    }
}
