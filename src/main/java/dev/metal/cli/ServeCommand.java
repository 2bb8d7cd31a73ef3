package dev.metal.cli;

import dev.metal.boot.BootServer;
import dev.metal.model.BadInputException;
import dev.metal.workflow.ServeService;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", description = {
    "Run the HTTP boot server until interrupted.",
    "  GET  /ipxe?mac=MAC          iPXE script: install while provisioning,",
    "                              else boot the local disk",
    "  GET  /v1/boot/MAC           Pixiecore API mode ('pixiecore api URL')",
    "  GET  /config/HOST/KIND?token=T   preseed, networkd, cloud-init files",
    "  GET  /files/PATH            kernels, initrds, images (Range requests)",
    "  POST /phone-home/HOST?token=T    the installed system reports in",
    "Tokens are per host and valid for one provisioning attempt. An attempt's",
    "boot script (it carries the token) goes to the first address that asks;",
    "another address gets the local-disk script and a boot-alarm is journaled.",
    "Every refusal answers 403 'forbidden'; refusals are journaled, at most 10",
    "per address and 100 in all each minute, the rest counted in one line.",
    "Every wait on a client has a deadline, so that slow or silent clients",
    "cannot hold the server: a new connection has --header-timeout (10s) to",
    "send its request line and headers, a kept-alive one may rest",
    "--idle-timeout (30s) between requests, a request body must arrive within",
    "--body-timeout (30s), and a response write that makes no progress for",
    "--write-timeout (60s) ends the connection. At --max-connections (512)",
    "the connection that has waited longest for its request is closed to",
    "make room; when none waits, new ones get 503. Each connection has a",
    "thread of its own (a virtual thread on JDK 21 and newer)."})
public final class ServeCommand extends BaseCommand {
    @Mixin
    ServeOptions serving;

    @Option(names = "--advertise", paramLabel = "URL",
            description = "Base URL that machines reach this server at, for the URLs in scripts "
                    + "(default: the Host header of each request).")
    String advertise;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "512",
            description = "Client connections open at once (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--header-timeout", paramLabel = "DUR", converter = DurationConverter.class, defaultValue = "10s",
            description = "Time a client has to send its request line and headers (default: ${DEFAULT-VALUE}).")
    Duration headerTimeout;

    @Option(names = "--idle-timeout", paramLabel = "DUR", converter = DurationConverter.class, defaultValue = "30s",
            description = "Time a kept-alive connection may wait for its next request (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--body-timeout", paramLabel = "DUR", converter = DurationConverter.class, defaultValue = "30s",
            description = "Time a client has to send a request body (default: ${DEFAULT-VALUE}).")
    Duration bodyTimeout;

    @Option(names = "--write-timeout", paramLabel = "DUR", converter = DurationConverter.class, defaultValue = "60s",
            description = "Time a response write may make no progress before the connection ends "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration writeTimeout;

    @Mixin
    ForOption running;

    @Override
    protected Result execute() throws InterruptedException {
        var folder = serving.files(root());
        if (maxConnections < 1) throw new BadInputException("--max-connections must be at least 1");
        var limits = new BootServer.Limits(maxConnections, headerTimeout, idleTimeout, bodyTimeout, writeTimeout);
        String url = new ServeService(services(), store(), log()).serve(serving.listen, folder, advertise, limits,
                running.duration, base -> {
                    // The one line a long-running server owes its user; stdout stays for the result.
                    context().err().println("metal: serving " + base + " (files from " + folder + ")");
                    context().err().flush();
                });
        return Results.message("stopped serving " + url, Map.of("stopped", url));
    }
}
