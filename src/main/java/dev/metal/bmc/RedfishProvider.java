package dev.metal.bmc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metal.model.BmcException;
import dev.metal.model.CertificateChangedException;
import dev.metal.model.Host;
import dev.metal.redfish.RedfishClient;
import dev.metal.redfish.Scraper;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * BMCs over Redfish: power through ComputerSystem.Reset with a ResetType the BMC allows,
 * the boot override through a PATCH of Boot with If-Match on the ETag the BMC served, and
 * the inventory through a walk of the whole service. A certificate other than the pinned
 * one is a {@link CertificateChangedException}, whatever the call.
 */
public final class RedfishProvider implements BmcProvider {
    private final RedfishClient.Options options;
    private final Clock clock;

    public RedfishProvider(RedfishClient.Options options, Clock clock) {
        this.options = options;
        this.clock = clock;
    }

    @Override
    public Protocol protocol() {
        return Protocol.REDFISH;
    }

    @Override
    public BmcSession open(Host host, String pin) {
        BmcProvider.address(host);
        RedfishClient client = RedfishClient.forHost(host, pin, options);
        try {
            return pinned(() -> {
                client.login();
                // The host's own system is the first one the BMC lists (a SmartNIC or blade peer comes later).
                JsonNode systems = client.get("/redfish/v1/Systems");
                String uri = systems == null ? null : systems.path("Members").path(0).path("@odata.id").asText(null);
                if (uri == null) throw new BmcException(host.hostname() + ": the BMC lists no ComputerSystem");
                return new Session(client, host.hostname(), uri);
            });
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    @Override
    public InventoryReader inventory() {
        return (host, pin) -> {
            // The scraper reads the pin from the host; here it is the one the caller expects.
            Host expecting = host.withBmc(host.bmc().withTlsFingerprint(pin));
            Scraper.Outcome o = new Scraper(options, 1, false, clock).one(expecting);
            boolean changed = !o.ok() && pin != null && o.fingerprint() != null && !pin.equalsIgnoreCase(o.fingerprint());
            return new InventoryReading(o.hostname(), o.inventory(), o.error(), changed, o.fingerprint(), o.requests(),
                    o.bytes(), o.time(), o.depth());
        };
    }

    /** Runs a call, turning the Redfish client's certificate error into the one every provider shares. */
    private static <T> T pinned(Supplier<T> call) {
        try {
            return call.get();
        } catch (dev.metal.redfish.CertificateChangedException e) {
            throw new CertificateChangedException(e.getMessage());
        }
    }

    private static void pinnedRun(Runnable call) {
        pinned(() -> {
            call.run();
            return null;
        });
    }

    /** One logged-in session; closing it ends the session on the BMC. */
    private static final class Session implements BmcSession {
        private final RedfishClient client;
        private final String hostname;
        private final String systemUri;

        Session(RedfishClient client, String hostname, String systemUri) {
            this.client = client;
            this.hostname = hostname;
            this.systemUri = systemUri;
        }

        @Override
        public String fingerprint() {
            return client.fingerprint();
        }

        @Override
        public PowerState powerState() {
            String state = pinned(() -> client.read(systemUri)).body().path("PowerState").asText("");
            return switch (state) {
                case "On", "PoweringOff", "Paused" -> PowerState.ON;
                case "Off", "PoweringOn" -> PowerState.OFF;
                default -> PowerState.UNKNOWN;
            };
        }

        @Override
        public void power(PowerAction action) {
            pinnedRun(() -> send(action));
        }

        private void send(PowerAction action) {
            JsonNode system = client.read(systemUri).body();
            JsonNode reset = system.path("Actions").path("#ComputerSystem.Reset");
            String target = reset.path("target").asText(systemUri + "/Actions/ComputerSystem.Reset");
            String type = resetType(action, allowed(reset));
            client.post(target, JsonNodeFactory.instance.objectNode().put("ResetType", type));
        }

        /** The ResetTypes the BMC says it takes; empty when it does not say. */
        private List<String> allowed(JsonNode reset) {
            List<String> allowed = new ArrayList<>();
            reset.path("ResetType@Redfish.AllowableValues").forEach(v -> allowed.add(v.asText()));
            String info = reset.path("@Redfish.ActionInfo").asText(null);
            if (allowed.isEmpty() && info != null) {
                JsonNode actionInfo = client.get(info);
                if (actionInfo != null) {
                    for (JsonNode p : actionInfo.path("Parameters")) {
                        if (p.path("Name").asText().equals("ResetType")) {
                            p.path("AllowableValues").forEach(v -> allowed.add(v.asText()));
                        }
                    }
                }
            }
            return allowed;
        }

        /** The first ResetType, in order of preference, that the BMC allows (any of them when it does not say). */
        private String resetType(PowerAction action, List<String> allowed) {
            List<String> preferred = switch (action) {
                case ON -> List.of("On", "ForceOn");
                case OFF -> List.of("ForceOff");
                case SOFT -> List.of("GracefulShutdown");
                case CYCLE -> List.of("PowerCycle", "ForceRestart");
                case RESET -> List.of("ForceRestart", "PowerCycle");
                case STATUS -> throw new IllegalArgumentException("status is a read, not an action");
            };
            if (allowed.isEmpty()) return preferred.get(0);
            for (String type : preferred) {
                if (allowed.contains(type)) return type;
            }
            throw new BmcException(hostname + ": the BMC allows no reset for " + action.name().toLowerCase(Locale.ROOT)
                    + " (it allows " + String.join(", ", allowed) + ")");
        }

        @Override
        public BootOverride bootOverride() {
            JsonNode boot = pinned(() -> client.read(systemUri)).body().path("Boot");
            String enabled = boot.path("BootSourceOverrideEnabled").asText("Disabled");
            BootDevice device = enabled.equals("Disabled") ? BootDevice.NONE
                    : switch (boot.path("BootSourceOverrideTarget").asText("None")) {
                        case "Pxe", "UefiHttp" -> BootDevice.PXE;
                        case "Hdd", "UefiTarget" -> BootDevice.DISK;
                        case "BiosSetup" -> BootDevice.BIOS;
                        case "Cd" -> BootDevice.CDROM;
                        default -> BootDevice.NONE;
                    };
            boolean uefi = !boot.path("BootSourceOverrideMode").asText("UEFI").equals("Legacy");
            return new BootOverride(device, enabled.equals("Continuous"), uefi);
        }

        @Override
        public void setBootOverride(BootOverride override) {
            pinnedRun(() -> patchBoot(override));
        }

        private void patchBoot(BootOverride override) {
            // A BMC that wants If-Match rejects a stale ETag with 412; read again and retry once.
            for (int attempt = 0; ; attempt++) {
                RedfishClient.Resource system = client.read(systemUri);
                ObjectNode boot = JsonNodeFactory.instance.objectNode();
                boot.put("BootSourceOverrideTarget", target(override.device()));
                boot.put("BootSourceOverrideEnabled", override.device() == BootDevice.NONE ? "Disabled"
                        : override.persistent() ? "Continuous" : "Once");
                if (system.body().path("Boot").has("BootSourceOverrideMode")) {
                    boot.put("BootSourceOverrideMode", override.uefi() ? "UEFI" : "Legacy");
                }
                ObjectNode body = JsonNodeFactory.instance.objectNode();
                body.set("Boot", boot);
                try {
                    client.patch(systemUri, body, system.etag());
                    return;
                } catch (RedfishClient.HttpStatusException e) {
                    if (attempt > 0 || (e.status() != 412 && e.status() != 428)) throw e;
                }
            }
        }

        private static String target(BootDevice device) {
            return switch (device) {
                case PXE -> "Pxe";
                case DISK -> "Hdd";
                case BIOS -> "BiosSetup";
                case CDROM -> "Cd";
                case NONE -> "None";
            };
        }

        /**
         * The host console a BMC logs: OpenBMC's HostLogger log service (one entry per console
         * line, oldest first, in pages). A BMC without one gives nothing.
         */
        @Override
        public List<String> consoleTail(int lines) {
            String services = client.read(systemUri).body().path("LogServices").path("@odata.id").asText("");
            if (services.isEmpty()) return List.of();
            String entries = null;
            for (JsonNode m : client.read(services).body().path("Members")) {
                String uri = m.path("@odata.id").asText("");
                if (uri.endsWith("/HostLogger")) {
                    entries = client.read(uri).body().path("Entries").path("@odata.id").asText(uri + "/Entries");
                }
            }
            if (entries == null) return List.of();
            JsonNode page = client.read(entries).body();
            int count = page.path("Members@odata.count").asInt(page.path("Members").size());
            if (count > page.path("Members").size()) {
                // Only the first page came: ask for the last lines.
                page = client.read(entries + "?$skip=" + Math.max(0, count - lines) + "&$top=" + lines).body();
            }
            List<String> out = new ArrayList<>();
            for (JsonNode e : page.path("Members")) out.add(e.path("Message").asText(""));
            return out.size() <= lines ? out : out.subList(out.size() - lines, out.size());
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
