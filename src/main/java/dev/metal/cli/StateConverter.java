package dev.metal.cli;

import dev.metal.model.HostState;
import picocli.CommandLine.ITypeConverter;

/** Host states on the command line, in the lower case the user sees. */
final class StateConverter implements ITypeConverter<HostState> {
    @Override
    public HostState convert(String value) {
        return HostState.parse(value);
    }
}
