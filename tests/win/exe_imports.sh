#!/usr/bin/env bash
# The portable exes need only DLLs that ship with Windows: every DLL in their import tables
# must be on this list (a mingw runtime DLL such as libwinpthread-1.dll or zlib1.dll would
# make the exe fail to start on a customer's PC). Also reports their stripped sizes.
set -euo pipefail
: "${SASAE_WIN_BIN:?}"
SYSTEM_DLLS="advapi32.dll bcrypt.dll cfgmgr32.dll comdlg32.dll crypt32.dll d3d11.dll dxgi.dll
gdi32.dll imm32.dll iphlpapi.dll kernel32.dll msvcrt.dll ole32.dll oleaut32.dll setupapi.dll
shell32.dll user32.dll userenv.dll version.dll winmm.dll ws2_32.dll psapi.dll ntdll.dll
shlwapi.dll winhttp.dll secur32.dll dwmapi.dll uxtheme.dll"
fail=0
for exe in host/sasae-host.exe viewer/sasae-viewer.exe; do
    f="$SASAE_WIN_BIN/$exe"
    [ -f "$f" ] || { echo "FAIL: no $f"; exit 1; }
    dlls=$(x86_64-w64-mingw32-objdump -p "$f" | sed -n 's/^\s*DLL Name: //p' | tr 'A-Z' 'a-z' | sort -u)
    [ -n "$dlls" ] || { echo "FAIL: $exe: no import table read"; exit 1; }
    for d in $dlls; do
        if ! grep -qw -- "$d" <<<"$SYSTEM_DLLS"; then
            echo "FAIL: $exe imports $d, which Windows does not ship"
            fail=1
        fi
    done
    tmp=$(mktemp)
    x86_64-w64-mingw32-strip -o "$tmp" "$f"
    echo "$exe: imports $(echo $dlls | tr ' ' ','); $(stat -c %s "$f") bytes, stripped $(stat -c %s "$tmp") bytes"
    rm -f "$tmp"
done
[ "$fail" -eq 0 ] && echo PASS
