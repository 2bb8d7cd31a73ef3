#!/bin/sh
# Benchmark: `metal import` of a 10,000-row rack CSV into a fresh state file, wall time
# including JVM start, as a user runs it. Prints each run and the median.
# Usage: src/bench/import.sh [runs]   (after mvn package)
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
metal="$here/target/metal/bin/metal"
[ -x "$metal" ] || { echo "build first: mvn -q package -DskipTests" >&2; exit 1; }
runs=${1:-7}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
csv="$work/rack.csv"
{
  echo "hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,mgmt_mac,serial,tags"
  awk 'BEGIN { for (i = 0; i < 10000; i++) {
      printf "node%05d,rack%03d,%d,02:00:00:%02x:%02x:01,10.%d.%d.%d,admin,env:BMC_PW,02:00:00:%02x:%02x:02,SN%07d,batch%d\n",
        i, int(i / 40), 1 + i % 40, int(i / 256), i % 256, 10 + int(i / 65536), int(i / 256) % 256, i % 256,
        int(i / 256), i % 256, i, i % 4 } }'
} > "$csv"
echo "import of $(($(wc -l < "$csv") - 1)) rows, $runs runs, java: $(java -version 2>&1 | head -1)"
times=""
n=0
while [ $n -lt "$runs" ]; do
  rm -f "$work"/state.json*
  start=$(date +%s%N)
  "$metal" --state "$work/state.json" import "$csv" > /dev/null
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  echo "run $((n + 1)): ${ms} ms"
  times="$times $ms"
  n=$((n + 1))
done
echo "$times" | tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { printf "median: %d ms (min %d, max %d)\n", a[int((NR + 1) / 2)], a[1], a[NR] }'
hosts=$("$metal" --state "$work/state.json" host list --json | grep -c '"hostname"')
echo "hosts in state after the last run: $hosts"
