#!/bin/sh
# Benchmark: 'metal onboard' of a whole lab, as a tech runs it at the rack.
# Brings up 'metal lab up --hosts N --latency MS --fault 3:missing-dimm' and times a first
# onboard (import, lease, scrape, match, reservations for every host) and a second one over
# the same rack (ready hosts left as they are, only the faulty one read again).
# Usage: src/bench/onboard.sh [HOSTS] [LATENCY-MS]     (defaults: 200 hosts, 100 ms)
# Needs 'mvn -o package -DskipTests' first.
set -eu
cd "$(dirname "$0")/../.."
hosts=${1:-200}
latency=${2:-100}
metal=target/metal/bin/metal
[ -x "$metal" ] || { echo "build first: mvn -o package -DskipTests" >&2; exit 1; }
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{printf "%.2f", $2 - $1}'; }

$metal lab up --hosts "$hosts" --latency "$latency" --fault 3:missing-dimm --dir "$work/lab" --bmc-port "$port" \
    > "$work/up.out" 2> "$work/up.err" &
launcher=$!
trap '$metal lab down --dir "$work/lab" >/dev/null 2>&1 || kill $launcher 2>/dev/null; rm -rf "$work"' EXIT
until grep -qx ready "$work/up.out" 2>/dev/null; do
    kill -0 $launcher 2>/dev/null || { cat "$work/up.err" >&2; echo "the lab did not start" >&2; exit 1; }
    sleep 0.1
done
echo "== onboard of a lab of $hosts servers, $latency ms per BMC request, $(nproc) cores"
export METAL_STATE="$work/state.json"
onboard() {
    $metal onboard "$work/lab/rack.csv" --leases "$work/lab/dnsmasq.leases" --port "$port" \
        --profiles "$work/lab/profiles" --site "$work/lab/site.yaml" --out "$work/dhcp" --quiet > "$work/report" \
        || [ $? -eq 3 ]
}
t=$(now); onboard; echo "first run:    $(secs $t $(now)) s   ($(grep -o '^[0-9]* ready, [0-9]* faulty' "$work/report"))"
t=$(now); onboard; echo "second run:   $(secs $t $(now)) s   ($(grep -o '^[0-9]* ready, [0-9]* faulty' "$work/report"))"
