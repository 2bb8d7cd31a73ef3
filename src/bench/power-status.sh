#!/bin/sh
# Benchmark: 'metal power status' on one simulated BMC and on 50 in parallel, against
# ipmitool run sequentially over the same BMCs, in the same run. Needs openipmi,
# ipmitool and hyperfine (Debian packages), and 'mvn -o package -DskipTests' first.
# Usage: src/bench/power-status.sh [COUNT] [RUNS]     (defaults: 50 BMCs, 5 runs)
set -eu
cd "$(dirname "$0")/../.."
count=${1:-50}
runs=${2:-5}
metal=target/metal/bin/metal
[ -x "$metal" ] || { echo "build first: mvn -o package -DskipTests" >&2; exit 1; }
for tool in ipmi_sim ipmitool hyperfine; do
    command -v $tool >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
work=$(mktemp -d)
# The fleet stays up while its stdin (a fifo held open here) stays open.
mkfifo "$work/hold"
java -cp 'target/classes:target/test-classes:target/metal/lib/*' src/bench/IpmiFleet.java "$work" "$count" < "$work/hold" &
fleet=$!
exec 3>"$work/hold"
trap 'exec 3>&-; wait $fleet 2>/dev/null; rm -rf "$work"' EXIT
while [ ! -e "$work/ready" ]; do
    kill -0 $fleet 2>/dev/null || { echo "the simulators did not start" >&2; exit 1; }
    sleep 0.2
done
export METAL_STATE="$work/state.json"
$metal import "$work/rack.csv" >/dev/null
hosts=$(cut -d, -f1 "$work/rack.csv" | tail -n +2 | tr '\n' ' ')
first=$(head -1 "$work/ports")
cat > "$work/ipmitool-all.sh" <<SH
#!/bin/sh
for p in \$(cat "$work/ports"); do
    ipmitool -I lanplus -H 127.0.0.1 -p \$p -U admin -P secret -C 3 chassis power status >/dev/null
done
SH
chmod +x "$work/ipmitool-all.sh"
echo "== $count simulated BMCs (ipmi_sim) on 127.0.0.1, $(nproc) cores"
hyperfine --warmup 1 --runs "$runs" -N \
    -n "metal power status, 1 host" "$metal power status --via ipmi b00" \
    -n "ipmitool power status, 1 host" "ipmitool -I lanplus -H 127.0.0.1 -p $first -U admin -P secret -C 3 chassis power status" \
    -n "metal power status, $count hosts, --parallel $count" "$metal power status --via ipmi --parallel $count $hosts" \
    -n "ipmitool power status, $count hosts, one after another" "$work/ipmitool-all.sh"
# Without -C 3 ipmitool first asks for the cipher suites, which ipmi_sim never answers.
echo "== ipmitool without -C (waits for Get Channel Cipher Suites), 1 host, 1 run"
hyperfine --runs 1 -N "ipmitool -I lanplus -H 127.0.0.1 -p $first -U admin -P secret chassis power status"
