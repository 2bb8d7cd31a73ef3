#!/bin/sh
# Scrape benchmarks (run on demand, not part of the test suite):
#   src/bench/run.sh lenovo     one lenovo-sr650-xcc with its recorded latencies: metal vs python3-sushy
#   src/bench/run.sh fleet 500  500 emulated BMCs, 100 ms per request, 2 concurrent requests each
set -e
cd "$(dirname "$0")/../.."
[ -x target/metal/bin/metal ] || mvn -q -o package -DskipTests
cp="target/classes:$(ls target/metal/lib/*.jar | tr '\n' ':')"
mkdir -p target/bench
javac -q -d target/bench -cp "$cp" src/bench/java/dev/metal/bench/*.java 2>/dev/null || javac -d target/bench -cp "$cp" src/bench/java/dev/metal/bench/*.java
exec java -Xss512k -Dmetal.basedir="$PWD" -cp "target/bench:$cp" dev.metal.bench.ScrapeBench "${1:-lenovo}" ${2:+"$2"}
