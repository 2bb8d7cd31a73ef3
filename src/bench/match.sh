#!/bin/sh
# Benchmark: matching 10,000 inventoried hosts against 20 profiles, in-process.
# Usage: src/bench/match.sh [HOSTS]   (run anywhere; builds the project if needed)
set -e
cd "$(dirname "$0")/../.."
[ -d target/test-classes ] && [ -d target/metal/lib ] || mvn -q -o package -DskipTests
cp="target/classes:target/test-classes:$(ls target/metal/lib/*.jar | tr '\n' ':')"
out=target/bench-classes
mkdir -p "$out"
javac -d "$out" -cp "$cp" src/bench/java/dev/metal/bench/MatchBench.java
exec java -cp "$out:$cp" dev.metal.bench.MatchBench "$@"
