package dev.metal.cli;

import dev.metal.workflow.ServeService;
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
    "Tokens are per host and valid for one provisioning; refused requests",
    "are journaled."})
public final class ServeCommand extends BaseCommand {
    @Mixin
    ServeOptions serving;

    @Option(names = "--advertise", paramLabel = "URL",
            description = "Base URL that machines reach this server at, for the URLs in scripts "
                    + "(default: the Host header of each request).")
    String advertise;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "16",
            description = "Requests served at once (default: ${DEFAULT-VALUE}).")
    int threads;

    @Mixin
    ForOption running;

    @Override
    protected Result execute() throws InterruptedException {
        var folder = serving.files(root());
        String url = new ServeService(services(), store(), log()).serve(serving.listen, folder, advertise, threads,
                running.duration, base -> {
                    // The one line a long-running server owes its user; stdout stays for the result.
                    context().err().println("metal: serving " + base + " (files from " + folder + ")");
                    context().err().flush();
                });
        return Results.message("stopped serving " + url, Map.of("stopped", url));
    }
}
