package dev.metal.agent;

import dev.metal.model.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The kernel modules the agent loads, picked from an unpacked kernel package: each module
 * asked for with the modules it depends on (read from the .modinfo section of the module,
 * as depmod does; a package carries no modules.dep), in an order that loads dependencies
 * first. A module the kernel has built in (modules.builtin) needs no file.
 */
final class KernelModules {
    /** Without these the agent finds no NIC or no disk on a VM or a common server. */
    static final List<String> REQUIRED = List.of("virtio_pci", "virtio_net", "virtio_blk", "nvme");
    /** Loaded when the kernel has them: other NICs, disks and filesystems. */
    static final List<String> OPTIONAL = List.of("virtio_scsi", "e1000", "e1000e", "igb", "ixgbe", "ahci", "sd_mod",
            "ext4", "vfat");

    /** A module to load: its name and its path under lib/modules/VERSION. */
    record Module(String name, String path) {}

    private final Path moduleDir;
    private final Map<String, Path> files = new HashMap<>();
    private final Set<String> builtin = new HashSet<>();

    /** @param moduleDir lib/modules/VERSION of an unpacked kernel package */
    KernelModules(Path moduleDir) throws IOException {
        this.moduleDir = moduleDir;
        try (Stream<Path> s = Files.walk(moduleDir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".ko")).toList()) {
                files.put(name(p.getFileName().toString()), p);
            }
        }
        Path list = moduleDir.resolve("modules.builtin");
        if (Files.exists(list)) {
            for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) builtin.add(name(line.substring(line.lastIndexOf('/') + 1)));
            }
        }
    }

    /** The modules to load for {@link #REQUIRED} and {@link #OPTIONAL}, dependencies first. */
    List<Module> pick() throws IOException {
        List<String> missing = new ArrayList<>();
        LinkedHashSet<String> order = new LinkedHashSet<>();
        for (String m : REQUIRED) {
            if (!files.containsKey(name(m)) && !builtin.contains(name(m))) missing.add(m);
            else add(name(m), order, new HashSet<>());
        }
        if (!missing.isEmpty()) {
            throw new BadInputException(moduleDir + ": the kernel has neither a module nor a built-in driver for "
                    + String.join(", ", missing));
        }
        for (String m : OPTIONAL) if (files.containsKey(name(m))) add(name(m), order, new HashSet<>());
        List<Module> out = new ArrayList<>();
        for (String m : order) out.add(new Module(m, moduleDir.relativize(files.get(m)).toString()));
        return out;
    }

    private void add(String module, LinkedHashSet<String> order, Set<String> visiting) throws IOException {
        if (order.contains(module) || builtin.contains(module) || !visiting.add(module)) return;
        Path file = files.get(module);
        if (file == null) throw new BadInputException(moduleDir + ": no module " + module + " (a dependency)");
        for (String dep : depends(file)) add(name(dep), order, visiting);
        order.add(module);
    }

    /** Module names compare with '-' and '_' alike, as the kernel does. */
    static String name(String fileOrModule) {
        String n = fileOrModule.endsWith(".ko") ? fileOrModule.substring(0, fileOrModule.length() - 3) : fileOrModule;
        return n.replace('-', '_');
    }

    /** The "depends=" entry of the module's .modinfo section (64-bit little-endian ELF). */
    static List<String> depends(Path ko) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(ko)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() < 64 || b.getInt(0) != 0x464c457f || b.get(4) != 2) {
            throw new BadInputException(ko + " is not a 64-bit ELF module");
        }
        long sectionTable = b.getLong(0x28);
        int entrySize = b.getShort(0x3a) & 0xffff;
        int count = b.getShort(0x3c) & 0xffff;
        int namesIndex = b.getShort(0x3e) & 0xffff;
        long namesOffset = b.getLong((int) (sectionTable + (long) namesIndex * entrySize) + 0x18);
        for (int i = 0; i < count; i++) {
            int h = (int) (sectionTable + (long) i * entrySize);
            String section = cString(b, (int) (namesOffset + b.getInt(h)));
            if (!section.equals(".modinfo")) continue;
            int offset = (int) b.getLong(h + 0x18);
            int size = (int) b.getLong(h + 0x20);
            for (String entry : new String(b.array(), offset, size, StandardCharsets.UTF_8).split("\0")) {
                if (entry.startsWith("depends=")) {
                    String list = entry.substring("depends=".length()).strip();
                    return list.isEmpty() ? List.of() : List.of(list.split(","));
                }
            }
            return List.of();
        }
        return List.of();
    }

    private static String cString(ByteBuffer b, int at) {
        int end = at;
        while (end < b.limit() && b.get(end) != 0) end++;
        return new String(b.array(), at, end - at, StandardCharsets.US_ASCII);
    }
}
