package dev.metal.model;

import java.util.List;

/**
 * The user's input is wrong: a file, a line, a value. Carries every problem found, so
 * that one run reports them all. Maps to exit code 2.
 */
public class BadInputException extends RuntimeException {
    private final List<String> problems;

    public BadInputException(String problem) {
        this(List.of(problem));
    }

    public BadInputException(List<String> problems) {
        super(problems.isEmpty() ? "bad input" : String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
