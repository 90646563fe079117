package org.ddrl.tensor.io;

import java.io.IOException;

/**
 * A file that is not a well-formed tensor file of the expected format, or whose header describes data the file
 * does not hold. The message names the file and the offending values.
 */
public class TensorFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public TensorFileException(String message) {
        super(message);
    }

    public TensorFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
