#!/bin/sh
# Step: makes the written image this host's system and boots it. Mounts the image's root
# partition (the catalog's root_partition, else the first partition with /etc and /boot),
# writes the host's hostname, networkd files, SSH keys and cloud-init NoCloud seed into it
# (metal_inject, from the deploy description), then kexecs into the installed kernel and
# initrd with its root device. That system's phone-home, not the agent's, makes the host active.
. "${METAL_LIB:-/lib/metal}/deploy-lib.sh"
load_deploy
[ -n "$METAL_IMAGE_URL" ] || exit 0
disk=$(cat "$RUN/disk") || fail "no disk was written"

# The kernel reads the new partition table; the partitions' nodes appear in devtmpfs.
blockdev --rereadpt "$DEV/$disk" 2>/dev/null || partprobe "$DEV/$disk" 2>/dev/null
partitions() {
  for p in "$SYS/block/$disk/$disk"*; do
    [ -e "$p/partition" ] && echo "$(cat "$p/partition") ${p##*/}"
  done | sort -n
}
for i in $(seq 1 50); do [ -n "$(partitions)" ] && break; sleep 0.1; done
[ -n "$(partitions)" ] || fail "the image on $disk has no partitions"

root=$RUN/root
mkdir -p "$root"
rootdev=
if [ -n "$METAL_ROOT_PARTITION" ]; then
  rootdev=$(partitions | awk -v n="$METAL_ROOT_PARTITION" '$1 == n {print $2}')
  [ -n "$rootdev" ] || fail "the image on $disk has no partition $METAL_ROOT_PARTITION (root_partition)"
  mount "$DEV/$rootdev" "$root" || fail "cannot mount root partition $rootdev"
else
  for p in $(partitions | awk '{print $2}'); do
    mount "$DEV/$p" "$root" 2>/dev/null || continue
    if [ -d "$root/etc" ] && [ -d "$root/boot" ]; then rootdev=$p; break; fi
    umount "$root"
  done
  [ -n "$rootdev" ] || fail "no partition of $disk holds a root filesystem (/etc and /boot); set root_partition"
fi
say "root filesystem: $rootdev"
metal_inject "$root" || { umount "$root"; fail "cannot write the host's configuration into $rootdev"; }
sync
report working "configuration written into $rootdev"

# The installed kernel and initrd: /boot/vmlinuz and /boot/initrd.img, else the newest versioned pair.
kernel= initrd=
if [ -e "$root/boot/vmlinuz" ]; then
  kernel=$root/boot/vmlinuz
  [ -e "$root/boot/initrd.img" ] && initrd=$root/boot/initrd.img
else
  kernel=$(ls "$root"/boot/vmlinuz-* 2>/dev/null | sort | tail -n 1)
  v=${kernel##*/vmlinuz-}
  [ -e "$root/boot/initrd.img-$v" ] && initrd=$root/boot/initrd.img-$v
fi
[ -n "$kernel" ] && [ -e "$kernel" ] || { umount "$root"; fail "no kernel in /boot of $rootdev"; }
# Its command line: the root device, and the consoles and timer setting the agent was given.
cmdline="root=/dev/$rootdev rw"
for word in $(cat "${METAL_CMDLINE:-/proc/cmdline}"); do
  case "$word" in console=*|no_timer_check) cmdline="$cmdline $word" ;; esac
done
mkdir -p "$RUN/boot"
cp "$kernel" "$RUN/boot/vmlinuz" || fail "cannot read $kernel"
[ -z "$initrd" ] || cp "$initrd" "$RUN/boot/initrd" || fail "cannot read $initrd"
umount "$root"
sync
kexec -l "$RUN/boot/vmlinuz" ${initrd:+--initrd="$RUN/boot/initrd"} --command-line="$cmdline" 2> "$RUN/kexec.err" \
  || fail "kexec cannot load the installed kernel: $(cat "$RUN/kexec.err" | tr '\n' ' ')"
report working "kexec into the installed system (root /dev/$rootdev)"
say "kexec into the installed system: $cmdline"
kexec -e
fail "kexec -e returned: $(cat "$RUN/kexec.err" | tr '\n' ' ')"
