#!/bin/sh
# Scrape benchmarks (run on demand, not part of the test suite):
#   src/bench/scrape.sh lenovo     one lenovo-sr650-xcc with its recorded latencies: metal vs python3-sushy
#   src/bench/scrape.sh fleet 500 [P...]  500 emulated BMCs, 100 ms per request, 2 concurrent requests each,
#                               scrape --all at --parallel P (default: 500, then 32)
#   src/bench/scrape.sh serve-fleet 500   the same fleet, imported into a state file, served until killed
#                               (for profiling metal by hand; prints the state file's path)
set -e
cd "$(dirname "$0")/../.."
[ -x target/metal/bin/metal ] || mvn -q -o package -DskipTests
# Benchmarks build on the test classes (lab helpers, fleets) as the tests do.
[ -d target/test-classes ] || mvn -q -o test-compile
cp="target/classes:target/test-classes:$(ls target/metal/lib/*.jar | tr '\n' ':')"
mkdir -p target/bench
javac -d target/bench -cp "$cp" src/bench/java/dev/metal/bench/ScrapeBench.java
exec java -Xss512k -Dmetal.basedir="$PWD" -cp "target/bench:$cp" dev.metal.bench.ScrapeBench "${@:-lenovo}"
