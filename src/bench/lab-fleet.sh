#!/bin/sh
# Benchmark: a lab of many emulated servers in one process, and the fleet commands against it.
# Brings up 'metal lab up --hosts N --latency MS', reports the time to 'ready' and the lab
# process's threads and memory (idle, and at their peak while 'metal scrape --all' runs),
# then times import, discover and scrape of the whole fleet, and stops the lab.
# Usage: src/bench/lab-fleet.sh [HOSTS] [LATENCY-MS]     (defaults: 500 hosts, 100 ms)
# Needs 'mvn -o package -DskipTests' first. redfishtool (Debian package), when present,
# reads one lab BMC as a check that a client other than metal's works against it.
set -eu
cd "$(dirname "$0")/../.."
hosts=${1:-500}
latency=${2:-100}
metal=target/metal/bin/metal
[ -x "$metal" ] || { echo "build first: mvn -o package -DskipTests" >&2; exit 1; }
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{printf "%.2f", $2 - $1}'; }
mem() { awk '/^Threads/ {t=$2} /^VmRSS/ {r=$2} END {printf "%d threads, %d MiB RSS", t, r/1024}' /proc/$1/status; }

t0=$(now)
$metal lab up --hosts "$hosts" --latency "$latency" --dir "$work/lab" --bmc-port "$port" > "$work/up.out" 2> "$work/up.err" &
launcher=$!
trap '$metal lab down --dir "$work/lab" >/dev/null 2>&1 || kill $launcher 2>/dev/null; rm -rf "$work"' EXIT
until grep -qx ready "$work/up.out" 2>/dev/null; do
    kill -0 $launcher 2>/dev/null || { cat "$work/up.err" >&2; echo "the lab did not start" >&2; exit 1; }
    sleep 0.1
done
t1=$(now)
pid=$(cat "$work/lab/lab.pid")
echo "== lab of $hosts servers, $latency ms per BMC request, $(nproc) cores"
echo "lab up to ready:            $(secs $t0 $t1) s   ($(mem $pid) idle)"

export METAL_STATE="$work/state.json"
t=$(now); $metal import "$work/lab/rack.csv" > /dev/null; echo "import:                     $(secs $t $(now)) s"
t=$(now); $metal discover --leases "$work/lab/dnsmasq.leases" --port "$port" > /dev/null
echo "discover:                   $(secs $t $(now)) s"

# Sample the lab's threads and memory while the scrape runs; keep the peak.
( peak_t=0; peak_r=0
  while [ ! -e "$work/scraped" ]; do
      set -- $(awk '/^Threads/ {t=$2} /^VmRSS/ {r=$2} END {print t, r}' /proc/$pid/status)
      [ "$1" -gt "$peak_t" ] && peak_t=$1
      [ "$2" -gt "$peak_r" ] && peak_r=$2
      sleep 0.2
  done
  echo "$peak_t $peak_r" > "$work/peak" ) &
sampler=$!
t=$(now); rc=0; $metal scrape --all > "$work/scrape.out" || rc=$?
t2=$(now); touch "$work/scraped"; wait $sampler
echo "scrape --all:               $(secs $t $t2) s   (exit $rc; $(tail -1 "$work/scrape.out"))"
read peak_t peak_r < "$work/peak"
echo "lab during scrape (peak):   $peak_t threads, $((peak_r / 1024)) MiB RSS"

if command -v redfishtool > /dev/null; then
    t=$(now)
    redfishtool -r "127.77.1.1:$port" -S Always -u admin -p "$(cat "$work/lab/bmc-password")" Systems get > /dev/null
    echo "redfishtool Systems get, 1 BMC: $(secs $t $(now)) s"
fi
t=$(now); $metal lab down --dir "$work/lab" > /dev/null; echo "lab down:                   $(secs $t $(now)) s"
