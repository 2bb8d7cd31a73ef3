#!/bin/sh
# metal's agent. It reads metal.url, metal.host and metal.token from the kernel command line
# (and metal.ip=ADDRESS/PREFIX,GATEWAY for a static address; otherwise DHCP), brings up the
# NIC, reports each stage to the boot server (booted, working, done, failed with a reason),
# fetches the host's config with its token, runs the steps in /lib/metal/steps in order,
# and phones home. (busybox 1.35's wget -T crashes; timeout bounds each request instead.)

uptime_s() { cut -d' ' -f1 /proc/uptime; }
say() { echo "metal-agent [$(uptime_s)]: $*"; }

URL= HOST= TOKEN= IPCONF=
for word in $(cat /proc/cmdline); do
  case "$word" in
    metal.url=*) URL=${word#metal.url=} ;;
    metal.host=*) HOST=${word#metal.host=} ;;
    metal.token=*) TOKEN=${word#metal.token=} ;;
    metal.ip=*) IPCONF=${word#metal.ip=} ;;
  esac
done
URL=${URL%/}

# POSTs JSON to a boot server path. When the server does not answer at all (metal stopped and
# run again with --resume, a switch port flapping), it tries again every 5 s for up to
# $SERVER_WAIT s; a server that answers with an error ends it at once.
SERVER_WAIT=900
post() {
  waited=0
  while :; do
    timeout 10 wget -q -O /dev/null --header 'Content-Type: application/json' \
      --post-data "$2" "$URL$1?token=$TOKEN" 2> /tmp/post.err && return 0
    grep -q 'server returned error' /tmp/post.err && return 1
    [ "$waited" -lt "$SERVER_WAIT" ] || return 1
    [ "$waited" = 0 ] && say "no answer from $URL ($(cat /tmp/post.err)); trying again for up to $SERVER_WAIT s"
    sleep 5
    waited=$((waited + 5))
  done
}

# POSTs a stage report; the reason loses characters that would break the JSON. A "working"
# report is tried once: the work goes on whether or not the server heard of it.
report() {
  reason=$(printf '%s' "$2" | tr -d '"\\\n' | cut -c1-300)
  if [ "$1" = working ]; then
    timeout 10 wget -q -O /dev/null --header 'Content-Type: application/json' \
      --post-data "{\"stage\":\"$1\",\"reason\":\"$reason\"}" "$URL/report/$HOST?token=$TOKEN" 2>/dev/null
  else
    post "/report/$HOST" "{\"stage\":\"$1\",\"reason\":\"$reason\"}"
  fi
}

fail() {
  say "failed: $1"
  report failed "$1" || say "could not report the failure"
  exit 1
}

say "up (kernel $(uname -r))"
if [ -z "$URL" ] || [ -z "$HOST" ] || [ -z "$TOKEN" ]; then
  say "failed: metal.url, metal.host or metal.token missing from the kernel command line"
  exit 1
fi

# The first NIC that is not the loopback; drivers may still be probing.
nic=
for i in $(seq 1 100); do
  for n in /sys/class/net/*; do
    n=${n##*/}
    [ "$n" = lo ] || { nic=$n; break; }
  done
  [ -n "$nic" ] && break
  sleep 0.1
done
[ -n "$nic" ] || { say "failed: no network interface"; exit 1; }
ip link set lo up
ip link set "$nic" up
if [ -n "$IPCONF" ]; then
  address=${IPCONF%%,*}
  gateway=${IPCONF#*,}
  ip addr add "$address" dev "$nic" || { say "failed: cannot set address $address on $nic"; exit 1; }
  [ "$gateway" = "$IPCONF" ] || ip route add default via "$gateway"
  say "$nic: static address $address"
else
  udhcpc -i "$nic" -s /lib/metal/udhcpc.script -q -n -t 10 -T 1 >/dev/null 2>&1 \
    || { say "failed: no DHCP answer on $nic"; exit 1; }
  say "$nic: address $(ip -4 -o addr show dev "$nic" | awk '{print $4}') by DHCP"
fi

report booted "network up on $nic" || { say "failed: the boot server refused the report (provisioning ended?)"; exit 1; }
say "reported booted to $URL"

mkdir -p /run/metal
timeout 20 wget -q -O /run/metal/user-data "$URL/config/$HOST/user-data?token=$TOKEN" || fail "config refused"
say "fetched the config"

for step in /lib/metal/steps/*.sh; do
  [ -e "$step" ] || continue
  name=${step##*/}
  report working "step ${name%.sh}"
  say "step $name"
  # A step that fails leaves its reason in /run/metal/reason.
  rm -f /run/metal/reason
  sh "$step" || fail "step ${name%.sh}: $(cat /run/metal/reason 2>/dev/null || echo failed)"
done

report done "all steps done" || say "could not report done"
if post "/phone-home/$HOST" "{\"hostname\":\"$HOST\"}"; then
  say "phoned home"
  exit 0
fi
say "failed: phone-home refused: $(cat /tmp/post.err)"
exit 1
