# Shared by the agent's image steps (sourced): the kernel command line's metal.* words, stage
# reports, and the failure that names its reason. The paths may be moved for tests.
# (busybox 1.35's wget -T crashes when built static, so the steps give no -T.)
SYS=${METAL_SYS:-/sys}
DEV=${METAL_DEV:-/dev}
RUN=${METAL_RUN:-/run/metal}
URL= HOST= TOKEN=
for word in $(cat "${METAL_CMDLINE:-/proc/cmdline}"); do
  case "$word" in
    metal.url=*) URL=${word#metal.url=} ;;
    metal.host=*) HOST=${word#metal.host=} ;;
    metal.token=*) TOKEN=${word#metal.token=} ;;
  esac
done
URL=${URL%/}
mkdir -p "$RUN"

say() { echo "metal-agent: $*"; }

# POSTs a stage report (booted, working, done, failed) with a reason.
report() {
  reason=$(printf '%s' "$2" | tr -d '"\\\n' | cut -c1-300)
  timeout 10 wget -q -O /dev/null --header 'Content-Type: application/json' \
    --post-data "{\"stage\":\"$1\",\"reason\":\"$reason\"}" "$URL/report/$HOST?token=$TOKEN"
}

# Ends the step with a reason: kept for the agent, which reports the failure with it.
fail() {
  say "failed: $1"
  printf '%s\n' "$1" > "$RUN/reason"
  exit 1
}

# The deploy description of this host (fetched once by the first image step).
load_deploy() {
  if [ ! -s "$RUN/deploy" ]; then
    wget -q -O "$RUN/deploy.part" "$URL/config/$HOST/deploy?token=$TOKEN" 2> "$RUN/wget.err" \
      || fail "deploy description refused: $(cat "$RUN/wget.err")"
    mv "$RUN/deploy.part" "$RUN/deploy"
  fi
  . "$RUN/deploy"
}

# A disk's serial and model as sysfs has them, spaces trimmed and runs of spaces made one.
squeeze() { tr -s ' \t\n' '   ' | sed 's/^ *//; s/ *$//'; }
disk_serial() { { cat "$1/device/serial" 2>/dev/null || cat "$1/serial" 2>/dev/null; } | squeeze; }
disk_model() { cat "$1/device/model" 2>/dev/null | squeeze; }
