#!/usr/bin/env bash
# Benchmark: render every kind for a generated fleet (default 10,000 hosts).
#   1. in-process: the render core (allocation + all kinds), two rounds (cold, warm JVM);
#   2. the real CLI: 'metal render KIND --all --out DIR' on a state file holding the fleet.
# Run from the project root after 'mvn -q -o package -DskipTests'. Usage: src/bench/render.sh [HOSTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
hosts="${1:-10000}"
# Benchmarks build on the test classes (lab helpers, fleets) as the tests do.
[ -d target/test-classes ] || mvn -q -o test-compile
cp="target/classes:target/test-classes:$(ls target/metal/lib/*.jar | tr '\n' ':')"
mkdir -p target/bench
javac -d target/bench -cp "$cp" src/bench/java/dev/metal/bench/RenderBench.java
echo "== in-process render core"
java -cp "target/bench:$cp" dev.metal.bench.RenderBench "$hosts"

# BENCH_TMP=/dev/shm separates the render cost from the disk's cost per file.
work="$(mktemp -d "${BENCH_TMP:-/tmp}/metal-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
java -cp "target/bench:$cp" dev.metal.bench.RenderBench "$hosts" "$work/state.json"
metal=target/metal/bin/metal
export METAL_STATE="$work/state.json"
t() { local s e; s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N); echo "$s $e" | awk '{printf "%.2f", $2-$1}'; }
echo "== CLI, $hosts hosts, files in $work (JVM start and state load included)"
printf '  %-28s %6ss\n' "site set (allocates all)" "$(t $metal site set "$work/bench-site.yaml")"
total=0
for kind in preseed ipxe networkd cloud-init dhcp frr; do
  secs=$(t $metal render "$kind" --all --out "$work/out/$kind")
  total=$(echo "$total $secs" | awk '{print $1+$2}')
  printf '  %-28s %6ss  (%s files)\n' "render $kind --all --out" "$secs" "$(find "$work/out/$kind" -type f | wc -l)"
done
printf '  %-28s %6ss\n' "all kinds" "$total"
