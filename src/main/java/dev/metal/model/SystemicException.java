package dev.metal.model;

/**
 * Something around metal failed, not the input: a port taken, a file that cannot be written,
 * a process that does not stop, an interrupted run.
 */
public class SystemicException extends RuntimeException {
    public SystemicException(String message) {
        super(message);
    }

    public SystemicException(String message, Throwable cause) {
        super(message, cause);
    }
}
