#!/usr/bin/env python3
"""What a Windows exe is made of: bytes per static library (and the resources) in the
sections that end up in the stripped file, summed from the linker map the Windows build
writes beside each exe (build-win/host/sasae-host.map, build-win/viewer/sasae-viewer.map).

    python3 bench/win/exe_parts.py build-win/host/sasae-host.map [N]

Sections dropped by --gc-sections are listed before the memory map and are not counted."""
import collections
import re
import sys

KEPT = (".text", ".rdata", ".data", ".pdata", ".xdata", ".rsrc", ".CRT", ".tls", ".sbrand")


def parts(path):
    sizes = collections.Counter()
    text = open(path, errors="replace").read()
    text = text.split("Linker script and memory map", 1)[-1]
    pending = None  # a section name too long for its line: the address follows on the next
    for line in text.splitlines():
        m = re.match(r"^ (\.\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)", line)
        if m:
            name, size, obj = m.group(1), int(m.group(3), 16), m.group(4)
            pending = None
        else:
            m = re.match(r"^ (\.\S+)\s*$", line)
            if m:
                pending = m.group(1)
                continue
            m = re.match(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)", line)
            if not (m and pending):
                continue
            name, size, obj = pending, int(m.group(2), 16), m.group(3)
            pending = None
        if not name.split("$")[0].startswith(KEPT):
            continue
        lib = obj.split("(")[0].split("/")[-1]
        if lib == "objects.a" or lib.endswith(".obj") or lib.endswith(".o"):
            lib = "resources (font, icon, manifest)" if name.startswith(".rsrc") else "sasae"
        elif lib.startswith("libsasae_"):
            lib = "sasae"
        sizes[lib] += size
    return sizes


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sizes = parts(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    for lib, size in sizes.most_common(n):
        print(f"{size / 1048576:7.2f} MiB  {lib}")
    rest = sum(sizes.values()) - sum(v for _, v in sizes.most_common(n))
    if rest:
        print(f"{rest / 1048576:7.2f} MiB  (the rest)")
    print(f"{sum(sizes.values()) / 1048576:7.2f} MiB  in all (headers and import tables not counted)")


if __name__ == "__main__":
    main()
