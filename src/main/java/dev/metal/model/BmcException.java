package dev.metal.model;

/** A BMC could not be reached, refused, or did not do what it was told. The message names the host. */
public class BmcException extends RuntimeException {
    public BmcException(String message) {
        super(message);
    }

    public BmcException(String message, Throwable cause) {
        super(message, cause);
    }
}
