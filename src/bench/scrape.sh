#!/bin/sh
# Scrape benchmarks (run on demand, not part of the test suite):
#   src/bench/scrape.sh lenovo     one lenovo-sr650-xcc with its recorded latencies: metal vs python3-sushy
#   src/bench/scrape.sh fleet 500  500 emulated BMCs, 250 ms per request, 2 concurrent requests each: one
#                               host alone vs scrape --all with the default options, on JDK 17 and Temurin 25
#                               (METAL_BENCH_JDKS="/usr/lib/jvm/..." to choose); wall times, ratio, peak
#                               threads and RSS of metal, CPU seconds of metal and of the emulated fleet
#   src/bench/scrape.sh fleet-parallel 500 [P...]  the same fleet at 100 ms, scrape --all at --parallel P
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
