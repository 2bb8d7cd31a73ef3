package dev.metal.ipmi;

import dev.metal.model.BmcException;

/** An IPMI exchange failed; the message says why in one line, never with a secret. */
public class IpmiException extends BmcException {
    public IpmiException(String message) {
        super(message);
    }

    public IpmiException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The BMC refused the user name or password; trying again will not help. */
    public static final class AuthenticationFailed extends IpmiException {
        public AuthenticationFailed(String message) {
            super(message);
        }
    }
}
