package dev.metal.model;

/**
 * What was asked does not fit the state things are in: a host in use, a step not taken yet,
 * a name already taken. Nothing was changed, so it counts as bad input (exit 2).
 */
public class ConflictException extends BadInputException {
    public ConflictException(String problem) {
        super(problem);
    }
}
