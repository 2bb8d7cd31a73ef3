#!/usr/bin/python3
"""Walks one BMC's inventory with Debian's python3-sushy, the Redfish library OpenStack
Ironic uses: systems, processors, memory, storage and drives, simple storage, Ethernet
interfaces, chassis with network adapters (ports, device functions), PCIe devices and
managers. Sushy 4.x has no classes for Memory and PCIeDevices; those are read through
sushy's own connector (same session), so both sides read the same resources.

usage: sushy_walk.py URL USER PASSWORD   (prints counts as JSON)
"""
import json
import sys

import sushy


def raw_members(conn, path):
    out = []
    for m in conn.get(path).json().get("Members", []):
        out.append(conn.get(m["@odata.id"]).json())
    return out


def main():
    url, user, password = sys.argv[1:4]
    root = sushy.Sushy(url, username=user, password=password, verify=False)
    conn = root._conn
    found = {"systems": 0, "cpus": 0, "dimms": 0, "drives": 0, "nics": 0, "adapters": 0, "pcie": 0, "managers": 0}
    for system in root.get_system_collection().get_members():
        found["systems"] += 1
        _ = (system.manufacturer, system.serial_number, system.bios_version, system.power_state)
        found["cpus"] += len(system.processors.get_members())
        memory = system.json.get("Memory", {}).get("@odata.id")
        if memory:
            found["dimms"] += len(raw_members(conn, memory))
        if "Storage" in system.json:
            try:
                for storage in system.storage.get_members():
                    found["drives"] += len(storage.drives)
            except sushy.exceptions.MissingAttributeError:
                # sushy rejects some vendors' Storage (the XCC's StorageControllers lack MemberId):
                # read the same resources through its connector, as a script using sushy would have to.
                for storage in raw_members(conn, system.json["Storage"]["@odata.id"]):
                    for drive in storage.get("Drives", []):
                        conn.get(drive["@odata.id"]).json()
                        found["drives"] += 1
        else:
            for simple in system.simple_storage.get_members():
                found["drives"] += len(simple.devices)
        found["nics"] += len(system.ethernet_interfaces.get_members())
        pcie = system.json.get("PCIeDevices")
        if isinstance(pcie, list):
            for link in pcie:
                conn.get(link["@odata.id"]).json()
                found["pcie"] += 1
        elif isinstance(pcie, dict):
            found["pcie"] += len(raw_members(conn, pcie["@odata.id"]))
    for chassis in root.get_chassis_collection().get_members():
        _ = (chassis.model, chassis.serial_number)
        try:
            adapters = chassis.network_adapters.get_members()
        except sushy.exceptions.MissingAttributeError:
            adapters = []
        for adapter in adapters:
            found["adapters"] += 1
            for port in adapter.network_ports.get_members():
                _ = port.associated_network_addresses
            for function in adapter.network_device_functions.get_members():
                _ = function.ethernet
    for manager in root.get_manager_collection().get_members():
        found["managers"] += 1
        _ = manager.firmware_version
        eth = manager.json.get("EthernetInterfaces", {}).get("@odata.id")
        if eth:
            raw_members(conn, eth)
    # Sushy keeps its session until the object goes; end it the way Ironic does.
    try:
        conn._auth.close()
    except Exception:
        pass
    print(json.dumps(found))


if __name__ == "__main__":
    main()
