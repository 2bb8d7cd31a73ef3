#!/bin/bash
# Benchmark: one lab VM provisioned with the image OS 'lab-image', from `metal provision`
# start to the installed system's phone-home, by phase (the agent's stage reports in the
# journal):
#   agent      provision start -> the agent reported booted (BMC, firmware, iPXE, agent kernel, DHCP)
#   stream     booted -> image written (deploy description, disk found, fetch|sha256|unxz|write)
#   inject     image written -> configuration written into the root
#   kexec      configuration written -> kexec reported (kernel and initrd read, kexec -l)
#   phone      kexec -> the installed system phoned home (its kernel boots, DHCP, phone-home)
# Then the agent's write throughput (raw bytes written per second of its stream phase, as it
# reports it) against the host's own limit: dd of the same raw image to a file here, and
# xz -dc | dd (the same decompression the agent does).
# Usage: src/bench/image-deploy.sh [runs]   (after mvn package; needs qemu-system-x86,
# ipxe-qemu, e2fsprogs, fdisk, xz-utils, kexec-tools and the kernel and busybox-static .debs
# in $METAL_DEBS or ~/.cache/metal/debs, which ./test downloads)
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
metal="$here/target/metal/bin/metal"
[ -x "$metal" ] || { echo "build first: mvn -q package -DskipTests" >&2; exit 1; }
runs=${1:-1}
work=$(mktemp -d)
lab_pid=
cleanup() { [ -n "$lab_pid" ] && kill "$lab_pid" 2> /dev/null && wait "$lab_pid" 2> /dev/null; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
boot_port=$(free_port)
bmc_port=$(free_port)
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

"$metal" agent build --out "$work/agent" > /dev/null
"$metal" lab up --hosts 1 --vm 1 --agent "$work/agent" --dir "$work/lab" \
  --boot-server "http://127.0.0.1:$boot_port" --bmc-port "$bmc_port" > "$work/lab.out" 2>&1 &
lab_pid=$!
for _ in $(seq 1 1200); do grep -q '^ready' "$work/lab.out" && break; sleep 0.1; done
grep -q '^ready' "$work/lab.out" || { cat "$work/lab.out" >&2; exit 1; }
export METAL_STATE="$work/state.json"
"$metal" import "$work/lab/rack.csv" > /dev/null
"$metal" discover --leases "$work/lab/dnsmasq.leases" --port "$bmc_port" > /dev/null
"$metal" scrape --all > /dev/null
"$metal" match --all --profiles "$work/lab/profiles" > /dev/null
"$metal" site set "$work/lab/site.yaml" > /dev/null
host=lab-r1-n01
xz -dc "$work/lab/files/lab-image.raw.xz" > "$work/lab-image.raw"
raw_bytes=$(stat -c %s "$work/lab-image.raw")
echo "image deploy (TCG, $(nproc) cores): lab-image $((raw_bytes / 1048576)) MiB raw," \
  "$(( $(stat -c %s "$work/lab/files/lab-image.raw.xz") / 1048576 )) MiB xz; $runs run(s), phases in ms"
printf '%-4s %7s %7s %7s %7s %7s %8s %12s\n' run agent stream inject kexec phone total 'write MB/s'
for run in $(seq 1 "$runs"); do
  start=$(now_ms)
  "$metal" provision "$host" --os lab-image --no-ssh-keys --via redfish --listen "127.0.0.1:$boot_port" \
    --files "$work/lab/files" --timeout 300s --json > "$work/provision.json" || true
  "$metal" --json host history "$host" > "$work/history.json"
  read -r booted written injected kexec phoned seconds < <(python3 - "$work/history.json" <<'PY'
import json, sys, datetime, re
entries = json.load(open(sys.argv[1]))["events"]  # host history --json: {"events": [...]}
def ms(e): return int(datetime.datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp() * 1000)
last, seconds = {}, "0"
for e in entries:
    d = e.get("detail", {})
    reason = d.get("reason", "") or ""
    if e["event"] == "boot-stage" and d.get("stage") == "booted": last["booted"] = ms(e)
    if reason.startswith("image written"):
        last["written"] = ms(e)
        m = re.search(r"in ([0-9.]+) s", reason)
        seconds = m.group(1) if m else "0"
    if reason.startswith("configuration written"): last["injected"] = ms(e)
    if reason.startswith("kexec"): last["kexec"] = ms(e)
    if e["event"] == "phoned-home": last["phoned"] = ms(e)
print(*(last.get(k, 0) for k in ("booted", "written", "injected", "kexec", "phoned")), seconds)
PY
)
  mbps=$(awk -v b="$raw_bytes" -v s="$seconds" 'BEGIN { if (s > 0) printf "%.1f", b / s / 1e6; else print "-" }')
  printf '%-4s %7d %7d %7d %7d %7d %8d %12s\n' "$run" $((booted - start)) $((written - booted)) \
    $((injected - written)) $((kexec - injected)) $((phoned - kexec)) $((phoned - start)) "$mbps"
  if [ "$run" -lt "$runs" ]; then
    "$metal" host release "$host" --reason "benchmark run $((run + 1))" > /dev/null
  fi
done
# The host's limit: the same raw image written by dd, and decompressed and written as the agent does.
t0=$(now_ms); dd if="$work/lab-image.raw" of="$work/dd.out" bs=1M conv=fsync status=none; t1=$(now_ms)
xz -dc "$work/lab/files/lab-image.raw.xz" | dd of="$work/dd2.out" bs=1M conv=fsync status=none; t2=$(now_ms)
awk -v b="$raw_bytes" -v a="$((t1 - t0))" -v c="$((t2 - t1))" 'BEGIN {
  printf "host dd of the raw image:        %.1f MB/s (%d ms)\n", b / (a / 1000) / 1e6, a
  printf "host xz -dc | dd of the image:   %.1f MB/s (%d ms)\n", b / (c / 1000) / 1e6, c }'
