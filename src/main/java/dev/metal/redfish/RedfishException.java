package dev.metal.redfish;

import dev.metal.model.BmcException;

/** A BMC that could not be read; the message names the host and says why, in one line. */
public class RedfishException extends BmcException {
    public RedfishException(String message) {
        super(message);
    }

    public RedfishException(String message, Throwable cause) {
        super(message, cause);
    }
}
