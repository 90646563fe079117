package org.ddrl.diffusion.data;

import java.io.IOException;

/** A video file or folder that cannot be used: unreadable, or of the wrong shape, type or value range. The message names it. */
public class VideoFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public VideoFileException(String message) {
        super(message);
    }

    public VideoFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
