package dev.metal.cli;

import dev.metal.boot.BootServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", description = {
    "Run the HTTP boot server until interrupted.",
    "  GET  /ipxe?mac=MAC          iPXE script: install while provisioning,",
    "                              else boot the local disk",
    "  GET  /v1/boot/MAC           Pixiecore API mode ('pixiecore api URL')",
    "  GET  /config/HOST/KIND?token=T   preseed, networkd, cloud-init files",
    "  GET  /files/PATH            kernels, initrds, images (Range requests)",
    "  POST /phone-home/HOST?token=T    the installed system reports in",
    "Tokens are per host and valid for one provisioning; refused requests",
    "are journaled."})
public final class ServeCommand extends BaseCommand {
    @Option(names = "--listen", paramLabel = "ADDR:PORT", converter = ListenConverter.class,
            defaultValue = BootServer.DEFAULT_LISTEN,
            description = "Address and port to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0:PORT for all).")
    InetSocketAddress listen;

    @Option(names = "--files", paramLabel = "DIR",
            description = "Folder served under /files/ (default: 'files' beside the state file).")
    Path files;

    @Option(names = "--advertise", paramLabel = "URL",
            description = "Base URL that machines reach this server at, for the URLs in scripts "
                    + "(default: the Host header of each request).")
    String advertise;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "16",
            description = "Requests served at once (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--for", paramLabel = "DUR", converter = DurationConverter.class, hidden = true,
            description = "Stop after this long (for scripts and tests).")
    Duration duration;

    @Override
    protected Result execute() throws InterruptedException {
        Path folder = files != null ? files : defaultFiles(root().statePath());
        BootServer server = new BootServer(store(), Wiring.bootContent.get(), folder, advertise, Math.max(1, threads));
        server.start(listen);
        try (UntilStopped running = new UntilStopped(server::close)) {
            // The one line a long-running server owes its user; stdout stays for the result.
            context().err().println("metal: serving " + server.baseUrl() + " (files from " + folder + ")");
            context().err().flush();
            running.await(duration);
        }
        return Results.message("stopped serving " + server.baseUrl(), Map.of("stopped", server.baseUrl()));
    }

    static Path defaultFiles(Path stateFile) {
        return stateFile.toAbsolutePath().resolveSibling("files");
    }
}
