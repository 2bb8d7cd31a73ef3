package dev.metal.cli;

import dev.metal.boot.BootServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a boot server (metal serve, or provision's in-process one) listens and what it serves under /files/. */
final class ServeOptions {
    @Option(names = "--listen", paramLabel = "ADDR:PORT", converter = ListenConverter.class,
            defaultValue = BootServer.DEFAULT_LISTEN,
            description = "Where the boot server listens (default: ${DEFAULT-VALUE}; 0.0.0.0:PORT for all addresses).")
    InetSocketAddress listen;

    @Option(names = "--files", paramLabel = "DIR",
            description = "Folder the boot server serves under /files/ (default: 'files' beside the state file).")
    Path files;

    Path files(MetalCommand root) {
        return files != null ? files : root.besideState("files");
    }
}
