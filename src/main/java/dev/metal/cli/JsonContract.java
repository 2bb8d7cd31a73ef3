package dev.metal.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.metal.model.HostState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import dev.metal.model.Host;
import dev.metal.model.SystemicException;
import dev.metal.provision.PoolService;
import dev.metal.provision.ProvisionReport;
import dev.metal.state.JournalEntry;
import dev.metal.util.Json;
import dev.metal.workflow.MatchService;
import dev.metal.workflow.PowerService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one JSON contract of every command's --json output (README, "JSON output";
 * docs/schemas holds a JSON Schema per command):
 * <ul>
 * <li>field names are camelCase, and a field has one name in every command: a host is
 *     always {@code hostname}, its BMC always {@code bmc} with {@code mac} and {@code address};
 * <li>the top level is always an object; a list is a field of it named for what it lists
 *     ({@code {"hosts": [...]}});
 * <li>keys come in a fixed order: records in their declared order, other maps sorted;
 * <li>a failed command prints {@code {"error": {...}}} on stdout (see {@link #error}).
 * </ul>
 */
final class JsonContract {
    private JsonContract() {}

    /** Records of the layers below, written with this contract's names. */
    interface HostnameMixin {
        @JsonProperty("hostname")
        String host();
    }

    private static final class Holder {
        static final ObjectMapper MAPPER = Json.mapper().copy()
                .addMixIn(MatchService.HostOutcome.class, HostnameMixin.class)
                .addMixIn(PowerService.Outcome.class, HostnameMixin.class)
                .addMixIn(PoolService.Warmed.class, HostnameMixin.class)
                .addMixIn(ProvisionReport.Slot.class, HostnameMixin.class)
                .addMixIn(ProvisionReport.Attempt.class, HostnameMixin.class)
                .registerModule(new SimpleModule("metal-json-contract")
                        .addSerializer(Path.class, new ToStringSerializer(Path.class))
                        .addSerializer(Enum.class, new LowerCaseEnums()));
    }

    /** Enum values as the user types them: {@code "dnsmasq"}, not {@code "DNSMASQ"}. */
    @SuppressWarnings("rawtypes")
    private static final class LowerCaseEnums extends StdSerializer<Enum> {
        LowerCaseEnums() {
            super(Enum.class);
        }

        @Override
        public void serialize(Enum value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value instanceof HostState s ? s.label() : value.name().toLowerCase(Locale.ROOT));
        }
    }

    /**
     * A journal entry with this contract's names. Entries written before it keep their
     * snake_case detail keys in the journal file ({@code bmc_address}); they are read as
     * camelCase ({@code bmcAddress}), so one key has one name across old and new entries.
     */
    static Map<String, Object> journalEntry(JournalEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", e.time());
        m.put("command", e.command());
        m.put("hostname", e.host());
        m.put("event", e.event());
        Map<String, Object> detail = new LinkedHashMap<>();
        if (e.detail() != null) e.detail().forEach((k, v) -> detail.put(camelCase(k), v));
        m.put("detail", detail);
        return m;
    }

    static String camelCase(String key) {
        if (key.indexOf('_') < 0) return key;
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char c : key.toCharArray()) {
            if (c == '_') {
                up = b.length() > 0;
            } else {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b.toString();
    }

    static ObjectMapper mapper() {
        return Holder.MAPPER;
    }

    static String write(Object value) {
        try {
            return mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new SystemicException("cannot write the result as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A list under its name: the envelope of every list command. */
    static Map<String, Object> list(String name, Object items) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(name, items);
        return m;
    }

    /** A host in listings: what scripts select on, never a secret. The same names as in {@link #host}. */
    static Map<String, Object> hostSummary(Host h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostname", h.hostname());
        m.put("rack", h.rack());
        m.put("u", h.u());
        m.put("state", h.state());
        m.put("stateReason", h.stateReason());
        m.put("stateSince", h.stateSince());
        Map<String, Object> bmc = new LinkedHashMap<>();
        bmc.put("mac", h.bmc().mac());
        bmc.put("address", h.bmc().address());
        m.put("bmc", bmc);
        m.put("mgmtMac", h.mgmtMac());
        m.put("serial", h.serial());
        m.put("tags", h.tags());
        m.put("profile", h.profile());
        return m;
    }

    /** Everything known about a host (secrets masked): the summary's fields, then the rest. */
    static Map<String, Object> host(Host h) {
        Map<String, Object> m = hostSummary(h);
        m.put("bmc", h.bmc());
        m.put("match", h.match());
        m.put("addresses", addresses(h.addresses()));
        m.put("provisioning", h.provisioning());
        m.put("inventory", h.inventory());
        m.put("previousInventory", h.previousInventory());
        return m;
    }

    private static final List<String> NETWORK_ORDER = List.of("rack", "index", "public", "mgmt", "bmc", "bgp");
    private static final List<String> NUMBERS = List.of("index", "bgp.asn");

    /**
     * A host's addresses as the state keeps them ({@code public.ipv4 -> 10.0.0.5/24}), as an
     * object: one object per network, numbers as numbers, networks in a fixed order.
     * <pre>{"rack": "r1", "index": 11, "public": {"ipv4": "...", "ipv6": "..."},
     *  "mgmt": {"ipv4": "..."}, "bmc": {"ipv4": "..."}, "bgp": {"asn": 4200000001}}</pre>
     */
    static Map<String, Object> addresses(Map<String, String> flat) {
        Map<String, Object> nested = new TreeMap<>();
        for (Map.Entry<String, String> e : flat.entrySet()) {
            String key = e.getKey();
            Object value = NUMBERS.contains(key) ? number(e.getValue()) : e.getValue();
            int dot = key.indexOf('.');
            if (dot < 0) {
                nested.put(key, value);
            } else {
                Object inner = nested.computeIfAbsent(key.substring(0, dot), k -> new TreeMap<String, Object>());
                if (inner instanceof Map<?, ?> map) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) map;
                    m.put(key.substring(dot + 1), value);
                }
            }
        }
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (String k : NETWORK_ORDER) {
            if (nested.containsKey(k)) ordered.put(k, nested.remove(k));
        }
        ordered.putAll(nested);
        return ordered;
    }

    private static Object number(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return text;
        }
    }

    /**
     * What a failed command prints on stdout with --json:
     * {@code {"error": {"message": ..., "exitCode": 2, "problems": [...], "suggestions": [...]}}};
     * problems when the input had several, suggestions when a name was mistyped.
     */
    static Map<String, Object> error(String message, int exitCode, List<String> problems, List<String> suggestions) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("message", message);
        e.put("exitCode", exitCode);
        e.put("problems", problems == null ? List.of() : new ArrayList<>(problems));
        e.put("suggestions", suggestions == null ? List.of() : new ArrayList<>(suggestions));
        return list("error", e);
    }
}
