#!/bin/busybox sh
# /init of the real-kernel check's initramfs (tests/linux/README.md): start
# user processes that stay alive, print what the host needs to pick sample
# addresses (their maps, some kernel symbols, vmalloc areas), print the
# marker, then keep pid 1 busy in user mode so a stop lands in a live user
# address space.
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
echo 1 >/proc/sys/kernel/kptr_restrict
echo 0 >/proc/sys/kernel/printk_ratelimit 2>/dev/null
echo 1 >/proc/sys/kernel/printk 2>/dev/null

# An idle sleeper; a process holding a 1 MiB heap string (writable,
# touched pages) asleep in system(); a tmpfs file kept open.
sleep 100000 &
awk 'BEGIN { s = "x"; while (length(s) < 1048576) s = s s; system("sleep 100000") }' &
dd if=/dev/zero of=/tmp/blob bs=4096 count=64 2>/dev/null
sleep 1

echo "LIBPT-CPU $(uname -m) $(uname -r)"
for p in 1 $(pidof sleep awk); do
	sed "s/^/LIBPT-MAP $p /" /proc/$p/maps
done
grep -E ' (_text|_stext|_etext|_sdata|_edata|__bss_start|__bss_stop|_end|init_task|jiffies_64|init_mm|swapper_pg_dir|tramp_pg_dir|reserved_pg_dir|init_top_pgt|empty_zero_page|__per_cpu_start|vdso_data|idt_table|gdt_page|linux_banner)$' /proc/kallsyms |
	sed 's/^/LIBPT-SYM /'
grep -v ' ioremap\| vmap\b' /proc/vmallocinfo | head -n 48 | sed 's/^/LIBPT-VMALLOC /'
grep -E ' (ioremap|vmap)' /proc/vmallocinfo | head -n 16 | sed 's/^/LIBPT-VMALLOC /'
echo LIBPT-READY
while :; do :; done
