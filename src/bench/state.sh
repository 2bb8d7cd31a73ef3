#!/bin/sh
# Benchmark: per-host state work at 10,000 inventoried hosts against 20, on the JSON file
# engine of earlier releases, SQLite and PostgreSQL (a throwaway server, as the tests start
# one: needs Debian's postgresql), in-process through the real command line.
# Prints each figure, the 10,000/20 ratio and the target of issue 16.
# Usage: src/bench/state.sh [HOSTS]   (run anywhere; builds the project if needed)
set -e
cd "$(dirname "$0")/../.."
[ -d target/test-classes ] && [ -d target/metal/lib ] || mvn -q -o package -DskipTests
cp="target/classes:target/test-classes:$(ls target/metal/lib/*.jar | tr '\n' ':')"
out=target/bench-classes
mkdir -p "$out"
javac -d "$out" -cp "$cp" src/bench/java/dev/metal/bench/StateBench.java
exec java -Xmx2g -cp "$out:$cp" dev.metal.bench.StateBench "$@"
