#!/bin/sh
# Step: streams the host's OS image onto its boot disk. The disk is the one the profile match
# names, told by serial (and model when the BMC gave one); when that disk is missing or more
# than one disk fits, nothing is written. Fetch, decompress, write and sha256 run in one pass
# through pipes (no copy in memory or on another disk); a cut stream resumes with a Range
# request where it stopped. A wrong checksum fails the step and clears the disk's partition table.
. "${METAL_LIB:-/lib/metal}/deploy-lib.sh"
load_deploy
if [ -z "$METAL_IMAGE_URL" ]; then
  say "no image to deploy"
  exit 0
fi

# The target: every disk whose serial (and model) is the boot disk's.
found= seen=
for d in "$SYS"/block/*; do
  [ -e "$d" ] || continue
  name=${d##*/}
  case "$name" in loop*|ram*|sr*|fd*|zram*) continue ;; esac
  serial=$(disk_serial "$d")
  model=$(disk_model "$d")
  seen="$seen $name(serial=$serial${model:+ model=$model})"
  [ -n "$serial" ] && [ "$serial" = "$METAL_DISK_SERIAL" ] || continue
  if [ -n "$METAL_DISK_MODEL" ] && [ -n "$model" ] && [ "$model" != "$METAL_DISK_MODEL" ]; then continue; fi
  found="$found $name"
done
found=${found# }
want="serial $METAL_DISK_SERIAL${METAL_DISK_MODEL:+ model $METAL_DISK_MODEL}"
case "$found" in
  "") fail "boot disk $METAL_DISK_NAME ($want) not found; disks:${seen:- none}; nothing written" ;;
  *" "*) fail "boot disk $METAL_DISK_NAME ($want) fits several disks: $found; nothing written" ;;
esac
disk=$found
# udev's by-id name, where there is one, must be the same disk.
if [ -n "$METAL_DISK_BY_ID" ] && [ -e "$DEV/disk/by-id/$METAL_DISK_BY_ID" ]; then
  byid=$(readlink -f "$DEV/disk/by-id/$METAL_DISK_BY_ID")
  [ "${byid##*/}" = "$disk" ] || fail "by-id $METAL_DISK_BY_ID is ${byid##*/}, but serial $METAL_DISK_SERIAL is $disk; nothing written"
fi
echo "$disk" > "$RUN/disk"
say "writing $METAL_OS to $disk ($want) from $METAL_IMAGE_URL"
report working "streaming image $METAL_OS to $disk"

case "$METAL_IMAGE_FORMAT" in
  xz) decompress="xz -dc" ;;
  gz) decompress="gzip -dc" ;;
  *) decompress="cat" ;;
esac
rm -f "$RUN/fetched.fifo" "$RUN/hash.fifo" "$RUN/count.fifo" "$RUN/write.status" "$RUN/image.sha256"
mkfifo "$RUN/fetched.fifo" "$RUN/hash.fifo" "$RUN/count.fifo"
sha256sum < "$RUN/hash.fifo" > "$RUN/image.sha256" &
hasher=$!
# The writer reads what the fetches deliver, hashes it as fetched, decompresses and writes.
( tee "$RUN/hash.fifo" < "$RUN/fetched.fifo" | $decompress | dd of="$DEV/$disk" bs=1M conv=notrunc,fsync 2> "$RUN/dd.log"
  echo $? > "$RUN/write.status" ) &
writer=$!
# One descriptor holds the pipe open across fetches, so a resumed fetch continues the same stream.
exec 3> "$RUN/fetched.fifo"
# busybox wget takes no Range for a stream, so plain http:// is spoken with nc: a GET with
# Range from the byte reached, the status and headers read off, the body passed on.
http_get() {
  rest=${1#http://}
  hostport=${rest%%/*}
  path=/${rest#*/}
  [ "$path" = "/$rest" ] && path=/
  host=${hostport%:*}
  port=${hostport##*:}
  [ "$port" = "$hostport" ] && port=80
  printf 'GET %s HTTP/1.1\r\nHost: %s\r\nRange: bytes=%s-\r\nConnection: close\r\nUser-Agent: metal-agent\r\n\r\n' \
    "$path" "$hostport" "$2" | nc "$host" "$port" | {
    IFS= read -r status
    : > "$RUN/http.headers"
    while IFS= read -r line; do
      line=${line%"$cr"}
      [ -z "$line" ] && break
      echo "$line" >> "$RUN/http.headers"
    done
    echo "${status%"$cr"}" > "$RUN/http.status"
    case "$status" in
      "HTTP/1."?" 200"*) [ "$2" = 0 ] || exit 3 ;;
      "HTTP/1."?" 206"*) ;;
      "") exit 4 ;;
      *) exit 2 ;;
    esac
    cat
  }
}
cr=$(printf '\r')
got=0
total=
tries=0
# A server that does not answer at all (metal stopped and run again with --resume) is waited
# for; one that answers with an error is not.
waited=0
server_wait=${METAL_SERVER_WAIT:-900}
start=$(cut -d' ' -f1 /proc/uptime)
while :; do
  wc -c < "$RUN/count.fifo" > "$RUN/count" &
  counter=$!
  case "$METAL_IMAGE_URL" in
    http://*) { http_get "$METAL_IMAGE_URL" "$got"; echo $? > "$RUN/wget.status"; } | tee "$RUN/count.fifo" >&3 ;;
    *) { wget -q -O - "$METAL_IMAGE_URL" 2> "$RUN/wget.err"; echo $? > "$RUN/wget.status"; } | tee "$RUN/count.fifo" >&3 ;;
  esac
  wait $counter
  got=$((got + $(cat "$RUN/count")))
  fetched=$(cat "$RUN/wget.status")
  case "$METAL_IMAGE_URL" in
    http://*)
      case "$fetched" in
        2) exec 3>&-; wait $writer; fail "image fetch refused: $(cat "$RUN/http.status")" ;;
        3) exec 3>&-; wait $writer; fail "image server ignores Range and the stream was cut at byte $got" ;;
        4)
          [ "$waited" -lt "$server_wait" ] || { exec 3>&-; wait $writer; fail "no answer from the image server for $waited s at byte $got"; }
          [ "$waited" = 0 ] && say "no answer from the image server at byte $got; trying again for up to $server_wait s"
          sleep 2
          waited=$((waited + 2))
          continue
          ;;
      esac
      waited=0
      # The whole length, from Content-Range (206) or Content-Length (200).
      if [ -z "$total" ]; then
        total=$(sed -n 's/^[Cc]ontent-[Rr]ange: *bytes [0-9]*-[0-9]*\/\([0-9]*\).*/\1/p' "$RUN/http.headers")
        [ -n "$total" ] || total=$(sed -n 's/^[Cc]ontent-[Ll]ength: *\([0-9]*\).*/\1/p' "$RUN/http.headers")
      fi
      [ -n "$total" ] && [ "$got" -ge "$total" ] && break
      ;;
    *)
      [ "$fetched" = 0 ] && break
      exec 3>&-; wait $writer; fail "image fetch failed at byte $got: $(cat "$RUN/wget.err")"
      ;;
  esac
  [ -e "$RUN/write.status" ] && break
  tries=$((tries + 1))
  [ $tries -lt 10 ] || { exec 3>&-; wait $writer; fail "image fetch failed after $tries tries at byte $got of ${total:-?}"; }
  say "image stream cut at byte $got; resuming"
  report working "image stream cut at byte $got; resuming"
  sleep 1
done
exec 3>&-
wait $writer
wait $hasher
end=$(cut -d' ' -f1 /proc/uptime)
status=$(cat "$RUN/write.status" 2>/dev/null)
sum=$(cut -d' ' -f1 "$RUN/image.sha256")
if [ "$sum" != "$METAL_IMAGE_SHA256" ]; then
  # What was written is not the image: the disk must not boot it.
  dd if=/dev/zero of="$DEV/$disk" bs=1M count=1 conv=notrunc,fsync 2>/dev/null
  fail "image checksum mismatch: sha256 $sum, the site plan says $METAL_IMAGE_SHA256"
fi
[ "$status" = 0 ] || fail "writing the image to $disk failed: $(tail -n 2 "$RUN/dd.log" | tr '\n' ' ')"
sync
say "wrote $got bytes of $METAL_OS to $disk in $(awk "BEGIN {print $end - $start}") s, sha256 verified"
echo "$got $start $end" > "$RUN/stream"
report working "image written to $disk ($got bytes in $(awk "BEGIN {print $end - $start}") s)"
