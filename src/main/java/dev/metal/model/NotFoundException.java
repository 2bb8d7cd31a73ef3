package dev.metal.model;

/** Something the user named does not exist: a host, a profile, a file. Bad input (exit 2). */
public class NotFoundException extends BadInputException {
    public NotFoundException(String problem) {
        super(problem);
    }
}
