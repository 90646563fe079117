package org.ddrl.rl.config;

/** A config file or text that cannot be used; the message names the source and the offending field. */
public final class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
