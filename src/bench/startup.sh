#!/usr/bin/env bash
# Benchmark: how fast metal starts, as scripts run it. Median wall time (hyperfine) of
#   metal --version;  metal host list (1,000-host state);  metal render ipxe HOST
# next to DMTF's redfishtool (Debian package redfishtool) printing its version, in the same run.
# Run from the project root after 'mvn -q package -DskipTests'. Usage: src/bench/startup.sh [RUNS]
# JAVA_HOME picks the JDK (e.g. JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 for the AOT cache).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-20}"
command -v hyperfine > /dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
command -v redfishtool > /dev/null || { echo "needs redfishtool (apt-get install redfishtool)" >&2; exit 1; }
# Benchmarks build on the test classes (lab helpers, fleets) as the tests do.
[ -d target/test-classes ] || mvn -q -o test-compile
cp="target/classes:target/test-classes:$(ls target/metal/lib/*.jar | tr '\n' ':')"
mkdir -p target/bench
javac -d target/bench -cp "$cp" src/bench/java/dev/metal/bench/RenderBench.java
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
java -cp "target/bench:$cp" dev.metal.bench.RenderBench 1000 "$work/state.json" > /dev/null
metal="$PWD/target/metal/bin/metal"
export METAL_STATE="$work/state.json"
"$metal" site set "$work/bench-site.yaml" > /dev/null
host=$("$metal" --json host list | sed -n 's/.*"hostname" : "\([^"]*\)".*/\1/p' | sed -n 1p)
# First runs make the class archive for this JDK if the build did not.
"$metal" --version > /dev/null; sleep 5; "$metal" --version > /dev/null
echo "java: $("${JAVA_HOME:-/usr}/bin/java" -version 2>&1 | sed -n 1p); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N -w 3 -r "$runs" --export-json "$work/times.json" \
  -n "metal --version" "$metal --version" \
  -n "metal host list (1,000 hosts)" "$metal host list" \
  -n "metal render ipxe $host" "$metal render ipxe $host" \
  -n "redfishtool -V" "redfishtool -V" > /dev/null
python3 - "$work/times.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
peer = next(r for r in results if r["command"].startswith("redfishtool"))["median"]
print(f"{'command':34} {'median':>9} {'vs redfishtool':>15}")
for r in results:
    print(f"{r['command']:34} {r['median'] * 1000:7.0f} ms {r['median'] / peer:14.2f}x")
PY
