#!/bin/bash
# Benchmark: one real VM provisioned with metal's agent, from `metal provision` start to its
# phone-home, split into phases from the boot server's journal and the VM's serial console:
#   power     provision start -> power command sent (the provision report's powerCommandMs)
#   firmware  power command -> iPXE script served (firmware, iPXE, DHCP; journal 'script')
#   load      script -> kernel started (kernel and initrd fetched; console 'Linux version')
#   kernel    kernel started -> /init running (kernel boot, initramfs unpacked; console 'Run /init')
#   agent     /init -> agent reported booted (modules, NIC, DHCP; journal 'booted')
#   phone     booted -> phoned home (config, steps, reports; journal 'phoned-home')
# Usage: src/bench/vm-boot.sh [bios|uefi] [runs]   (after mvn package; needs qemu-system-x86,
# ipxe-qemu, ovmf for uefi, and the kernel and busybox-static .debs in $METAL_DEBS or
# ~/.cache/metal/debs, which ./test downloads)
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
metal="$here/target/metal/bin/metal"
[ -x "$metal" ] || { echo "build first: mvn -q package -DskipTests" >&2; exit 1; }
firmware=${1:-bios}
runs=${2:-1}
uefi=(); [ "$firmware" = uefi ] && uefi=(--uefi)
work=$(mktemp -d)
lab_pid=
cleanup() { [ -n "$lab_pid" ] && kill "$lab_pid" 2> /dev/null && wait "$lab_pid" 2> /dev/null; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
boot_port=$(free_port)
bmc_port=$(free_port)
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
iso_ms() { date -d "$1" +%s%3N; }

"$metal" agent build --out "$work/agent" > /dev/null
"$metal" lab up --hosts 1 --vm 1 "${uefi[@]}" --agent "$work/agent" --dir "$work/lab" \
  --boot-server "http://127.0.0.1:$boot_port" --bmc-port "$bmc_port" > "$work/lab.out" 2>&1 &
lab_pid=$!
for _ in $(seq 1 300); do grep -q '^ready' "$work/lab.out" && break; sleep 0.1; done
grep -q '^ready' "$work/lab.out" || { cat "$work/lab.out" >&2; exit 1; }
export METAL_STATE="$work/state.json"
"$metal" import "$work/lab/rack.csv" > /dev/null
"$metal" discover --leases "$work/lab/dnsmasq.leases" --port "$bmc_port" > /dev/null
"$metal" scrape --all > /dev/null
"$metal" match --all --profiles "$work/lab/profiles" > /dev/null
"$metal" site set "$work/lab/site.yaml" > /dev/null
host=lab-r1-n01
console="$work/lab/vm-1/console.log"
echo "vm boot ($firmware, TCG, $(nproc) cores), $runs run(s): phases in ms"
printf '%-4s %7s %9s %6s %7s %6s %6s %7s\n' run power firmware load kernel agent phone total
for run in $(seq 1 "$runs"); do
  # Watch the console for the kernel's first line and /init, with wall-clock times.
  rm -f "$work/marks"
  ( linux= init=
    while [ -z "$init" ]; do
      if [ -z "$linux" ] && grep -aq 'Linux version' "$console" 2> /dev/null; then linux=$(now_ms); echo "linux $linux" >> "$work/marks"; fi
      if [ -n "$linux" ] && grep -aq 'Run /init' "$console" 2> /dev/null; then init=$(now_ms); echo "init $init" >> "$work/marks"; fi
      sleep 0.05
    done ) &
  watcher=$!
  start=$(now_ms)
  "$metal" provision "$host" --os agent --no-ssh-keys --listen "127.0.0.1:$boot_port" --files "$work/lab/files" \
    --timeout 300s --json > "$work/provision.json"
  kill "$watcher" 2> /dev/null || true
  power=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["slots"][0]["powerCommandMs"])' "$work/provision.json")
  "$metal" --json host history "$host" > "$work/history.json"
  read -r script booted phoned < <(python3 - "$work/history.json" <<'PY'
import json, sys, datetime
entries = json.load(open(sys.argv[1]))["events"]  # host history --json: {"events": [...]}
def ms(e): return int(datetime.datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp() * 1000)
last = {}
for e in entries:
    key = e["detail"].get("stage") if e["event"] == "boot-stage" else e["event"]
    last[key] = ms(e)
print(last.get("script", 0), last.get("booted", 0), last.get("phoned-home", 0))
PY
)
  linux=$(awk '$1 == "linux" {print $2}' "$work/marks" 2> /dev/null || echo 0)
  init=$(awk '$1 == "init" {print $2}' "$work/marks" 2> /dev/null || echo 0)
  powered=$((start + power))
  printf '%-4s %7d %9d %6d %7d %6d %6d %7d\n' "$run" "$power" $((script - powered)) $((linux - script)) \
    $((init - linux)) $((booted - init)) $((phoned - booted)) $((phoned - start))
  if [ "$run" -lt "$runs" ]; then
    "$metal" host release "$host" --reason "benchmark run $((run + 1))" > /dev/null
  fi
done
