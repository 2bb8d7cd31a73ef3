#!/usr/bin/env bash
# Benchmark: 'metal serve' under hostile load. SLOW clients send one byte of a request and go
# silent, IDLE ones connect and send nothing; while all of them are held open, NORMAL requests
# (iPXE script of a known host, a 300 KB and a 1 MB file) come from 16 parallel clients, each on
# a new connection. Prints their latency; every one must be answered within 2 s.
# Run from the project root after 'mvn -q package -DskipTests'.
# Usage: src/bench/boot-load.sh [SLOW] [IDLE] [NORMAL]      (defaults: 64 64 200)
# JAVA_HOME picks the server's JDK (JDK 21 and newer serve on virtual threads).
set -euo pipefail
cd "$(dirname "$0")/../.."
slow="${1:-64}"; idle="${2:-64}"; normal="${3:-200}"
metal="$PWD/target/metal/bin/metal"
[ -x "$metal" ] || { echo "build first: mvn -q package -DskipTests" >&2; exit 1; }
[ -d target/test-classes ] || mvn -q -o test-compile
cp="target/classes:target/test-classes:$(ls target/metal/lib/*.jar | tr '\n' ':')"
mkdir -p target/bench
javac -d target/bench -cp "$cp" src/bench/java/dev/metal/bench/BootLoad.java
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
export METAL_STATE="$work/state.json"
printf 'hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,ipmi_port,mgmt_mac\n%s\n' \
    "web-01,r1,1,0c:c4:7a:00:01:01,127.0.0.1,admin,secret,623,0c:c4:7a:01:01:01" > "$work/rack.csv"
"$metal" import "$work/rack.csv" > /dev/null
mkdir -p "$work/files"
head -c 300000 /dev/urandom > "$work/files/linux"
head -c 1000000 /dev/urandom > "$work/files/initrd.gz"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$metal" serve --listen "127.0.0.1:$port" --files "$work/files" 2> "$work/serve.log" &
server=$!
for _ in $(seq 100); do grep -q serving "$work/serve.log" && break; sleep 0.1; done
grep -q serving "$work/serve.log" || { cat "$work/serve.log" >&2; exit 1; }
echo "server: $("${JAVA_HOME:+$JAVA_HOME/bin/}java" -version 2>&1 | head -1), $(nproc) cores"
java -cp "target/bench:$cp" dev.metal.bench.BootLoad 127.0.0.1 "$port" "$slow" "$idle" "$normal" 16 \
    "/ipxe?mac=0c:c4:7a:01:01:01" /files/linux /files/initrd.gz
