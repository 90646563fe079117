package org.ddrl.diffusion.train;

import java.io.IOException;

/** A checkpoint that cannot be used: missing, incomplete, corrupt, or written for another config. Names the file. */
public final class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
