package dev.metal.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The Redfish resource tree of one lab server: a service root, one ComputerSystem with
 * processors, memory, storage and Ethernet interfaces, one chassis with network adapters
 * and PCIe devices, and the manager (the BMC). Serials and MACs are unique per server
 * number; faults change the tree the way the broken hardware would show.
 */
public final class LabHardware {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String ROOT = "/redfish/v1";
    static final String SYSTEM = ROOT + "/Systems/1";
    static final String CHASSIS = ROOT + "/Chassis/1";
    static final String MANAGER = ROOT + "/Managers/1";

    private final ServerModel model;
    private final int number;
    private final Set<Lab.FaultKind> faults;
    private final Map<String, ObjectNode> tree = new LinkedHashMap<>();
    /** A server that is a qemu VM: its boot disk reports qemu's NVMe model, as the VM's kernel sees it. */
    private boolean vm;

    /** The model qemu gives every NVMe disk; it cannot be changed. */
    public static final String QEMU_NVME_MODEL = "QEMU NVMe Ctrl";

    private LabHardware(ServerModel model, int number, Set<Lab.FaultKind> faults) {
        this.model = model;
        this.number = number;
        this.faults = faults;
    }

    /** The same tree for a server that is a qemu VM: the boot disk (bay 0) has qemu's NVMe model. */
    public static Map<String, ObjectNode> vmTree(ServerModel model, int number, Set<Lab.FaultKind> faults) {
        LabHardware h = new LabHardware(model, number, faults);
        h.vm = true;
        h.build();
        return h.tree;
    }

    /** Console lines a HostLogger answer holds at most, as a BMC pages a long log. */
    static final int HOST_LOGGER_PAGE = 100;

    /**
     * Gives the emulated BMC the host's serial console the way OpenBMC keeps it: a HostLogger
     * log service under the system, one LogEntry per console line, oldest first, in pages of
     * {@link #HOST_LOGGER_PAGE} ($skip and $top choose others).
     */
    public static void hostLogger(RedfishEmulator bmc, java.util.function.Supplier<List<String>> console) {
        String services = SYSTEM + "/LogServices";
        String service = services + "/HostLogger";
        String entries = service + "/Entries";
        bmc.update(SYSTEM, system -> system.putObject("LogServices").put("@odata.id", services));
        ObjectNode collection = JSON.createObjectNode();
        collection.put("@odata.id", services);
        collection.put("@odata.type", "#LogServiceCollection.LogServiceCollection");
        collection.put("Name", "System Log Services Collection");
        collection.putArray("Members").addObject().put("@odata.id", service);
        collection.put("Members@odata.count", 1);
        bmc.put(services, collection);
        ObjectNode logger = JSON.createObjectNode();
        logger.put("@odata.id", service);
        logger.put("@odata.type", "#LogService.v1_2_0.LogService");
        logger.put("Id", "HostLogger");
        logger.put("Name", "Host Logger Service");
        logger.putObject("Entries").put("@odata.id", entries);
        bmc.put(service, logger);
        bmc.live(entries, query -> {
            List<String> lines = console.get();
            int skip = queryInt(query, "$skip", 0);
            int top = queryInt(query, "$top", HOST_LOGGER_PAGE);
            ObjectNode page = JSON.createObjectNode();
            page.put("@odata.id", entries);
            page.put("@odata.type", "#LogEntryCollection.LogEntryCollection");
            page.put("Name", "HostLogger Entries");
            ArrayNode members = page.putArray("Members");
            for (int i = skip; i < Math.min(lines.size(), skip + top); i++) {
                ObjectNode e = members.addObject();
                e.put("@odata.id", entries + "/" + (i + 1));
                e.put("@odata.type", "#LogEntry.v1_4_0.LogEntry");
                e.put("Id", String.valueOf(i + 1));
                e.put("EntryType", "Oem");
                e.put("OemRecordFormat", "Host Logger Entry");
                e.put("Message", lines.get(i));
            }
            page.put("Members@odata.count", lines.size());
            if (skip + top < lines.size()) {
                page.put("Members@odata.nextLink", entries + "?$skip=" + (skip + top) + "&$top=" + top);
            }
            return page;
        });
    }

    private static int queryInt(String query, String name, int otherwise) {
        String value = RedfishEmulator.queryParameter(query, name);
        try {
            return value == null ? otherwise : Math.max(0, Integer.parseInt(value));
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** The serial number the inventory reports for drive {@code index} of lab server {@code number}. */
    public static String driveSerial(ServerModel model, int number, int index) {
        return String.format("%s%07d%02d", model.drives().get(index).protocol().equals("NVMe") ? "S6" : "ZA", number, index);
    }

    /**
     * The tree for lab server {@code number} (1-based), keyed by URI. Of the faults, those that
     * show in the hardware (missing-dimm, nic-wrong-slot, dead-disk) change it.
     */
    public static Map<String, ObjectNode> tree(ServerModel model, int number, Set<Lab.FaultKind> faults) {
        LabHardware h = new LabHardware(model, number, faults);
        h.build();
        return h.tree;
    }

    /** The MAC of the BMC port of lab server {@code number}. */
    public static String bmcMac(int number) {
        return mac(0x01, number, 0);
    }

    /** The MAC of the first onboard port, the one that PXE boots. */
    public static String mgmtMac(int number) {
        return mac(0x10, number, 0);
    }

    /** Locally administered MACs: 02:6d:KK:NN:NN:PP (kind, server number, port). */
    static String mac(int kind, int number, int port) {
        return String.format("02:6d:%02x:%02x:%02x:%02x", kind, (number >> 8) & 0xff, number & 0xff, port);
    }

    public static String serial(ServerModel model, int number) {
        return String.format("ML%s%06d", model.name().contains("storage") ? "S" : "C", number);
    }

    private void build() {
        UUID uuid = UUID.nameUUIDFromBytes(("metal-lab-" + number).getBytes());
        ObjectNode root = resource(ROOT, "#ServiceRoot.v1_15_0.ServiceRoot", "RootService", "Root Service");
        root.put("RedfishVersion", "1.15.0");
        root.put("UUID", uuid.toString());
        root.set("Systems", link(ROOT + "/Systems"));
        root.set("Chassis", link(ROOT + "/Chassis"));
        root.set("Managers", link(ROOT + "/Managers"));
        root.set("SessionService", link(ROOT + "/SessionService"));
        root.putObject("Links").set("Sessions", link(ROOT + "/SessionService/Sessions"));
        ObjectNode expand = root.putObject("ProtocolFeaturesSupported").putObject("ExpandQuery");
        expand.put("ExpandAll", true).put("Levels", true).put("Links", true).put("NoLinks", true).put("MaxLevels", 3);

        ObjectNode sessionService = resource(ROOT + "/SessionService", "#SessionService.v1_1_8.SessionService",
                "SessionService", "Session Service");
        sessionService.put("ServiceEnabled", true);
        sessionService.set("Sessions", link(ROOT + "/SessionService/Sessions"));
        collection(ROOT + "/SessionService/Sessions", "#SessionCollection.SessionCollection", List.of());

        collection(ROOT + "/Systems", "#ComputerSystemCollection.ComputerSystemCollection", List.of(SYSTEM));
        collection(ROOT + "/Chassis", "#ChassisCollection.ChassisCollection", List.of(CHASSIS));
        collection(ROOT + "/Managers", "#ManagerCollection.ManagerCollection", List.of(MANAGER));

        system(uuid);
        processors();
        memory();
        storage();
        networkAdapters();
        chassis();
        manager();
    }

    private void system(UUID uuid) {
        ObjectNode s = resource(SYSTEM, "#ComputerSystem.v1_20_0.ComputerSystem", "1", "System");
        s.put("SystemType", "Physical");
        s.put("Manufacturer", model.manufacturer());
        s.put("Model", model.model());
        s.put("SerialNumber", serial(model, number));
        s.put("SKU", model.name().toUpperCase());
        s.put("UUID", uuid.toString());
        s.put("BiosVersion", model.biosVersion());
        s.put("PowerState", "Off");
        status(s, "Enabled", "OK");
        ObjectNode boot = s.putObject("Boot");
        boot.put("BootSourceOverrideEnabled", "Disabled");
        boot.put("BootSourceOverrideTarget", "None");
        boot.put("BootSourceOverrideMode", "UEFI");
        boot.putArray("BootSourceOverrideTarget@Redfish.AllowableValues")
                .add("None").add("Pxe").add("Hdd").add("Cd").add("BiosSetup");
        ObjectNode reset = s.putObject("Actions").putObject("#ComputerSystem.Reset");
        reset.put("target", SYSTEM + "/Actions/ComputerSystem.Reset");
        reset.putArray("ResetType@Redfish.AllowableValues")
                .add("On").add("ForceOff").add("GracefulShutdown").add("GracefulRestart").add("ForceRestart")
                .add("PowerCycle");
        ObjectNode cpuSummary = s.putObject("ProcessorSummary");
        cpuSummary.put("Count", model.sockets());
        cpuSummary.put("Model", model.cpu().model());
        s.putObject("MemorySummary").put("TotalSystemMemoryGiB", installedDimms().size() * model.dimm().sizeMiB() / 1024);
        s.set("Processors", link(SYSTEM + "/Processors"));
        s.set("Memory", link(SYSTEM + "/Memory"));
        s.set("Storage", link(SYSTEM + "/Storage"));
        s.set("EthernetInterfaces", link(SYSTEM + "/EthernetInterfaces"));
        ObjectNode links = s.putObject("Links");
        links.putArray("Chassis").add(link(CHASSIS));
        links.putArray("ManagedBy").add(link(MANAGER));
    }

    private void processors() {
        List<String> members = new ArrayList<>();
        for (int socket = 1; socket <= model.sockets(); socket++) {
            String uri = SYSTEM + "/Processors/CPU" + socket;
            members.add(uri);
            ObjectNode p = resource(uri, "#Processor.v1_18_0.Processor", "CPU" + socket, "Processor " + socket);
            p.put("Socket", "CPU " + socket);
            p.put("ProcessorType", "CPU");
            p.put("ProcessorArchitecture", "x86");
            p.put("InstructionSet", "x86-64");
            p.put("Manufacturer", model.cpu().manufacturer());
            p.put("Model", model.cpu().model());
            p.put("TotalCores", model.cpu().cores());
            p.put("TotalThreads", model.cpu().threads());
            status(p, "Enabled", "OK");
        }
        collection(SYSTEM + "/Processors", "#ProcessorCollection.ProcessorCollection", members);
    }

    /** The slots that hold a DIMM: all of them, but one when a DIMM is missing. */
    private List<String> installedDimms() {
        List<String> slots = new ArrayList<>(model.dimmSlots());
        if (faults.contains(Lab.FaultKind.MISSING_DIMM)) slots.remove(slots.size() - 1);
        return slots;
    }

    private void memory() {
        List<String> members = new ArrayList<>();
        List<String> installed = installedDimms();
        for (String slot : model.dimmSlots()) {
            String uri = SYSTEM + "/Memory/DIMM_" + slot;
            members.add(uri);
            ObjectNode d = resource(uri, "#Memory.v1_17_0.Memory", "DIMM_" + slot, "DIMM " + slot);
            d.put("DeviceLocator", slot);
            d.putObject("Location").putObject("PartLocation").put("ServiceLabel", "DIMM " + slot)
                    .put("LocationType", "Slot");
            if (!installed.contains(slot)) {
                status(d, "Absent", null);
                continue;
            }
            d.put("MemoryType", "DRAM");
            d.put("MemoryDeviceType", model.dimm().type());
            d.put("CapacityMiB", model.dimm().sizeMiB());
            d.put("OperatingSpeedMhz", model.dimm().speedMhz());
            d.put("Manufacturer", model.dimm().manufacturer());
            d.put("PartNumber", model.dimm().partNumber());
            d.put("SerialNumber", String.format("%08X", number * 64 + members.size()));
            status(d, "Enabled", "OK");
        }
        collection(SYSTEM + "/Memory", "#MemoryCollection.MemoryCollection", members);
    }

    private void storage() {
        String storage = SYSTEM + "/Storage/1";
        collection(SYSTEM + "/Storage", "#StorageCollection.StorageCollection", List.of(storage));
        ObjectNode s = resource(storage, "#Storage.v1_15_0.Storage", "1", "Storage Controller");
        status(s, "Enabled", "OK");
        ArrayNode driveLinks = s.putArray("Drives");
        List<ServerModel.Drive> drives = model.drives();
        for (int i = 0; i < drives.size(); i++) {
            ServerModel.Drive drive = drives.get(i);
            boolean dead = faults.contains(Lab.FaultKind.DEAD_DISK) && i == 0;
            String uri = storage + "/Drives/Bay" + drive.bay();
            driveLinks.add(link(uri));
            ObjectNode d = resource(uri, "#Drive.v1_17_0.Drive", "Bay" + drive.bay(), drive.media() + " in bay " + drive.bay());
            d.put("Model", vm && i == 0 ? QEMU_NVME_MODEL : drive.model());
            d.put("SerialNumber", driveSerial(model, number, i));
            d.put("CapacityBytes", drive.capacityBytes());
            d.put("Protocol", drive.protocol());
            d.put("MediaType", drive.media());
            ObjectNode location = d.putObject("PhysicalLocation").putObject("PartLocation");
            location.put("LocationType", "Bay").put("LocationOrdinalValue", drive.bay())
                    .put("ServiceLabel", "Bay " + drive.bay());
            // A dead drive is still in its bay, but the BMC reports it failed and without capacity.
            if (dead) {
                d.remove("CapacityBytes");
                status(d, "UnavailableOffline", "Critical");
            } else {
                status(d, "Enabled", "OK");
            }
        }
    }

    /** The PCIe slot an adapter sits in; a misplaced 25G/10G card sits two slots further. */
    private int slotOf(ServerModel.Adapter adapter) {
        boolean misplaced = faults.contains(Lab.FaultKind.NIC_WRONG_SLOT) && adapter.slot() > 0;
        return misplaced ? adapter.slot() + 2 : adapter.slot();
    }

    private void networkAdapters() {
        List<String> adapters = new ArrayList<>();
        List<String> interfaces = new ArrayList<>();
        List<String> pcie = new ArrayList<>();
        for (ServerModel.Adapter adapter : model.adapters()) {
            int slot = slotOf(adapter);
            String id = slot == 0 ? "LOM" : "Slot" + slot;
            String uri = CHASSIS + "/NetworkAdapters/" + id;
            adapters.add(uri);
            ObjectNode a = resource(uri, "#NetworkAdapter.v1_9_0.NetworkAdapter", id,
                    slot == 0 ? "Onboard LAN" : "PCIe Slot " + slot + " adapter");
            a.put("Manufacturer", adapter.manufacturer());
            a.put("Model", adapter.model());
            a.put("SerialNumber", String.format("NA%06d%d", number, slot));
            ObjectNode location = a.putObject("Location").putObject("PartLocation");
            location.put("LocationType", slot == 0 ? "Embedded" : "Slot");
            location.put("LocationOrdinalValue", slot);
            location.put("ServiceLabel", slot == 0 ? "LOM" : "PCIe Slot " + slot);
            status(a, "Enabled", "OK");
            a.set("Ports", link(uri + "/Ports"));
            a.set("NetworkDeviceFunctions", link(uri + "/NetworkDeviceFunctions"));
            List<String> ports = new ArrayList<>();
            List<String> functions = new ArrayList<>();
            for (int port = 1; port <= adapter.ports(); port++) {
                String mac = mac(0x10 + slot, number, port - 1);
                String portUri = uri + "/Ports/" + port;
                ports.add(portUri);
                ObjectNode p = resource(portUri, "#Port.v1_9_0.Port", String.valueOf(port), "Port " + port);
                p.put("PortId", String.valueOf(port));
                p.put("CurrentSpeedGbps", adapter.speedMbps() / 1000.0);
                p.put("LinkStatus", "LinkUp");
                p.putObject("Ethernet").putArray("AssociatedMACAddresses").add(mac);
                String functionUri = uri + "/NetworkDeviceFunctions/" + port;
                functions.add(functionUri);
                ObjectNode f = resource(functionUri, "#NetworkDeviceFunction.v1_9_0.NetworkDeviceFunction",
                        String.valueOf(port), "Function " + port);
                f.putObject("Ethernet").put("MACAddress", mac);
                f.putArray("NetDevFuncCapabilities").add("Ethernet");
                f.putObject("Links").set("PhysicalPortAssignment", link(portUri));

                String nicId = (slot == 0 ? "NIC.Embedded." : "NIC.Slot." + slot + ".") + port;
                String nicUri = SYSTEM + "/EthernetInterfaces/" + nicId;
                interfaces.add(nicUri);
                ObjectNode e = resource(nicUri, "#EthernetInterface.v1_10_0.EthernetInterface", nicId,
                        (slot == 0 ? "Onboard" : "Slot " + slot) + " port " + port);
                e.put("MACAddress", mac);
                e.put("PermanentMACAddress", mac);
                e.put("SpeedMbps", adapter.speedMbps());
                e.put("LinkStatus", "LinkUp");
                status(e, "Enabled", "OK");
            }
            collection(uri + "/Ports", "#PortCollection.PortCollection", ports);
            collection(uri + "/NetworkDeviceFunctions",
                    "#NetworkDeviceFunctionCollection.NetworkDeviceFunctionCollection", functions);
            if (slot > 0) {
                String deviceUri = CHASSIS + "/PCIeDevices/" + id;
                pcie.add(deviceUri);
                ObjectNode d = resource(deviceUri, "#PCIeDevice.v1_11_0.PCIeDevice", id, adapter.model());
                d.put("Manufacturer", adapter.manufacturer());
                d.put("Model", adapter.model());
                d.put("DeviceType", "SingleFunction");
                d.putObject("Slot").put("SlotType", "FullLength").putObject("Location").putObject("PartLocation")
                        .put("LocationType", "Slot").put("LocationOrdinalValue", slot)
                        .put("ServiceLabel", "PCIe Slot " + slot);
                status(d, "Enabled", "OK");
            }
        }
        collection(CHASSIS + "/NetworkAdapters", "#NetworkAdapterCollection.NetworkAdapterCollection", adapters);
        collection(SYSTEM + "/EthernetInterfaces", "#EthernetInterfaceCollection.EthernetInterfaceCollection",
                interfaces);
        collection(CHASSIS + "/PCIeDevices", "#PCIeDeviceCollection.PCIeDeviceCollection", pcie);
    }

    private void chassis() {
        ObjectNode c = resource(CHASSIS, "#Chassis.v1_23_0.Chassis", "1", "Chassis");
        c.put("ChassisType", "RackMount");
        c.put("Manufacturer", model.manufacturer());
        c.put("Model", model.model());
        c.put("SerialNumber", serial(model, number));
        c.put("PowerState", "Off");
        status(c, "Enabled", "OK");
        c.set("NetworkAdapters", link(CHASSIS + "/NetworkAdapters"));
        c.set("PCIeDevices", link(CHASSIS + "/PCIeDevices"));
        ObjectNode links = c.putObject("Links");
        links.putArray("ComputerSystems").add(link(SYSTEM));
        links.putArray("ManagedBy").add(link(MANAGER));
    }

    private void manager() {
        ObjectNode m = resource(MANAGER, "#Manager.v1_19_0.Manager", "1", "BMC");
        m.put("ManagerType", "BMC");
        m.put("Model", "Metal Lab BMC");
        m.put("FirmwareVersion", model.bmcFirmware());
        status(m, "Enabled", "OK");
        m.set("EthernetInterfaces", link(MANAGER + "/EthernetInterfaces"));
        String nic = MANAGER + "/EthernetInterfaces/eth0";
        collection(MANAGER + "/EthernetInterfaces", "#EthernetInterfaceCollection.EthernetInterfaceCollection",
                List.of(nic));
        ObjectNode e = resource(nic, "#EthernetInterface.v1_10_0.EthernetInterface", "eth0", "BMC port");
        e.put("MACAddress", bmcMac(number));
        e.put("PermanentMACAddress", bmcMac(number));
        e.put("SpeedMbps", 1000);
        status(e, "Enabled", "OK");
    }

    private ObjectNode resource(String uri, String type, String id, String name) {
        ObjectNode node = JSON.createObjectNode();
        node.put("@odata.id", uri);
        node.put("@odata.type", type);
        node.put("Id", id);
        node.put("Name", name);
        tree.put(uri, node);
        return node;
    }

    private void collection(String uri, String type, List<String> members) {
        String name = uri.substring(uri.lastIndexOf('/') + 1);
        ObjectNode c = resource(uri, type, name, name + " Collection");
        c.remove("Id");
        ArrayNode array = c.putArray("Members");
        for (String m : members) array.add(link(m));
        c.put("Members@odata.count", members.size());
    }

    private static ObjectNode link(String uri) {
        ObjectNode node = JSON.createObjectNode();
        node.put("@odata.id", uri);
        return node;
    }

    private static void status(ObjectNode node, String state, String health) {
        ObjectNode status = node.putObject("Status");
        status.put("State", state);
        if (health != null) status.put("Health", health);
    }
}
