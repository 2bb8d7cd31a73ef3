#!/bin/sh
# Chassis script for ipmi_sim (lan.conf: chassis_control "./chassis.sh 0x20").
# ipmi_sim runs it as:  chassis.sh MC get PARAM...   or   chassis.sh MC set PARAM VALUE [PARAM VALUE]...
# It keeps the simulated server's power (0/1) and boot device (none/pxe/default/cdrom/bios)
# in files beside it, so that whoever started the simulator can see what a client did.
# Unlike a bare BMC, it plays the server too: "shutdown" (soft off) powers off, as an OS
# answering the ACPI power button would; "reset" pulses and leaves power as it is.
dir=$(dirname "$0")
echo "$(date +%s) $*" >> "$dir/chassis.log"
mc=$1; op=$2; shift 2
case "$op" in
get) for p in "$@"; do
       case $p in
       power) echo "power:$(cat "$dir/power" 2>/dev/null || echo 0)" ;;
       boot)  echo "boot:$(cat "$dir/boot" 2>/dev/null || echo default)" ;;
       esac
     done ;;
set) while [ $# -ge 2 ]; do
       case $1 in
       power)    echo "$2" > "$dir/power" ;;
       boot)     echo "$2" > "$dir/boot" ;;
       shutdown) [ "$2" = 1 ] && echo 0 > "$dir/power" ;;
       reset)    echo "$(date +%s)" >> "$dir/resets" ;;
       esac
       shift 2
     done ;;
esac
exit 0
