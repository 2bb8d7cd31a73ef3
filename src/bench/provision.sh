#!/bin/sh
# Provisioning benchmark with lab machines behind in-process BMCs.
# Prints: the time from the start of a provision until the boot-device and power commands
# reach the BMC (cold JVM and warm), and the wall time to provision 50 hosts.
# Usage: src/bench/provision.sh [HOSTS] [INSTALL_MS]
set -eu
cd "$(dirname "$0")/../.."
hosts=${1:-50}
install_ms=${2:-200}
mvn -q -o package -DskipTests
out=target/bench-classes
mkdir -p "$out"
cp="target/classes:target/test-classes:$(ls target/metal/lib/*.jar | tr '\n' ':')"
javac -d "$out" -cp "$cp" $(find src/bench/java -name '*.java')
run() { java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$out:$cp" dev.metal.bench.ProvisionBench "$@"; }
for i in 1 2 3; do run cold; done
run warm 20
run fleet "$hosts" "$install_ms"
run fleet "$hosts" 0
