#!/usr/bin/env python3
"""tests/linux/capture.py: boot a Debian kernel under QEMU (TCG), stop it
with a user process on the CPU, and save what the checker needs.

    capture.py --config NAME --out DIR --kernel K --initrd I --checker BIN

The capture directory (tests/linux/README.md has the full layout):
  meta.txt      key=value: config, arch, ram_base, ram_size, kernel, qemu
  regs.txt      key=value: the MMU's registers at the stop (x86 cr0 cr3 cr4
                efer cpl; arm64 ttbr0_el1 ttbr1_el1 tcr_el1 mair_el1
                sctlr_el1 cpsr)
  ram.bin       the guest's RAM, [ram_base, ram_base + ram_size)
  views.txt     one line per view: NAME key=value... (register values
                the view was asked under: x86 the other PTI half's cr3;
                arm64 cpsr for EL1, EL0 and EL1 with PAN)
  NAME.gva2gpa  "VA PA" or "VA unmapped": QEMU's gva2gpa per sample VA
  NAME.tlb      x86: QEMU's `info tlb` (raw)
  NAME.mem      x86: QEMU's `info mem` (raw)
  console.log, monitor.log, gdb.log   raw transcripts
Times of each step go to stdout as "time <step> <seconds>".
"""
import argparse
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time

MARK = "LIBPT-READY"

CONFIGS = {
    # name: (arch, qemu binary, machine/cpu args, console, extra append)
    "x86_64-4level": ("x86_64", "qemu-system-x86_64", ["-cpu", "qemu64,+smep,+smap"],
                      "ttyS0", "pti=on"),
    "x86_64-5level": ("x86_64", "qemu-system-x86_64", ["-cpu", "max"], "ttyS0", ""),
    "aarch64-a57": ("aarch64", "qemu-system-aarch64", ["-M", "virt", "-cpu", "cortex-a57"],
                    "ttyAMA0", ""),
    "aarch64-max": ("aarch64", "qemu-system-aarch64", ["-M", "virt", "-cpu", "max"],
                    "ttyAMA0", ""),
}
RAM_SIZE = 256 << 20
RAM_BASE = {"x86_64": 0, "aarch64": 0x40000000}


class Step:
    def __init__(self):
        self.t = time.monotonic()

    def lap(self, name):
        now = time.monotonic()
        print(f"time {name} {now - self.t:.2f}", flush=True)
        self.t = now


class Monitor:
    """HMP over a unix socket; every exchange is logged."""

    def __init__(self, path, log):
        self.log = log
        for _ in range(100):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("monitor socket never came up")
        self.buf = b""
        self.read_prompt()

    def read_prompt(self):
        while b"(qemu) " not in self.buf:
            r, _, _ = select.select([self.s], [], [], 60)
            if not r:
                raise RuntimeError("monitor timed out")
            d = self.s.recv(1 << 20)
            if not d:
                raise RuntimeError("monitor closed")
            self.buf += d
        out, self.buf = self.buf.split(b"(qemu) ", 1)
        return out.decode(errors="replace")

    def cmd(self, line):
        self.s.sendall(line.encode() + b"\n")
        out = self.read_prompt()
        # The monitor echoes the command line (with terminal escapes) first.
        out = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out).replace("\r", "")
        lines = out.split("\n")
        if lines and line in lines[0]:
            lines = lines[1:]
        text = "\n".join(lines).strip("\n")
        self.log.write(f"(qemu) {line}\n{text}\n")
        return text


    def batch(self, lines, chunk=256):
        """Many commands, pipelined chunk at a time: one round trip each
        would make thousands of gva2gpa calls the slowest step."""
        outs = []
        for i in range(0, len(lines), chunk):
            part = lines[i:i + chunk]
            self.s.sendall("".join(l + "\n" for l in part).encode())
            for line in part:
                out = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", self.read_prompt()).replace("\r", "")
                self.log.write(f"(qemu) {line}\n{out.strip()}\n")
                outs.append(out)
        return outs


class Gdb:
    """One interactive gdb-multiarch attached for the whole capture: a batch
    gdb would detach at exit, and QEMU resumes the guest on detach."""

    def __init__(self, port, log):
        self.log = log
        self.p = subprocess.Popen(["gdb-multiarch", "-q", "-nx"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  bufsize=1)
        self.fd = self.p.stdout.fileno()
        self.buf = b""
        for c in ("set pagination off", "set confirm off", "set width 0", "set height 0"):
            self.cmd(c)
        self.cmd(f"target remote 127.0.0.1:{port}")

    def cmd(self, line):
        # Raw reads of the pipe: select() cannot see text a buffered reader holds.
        self.p.stdin.write(line + "\necho @@LIBPT@@\\n\n")
        self.p.stdin.flush()
        deadline = time.monotonic() + 60
        while b"@@LIBPT@@" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("gdb timed out on " + line)
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                d = os.read(self.fd, 65536)
                if not d:
                    raise RuntimeError("gdb exited")
                self.buf += d
        out, self.buf = self.buf.split(b"@@LIBPT@@", 1)
        text = out.decode(errors="replace")
        self.log.write(f"(gdb) {line}\n{text}")
        return text

    def regs(self, names):
        vals = {}
        for n in names:
            m = re.search(r"= (0x[0-9a-f]+)", self.cmd(f"p/x ${n}"))
            if not m:
                raise RuntimeError(f"gdb: no register {n}")
            vals[n.lower()] = int(m.group(1), 16)
        return vals

    def close(self):
        try:
            self.p.kill()
        except OSError:
            pass
        self.p.wait()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def parse_console(text):
    """User maps, kernel symbols and vmalloc areas printed by /init."""
    maps, syms, vm = [], [], []
    for line in text.splitlines():
        line = line.strip("\r")
        m = re.match(r"LIBPT-MAP (\d+) ([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
        if m:
            maps.append((int(m.group(1)), int(m.group(2), 16), int(m.group(3), 16), m.group(4)))
        m = re.match(r"LIBPT-SYM ([0-9a-f]+) \S (\S+)", line)
        if m and int(m.group(1), 16) >= 1 << 63:
            syms.append((int(m.group(1), 16), m.group(2)))
        m = re.match(r"LIBPT-VMALLOC 0x([0-9a-f]+)-0x([0-9a-f]+)", line)
        if m:
            vm.append((int(m.group(1), 16), int(m.group(2), 16)))
    return maps, syms, vm


def lcg(seed):
    x = seed
    while True:
        x = (x * 6364136223846793005 + 1442695040888963407) & ((1 << 64) - 1)
        yield x


def sample_vas(arch, la57, maps, syms, vm, walk_vas):
    """Sorted unique sample VAs: every user region's edges and middle (and
    the pages just outside), kernel symbols, vmalloc areas, VAs from
    libpt's own walk (first, middle and last byte of each range: QEMU
    answers them, so choosing them with libpt is harmless), and 256
    pseudo-random canonical VAs from a fixed seed."""
    vas = set()
    for _, lo, hi, _ in maps:
        for v in (lo, lo + 0x123, (lo + hi) // 2 & ~0xfff, hi - 8, hi, lo - 0x1000):
            vas.add(v)
    for v, _ in syms:
        vas.update((v, v + 0x567))
    for lo, hi in vm:
        vas.update((lo, lo + 0x10, hi - 0x1000 - 8 if hi - lo > 0x1000 else lo + 8, hi - 1))
    vas.update(walk_vas)
    bits = 57 if la57 else 48
    mask = (1 << 64) - 1
    high = mask ^ ((1 << bits) - 1)
    g = lcg(0x6c69627074)
    for _ in range(256):
        r = next(g)
        v = r & ((1 << bits) - 1)
        # x86: canonical = bits 63..bits-1 equal. AArch64: TTBR0 has the
        # top 16 bits clear, TTBR1 set (bit 47 is free in both halves).
        upper = (v >> (bits - 1)) & 1 if arch == "x86_64" else r >> 63
        vas.add((v | high if upper else v) & ~0x7)
    out = []
    for v in vas:
        v &= mask
        if arch == "x86_64":
            top = v >> (bits - 1)
            ok = top == 0 or top == mask >> (bits - 1)
        else:
            ok = v >> bits == 0 or v >> bits == mask >> bits
        if ok:
            out.append(v)
    return sorted(out)


def parse_gva(text):
    m = re.search(r"gpa:\s*(0x[0-9a-fA-F]+)", text)
    if m:
        return f"{int(m.group(1), 16):#x}"
    if "Unmapped" in text or "unmapped" in text:
        return "unmapped"
    return "error:" + text.replace("\n", " ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True, choices=sorted(CONFIGS))
    ap.add_argument("--out", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--checker", required=True, help="linux_check, for --walk-vas")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--kaslr", action="store_true", help="boot without nokaslr")
    a = ap.parse_args()

    arch, qemu, mach, console, extra = CONFIGS[a.config]
    out = a.out
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    sock = os.path.join(out, "monitor.sock")
    port = free_port()
    append = f"console={console} quiet panic=-1 norandmaps {extra}".strip()
    if not a.kaslr:
        append += " nokaslr"
    cmd = ["timeout", str(a.timeout), qemu] + mach + [
        "-m", f"{RAM_SIZE >> 20}M", "-smp", "1", "-nographic", "-no-reboot",
        "-kernel", a.kernel, "-initrd", a.initrd, "-append", append,
        "-monitor", f"unix:{sock},server,nowait", "-gdb", f"tcp:127.0.0.1:{port}"]
    ram_base = RAM_BASE[arch]
    with open(os.path.join(out, "meta.txt"), "w") as f:
        f.write(f"config={a.config}\narch={arch}\nram_base={ram_base:#x}\n"
                f"ram_size={RAM_SIZE:#x}\nkernel={os.path.realpath(a.kernel)}\n"
                f"append={append}\nqemu={' '.join(cmd[2:])}\n")
    st = Step()
    con = open(os.path.join(out, "console.log"), "w")
    mlog = open(os.path.join(out, "monitor.log"), "w")
    glog = open(os.path.join(out, "gdb.log"), "w")
    # Its own session: timeout and QEMU share one process group, ended as one.
    q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    gdb = None
    try:
        # Wait for the marker.
        text = b""
        deadline = time.monotonic() + a.timeout - 30
        while MARK.encode() not in text:
            if time.monotonic() > deadline or q.poll() is not None:
                con.write(text.decode(errors="replace"))
                raise RuntimeError("no marker from the guest (console.log)")
            r, _, _ = select.select([q.stdout], [], [], 1)
            if r:
                d = os.read(q.stdout.fileno(), 65536)
                text += d
        con.write(text.decode(errors="replace"))
        con.flush()
        st.lap("boot")
        maps, syms, vm = parse_console(text.decode(errors="replace"))
        time.sleep(0.3)
        mon = Monitor(sock, mlog)
        # Stop with the CPU in user mode (pid 1's busy loop): retry a short
        # run until the stop lands there.
        for tries in range(1, 200):
            mon.cmd("stop")
            r = mon.cmd("info registers")
            user = ("CPL=3" in r) if arch == "x86_64" else bool(re.search(r"EL0t", r))
            if user:
                break
            mon.cmd("cont")
            time.sleep(0.02)
        else:
            raise RuntimeError("never stopped in user mode")
        st.lap(f"stop({tries} tries)")
        gdb = Gdb(port, glog)
        regs = {}
        regs_pti = False
        if arch == "x86_64":
            regs = gdb.regs(["cr0", "cr3", "cr4", "efer", "cs", "eflags"])
            regs["cpl"] = regs.pop("cs") & 3
        else:
            # QEMU names SCTLR_EL1 "SCTLR" (one register for AArch32 and AArch64).
            regs = gdb.regs(["TTBR0_EL1", "TTBR1_EL1", "TCR_EL1", "MAIR_EL1", "SCTLR",
                             "ID_AA64MMFR1_EL1", "cpsr"])
            regs["sctlr_el1"] = regs.pop("sctlr")
        with open(os.path.join(out, "regs.txt"), "w") as f:
            for k in sorted(regs):
                f.write(f"{k}={regs[k]:#x}\n")
        with open(os.path.join(out, "meta.txt"), "a") as f:
            if arch == "x86_64":
                # PTI: in user mode the current PGD does not map kernel data.
                kdata = [v for v, n in syms if n == "init_task"]
                pti = bool(kdata) and regs["cpl"] == 3 and \
                    parse_gva(mon.cmd(f"gva2gpa {kdata[0]:#x}")) == "unmapped"
                regs_pti = pti
                f.write(f"pti={'on' if pti else 'off'}\n"
                        f"cr3_half={'user' if pti else 'kernel'}\n"
                        f"pcid={regs['cr3'] & 0xfff:#x}\n")
            else:
                # KPTI: the user ASID has bit 0 set (USER_ASID_FLAG, TTBR bit 48).
                f.write(f"ttbr1_half={'trampoline' if regs['ttbr1_el1'] >> 48 & 1 else 'kernel'}\n"
                        f"asid={regs['ttbr0_el1'] >> 48:#x}\n")
        mon.cmd(f"pmemsave {ram_base:#x} {RAM_SIZE:#x} {os.path.join(out, 'ram.bin')}")
        st.lap("regs+ram")

        la57 = arch == "x86_64" and bool(regs["cr4"] & (1 << 12))
        if la57 != ("5level" in a.config):
            raise RuntimeError(f"{a.config}: CR4.LA57 is {int(la57)}")
        # Views: the register values each oracle set is asked under.
        views = []
        if arch == "x86_64":
            cr3 = regs["cr3"]
            views.append(("cur", {"cr3": cr3}))
            # PTI: Linux's user PGD is the kernel PGD + 4096 (bit 12 of CR3).
            if regs_pti:
                if not cr3 & 0x1000:
                    raise RuntimeError(f"PTI, but CR3 {cr3:#x} has bit 12 clear")
                views.append(("kernel", {"cr3": cr3 & ~0x1000}))
        else:
            # M[3:0] (EL1h 0b0101, EL0t 0b0000), DAIF and PAN (bit 22) replaced.
            base = regs["cpsr"] & ~(0x3cf | 1 << 22)
            views.append(("el1", {"cpsr": base | 0x3c5}))
            views.append(("el0", {"cpsr": base | 0x3c0}))
            views.append(("el1pan", {"cpsr": base | 0x3c5 | 1 << 22}))
            if regs["ttbr1_el1"] >> 48 & 1:
                # KPTI (forced on by KASLR): at EL0 TTBR1 holds tramp_pg_dir
                # with the user ASID bit; the kernel switches to
                # swapper_pg_dir, TRAMP_SWAPPER_OFFSET (2 pages) on. QEMU's
                # gdbstub cannot write system registers, so this view is
                # walked by libpt only (walkonly=1: no QEMU answers).
                views.append(("el1kernel", {"cpsr": base | 0x3c5, "walkonly": 1, "ttbr1_el1":
                                            (regs["ttbr1_el1"] & ~(1 << 48)) + 0x2000}))

        with open(os.path.join(out, "views.txt"), "w") as vf:
            for name, vregs in views:
                vf.write(name + "".join(f" {k}={v:#x}" for k, v in vregs.items()) + "\n")
        # libpt's own walk in every view picks more sample VAs (QEMU answers them).
        r = subprocess.run([a.checker, "--walk-vas", out], capture_output=True, text=True)
        if r.returncode not in (0, 1):
            raise RuntimeError("checker --walk-vas failed: " + r.stderr)
        walk_vas = [int(x, 16) for x in r.stdout.split()]
        vas = sample_vas(arch, la57, maps, syms, vm, walk_vas)
        st.lap(f"samples({len(vas)})")

        ktext = min((v for v, n in syms if n in ("_text", "_stext")), default=None)
        for name, vregs in views:
            if vregs.get("walkonly"):
                continue
            for k, v in vregs.items():
                # gdb names AArch64 system registers in capitals.
                gk = k.upper() if k.endswith("_el1") else k
                gdb.cmd(f"set ${gk} = (long){v:#x}")
                got = gdb.regs([gk])[gk.lower()]
                if got != v:
                    raise RuntimeError(f"could not set {k} to {v:#x} (reads {got:#x})")
            answers = mon.batch([f"gva2gpa {v:#x}" for v in vas])
            with open(os.path.join(out, f"{name}.gva2gpa"), "w") as f:
                for v, text in zip(vas, answers):
                    f.write(f"{v:#x} {parse_gva(text)}\n")
            # A kernel view that does not map the kernel was guessed wrong.
            if name in ("kernel", "el1kernel") and ktext is not None and \
                    parse_gva(mon.cmd(f"gva2gpa {ktext:#x}")) == "unmapped":
                raise RuntimeError(f"view {name} does not map _text {ktext:#x}")
            if arch == "x86_64":
                # QEMU 7.2's info mem under LA57 prints nothing, slowly.
                for what in ("tlb",) if la57 else ("tlb", "mem"):
                    with open(os.path.join(out, f"{name}.{what}"), "w") as f:
                        f.write(mon.cmd(f"info {what}") + "\n")
            st.lap(f"oracle({name})")
        try:
            mon.cmd("quit")
        except RuntimeError:
            pass  # QEMU closes the socket without a prompt
    finally:
        if gdb:
            gdb.close()
        try:
            q.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(q.pid, signal.SIGKILL)
            q.wait()
        for f in (con, mlog, glog):
            f.close()
        if os.path.exists(sock):
            os.unlink(sock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
