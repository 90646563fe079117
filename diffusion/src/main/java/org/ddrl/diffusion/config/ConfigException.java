package org.ddrl.diffusion.config;

import java.util.List;

/**
 * A config that cannot be used: unreadable, malformed, or with values out of range. Each error starts with the path
 * of the field it is about ("train.lr: must be > 0, got -1"); the message lists them all, after the source (a file
 * name, or where the config came from).
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final List<String> errors;

    public ConfigException(String source, List<String> errors) {
        super("invalid config " + source + ":\n  " + String.join("\n  ", errors));
        this.source = source;
        this.errors = List.copyOf(errors);
    }

    public ConfigException(String source, String error, Throwable cause) {
        super("invalid config " + source + ":\n  " + error, cause);
        this.source = source;
        this.errors = List.of(error);
    }

    /** Where the config came from. */
    public String source() {
        return source;
    }

    /** One line per problem, each starting with the field's path. */
    public List<String> errors() {
        return errors;
    }
}
