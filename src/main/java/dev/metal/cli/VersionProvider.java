package dev.metal.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest, so that it is set in one place (the pom). */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = MetalCommand.class.getPackage().getImplementationVersion();
        return new String[] {"metal " + (version == null ? "dev" : version)};
    }
}
