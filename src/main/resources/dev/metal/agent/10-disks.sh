#!/bin/sh
# Step: lists the disks the agent sees, with their model and serial (what the profile's
# boot disk is matched by), into /run/metal/disks and onto the console.
: > /run/metal/disks
for d in /sys/block/*; do
  name=${d##*/}
  case "$name" in loop*|ram*|sr*) continue ;; esac
  model=$(cat "$d/device/model" 2>/dev/null | tr -s ' ' | sed 's/ *$//')
  serial=$(cat "$d/device/serial" 2>/dev/null || cat "$d/serial" 2>/dev/null)
  serial=$(echo "$serial" | tr -d ' ')
  sectors=$(cat "$d/size")
  echo "$name model=$model serial=$serial sectors=$sectors" >> /run/metal/disks
done
sed 's/^/metal-agent: disk /' /run/metal/disks
