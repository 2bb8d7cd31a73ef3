package dev.metal.inventory;

import dev.metal.model.Inventory;
import dev.metal.model.Inventory.SystemInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/** What changed in a server between two scrapes: a DIMM gone, a drive replaced, a NIC moved. */
public final class InventoryDiff {
    /** One change: kind (dimm, drive, nic, cpu, gpu, pcie, system, bmc), what (added, removed, changed), where. */
    public record Change(String system, String kind, String change, String key, Object before, Object after) {}

    private InventoryDiff() {}

    public static List<Change> diff(Inventory before, Inventory after) {
        List<Change> out = new ArrayList<>();
        Map<String, SystemInfo> b = bySystem(before);
        Map<String, SystemInfo> a = bySystem(after);
        Set<String> ids = new LinkedHashSet<>(b.keySet());
        ids.addAll(a.keySet());
        for (String id : ids) {
            SystemInfo sb = b.get(id);
            SystemInfo sa = a.get(id);
            if (sb == null || sa == null) {
                out.add(new Change(id, "system", sb == null ? "added" : "removed", id, sb == null ? null : summary(sb),
                        sa == null ? null : summary(sa)));
                continue;
            }
            if (!summary(sb).equals(summary(sa))) out.add(new Change(id, "system", "changed", id, summary(sb), summary(sa)));
            compare(out, id, "cpu", sb.cpus(), sa.cpus(), Inventory.Cpu::socket);
            compare(out, id, "gpu", sb.gpus(), sa.gpus(), g -> g.slot() + "/" + g.model());
            // Empty slots are compared too: a DIMM that vanished leaves its slot empty.
            compare(out, id, "dimm", sb.dimms(), sa.dimms(), Inventory.Dimm::slot);
            compare(out, id, "drive", sb.drives(), sa.drives(), d -> d.bay() == null ? d.serial() : d.bay());
            compare(out, id, "nic", sb.nics(), sa.nics(), Inventory.Nic::mac);
            compare(out, id, "pcie", sb.pcieDevices(), sa.pcieDevices(), p -> p.slot() + "/" + p.model());
        }
        if (!Objects.equals(before.bmc(), after.bmc())) {
            out.add(new Change(null, "bmc", "changed", "bmc", before.bmc(), after.bmc()));
        }
        return out;
    }

    private static Map<String, SystemInfo> bySystem(Inventory inv) {
        Map<String, SystemInfo> m = new LinkedHashMap<>();
        int i = 0;
        for (SystemInfo s : inv.systems()) {
            m.put(s.id() == null ? "system" + i : s.id(), s);
            i++;
        }
        return m;
    }

    private static Map<String, Object> summary(SystemInfo s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("manufacturer", s.manufacturer());
        m.put("model", s.model());
        m.put("serial", s.serial());
        m.put("biosVersion", s.biosVersion());
        return m;
    }

    private static <T> void compare(List<Change> out, String sys, String kind, List<T> before, List<T> after,
                                    Function<T, String> key) {
        Map<String, T> b = index(before, key);
        Map<String, T> a = index(after, key);
        for (Map.Entry<String, T> e : b.entrySet()) {
            T now = a.get(e.getKey());
            if (now == null) out.add(new Change(sys, kind, "removed", e.getKey(), e.getValue(), null));
            else if (!now.equals(e.getValue())) out.add(new Change(sys, kind, "changed", e.getKey(), e.getValue(), now));
        }
        for (Map.Entry<String, T> e : a.entrySet()) {
            if (!b.containsKey(e.getKey())) out.add(new Change(sys, kind, "added", e.getKey(), null, e.getValue()));
        }
    }

    private static <T> Map<String, T> index(List<T> items, Function<T, String> key) {
        Map<String, T> m = new LinkedHashMap<>();
        for (T t : items) {
            String k = key.apply(t);
            String unique = k;
            for (int n = 2; m.containsKey(unique); n++) unique = k + "#" + n;
            m.put(unique, t);
        }
        return m;
    }
}
