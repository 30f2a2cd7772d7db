#!/usr/bin/env bash
# The layering rules of docs/architecture.md, enforced over the #include lines:
# - codec/ is pure: C library headers, OpenSSL, libvpx, libyuv, zlib and codec/'s own
#   headers only (no logging, sockets, threads, UI or OS headers; the one exception is the
#   video allocator's page mapping, vpxmem_posix.c / vpxmem_win.c);
# - common/ includes nothing of the programs (host, viewer, relay);
# - relay/ includes nothing of host/ or viewer/; the relay client nothing of the server;
# - host/ and viewer/ include nothing of each other or of the relay server;
# - no circles between a front end and its parts: the capture backends call nothing of the
#   capture front end (host/cap.c), the viewer's parts nothing of its main.c, the window's
#   parts nothing of window.c nor of a part listed before them in window.h (input, sink,
#   draw, toolbar) (each front end calls its parts, never the other way);
# - viewer/core/ is pure: no SDL, logging or network, nothing of viewer/app;
# - no platform conditionals (_WIN32, __linux__, __APPLE__) anywhere: platform code lives
#   in files named for the platform.
set -euo pipefail
cd "${SASAE_SRC:-$(dirname "$0")/..}"
bad=0
fail() { echo "LAYERING: $*"; bad=$((bad + 1)); }

# includes FILE -> its include targets, one per line, with <> or ""
includes() { sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"][^>"]*[>"]\).*/\1/p' "$1"; }

CSTD='assert|ctype|errno|float|inttypes|limits|math|stdalign|stdarg|stdatomic|stdbool|stddef|stdint|stdio|stdlib|string|time'
for f in $(git ls-files 'codec/*.c' 'codec/*.h'); do
  while read -r inc; do
    case $inc in
      \"sasae/video.h\" | \"sasae/wire.h\" | \"sasae/envelope.h\" | \"sasae/supportcode.h\" | \"sasae/chan.h\" | \"sasae/spake2.h\" | \"sasae/brand.h\" | \"sasae/link.h\") ;;
      \"*/*\") fail "$f includes $inc (codec/ may include only codec/ headers)" ;;
      \"*\") ;; # its own folder's private header
      \<openssl/*\> | \<vpx/*\> | \<libyuv.h\> | \<zlib.h\>) ;;
      \<sys/mman.h\> | \<unistd.h\>) [[ $f == codec/video/vpxmem_posix.c ]] || fail "$f includes $inc (OS header in codec/)" ;;
      \<windows.h\>) [[ $f == codec/video/vpxmem_win.c ]] || fail "$f includes $inc (OS header in codec/)" ;;
      *) [[ $inc =~ ^\<($CSTD)\.h\>$ ]] || fail "$f includes $inc (codec/ is pure: no such header)" ;;
    esac
  done < <(includes "$f")
done

check_dir() { # check_dir PATHSPEC FORBIDDEN_REGEX WHY
  local f inc
  for f in $(git ls-files "$1"); do
    while read -r inc; do
      [[ $inc =~ $2 ]] && fail "$f includes $inc ($3)"
    done < <(includes "$f")
  done
  return 0
}
PROG='"sasae/(host|viewer|relayclient|relaytable|certs)\.h"|"(\.\./)+(host|viewer|relay)/'
check_dir 'common/*.[ch]' "$PROG" "common/ is below the programs"
check_dir 'relay/*.[ch]' '"sasae/(host|viewer|ui)\.h"|"(\.\./)+(host|viewer)/' "the relay knows no host or viewer"
check_dir 'relay/client/*.[ch]' '"sasae/relaytable\.h"|"(config|audit|rxpool|wsguard|relay)\.h"' "the relay client is not the server"
check_dir 'host/*.[ch]' '"sasae/(viewer|relaytable)\.h"|"(\.\./)+viewer/' "the host knows no viewer or relay server"
check_dir 'viewer/*.[ch]' '"sasae/(host|relaytable)\.h"|"(\.\./)+host/' "the viewer knows no host or relay server"
check_dir 'viewer/core/*.[ch]' '^<SDL|"sasae/(ui|common|relayclient)\.h"|"(\.\./)+app/|"(app|vsource|window|keys)\.h"' "viewer/core is pure: no SDL, logging or network, nothing of the app"
check_dir 'viewer/include/*.[ch]' '^<SDL|"sasae/(ui|common|relayclient)\.h"|"(\.\./)+app/|"(app|vsource|window|keys)\.h"' "viewer/core is pure: no SDL, logging or network, nothing of the app"

# Functions FILE defines for other files (not static, not main).
exported() {
  sed -n -E '/^static/d; /;[[:space:]]*$/d; s/^[A-Za-z_][A-Za-z0-9_ *]*[ *]([A-Za-z_][A-Za-z0-9_]*)\(.*/\1/p' "$1" |
    grep -vx main || true
}
# no_callback FRONT PARTS...: no part names (calls or declares) a function FRONT defines.
no_callback() {
  local front=$1 names f hit
  shift
  names=$(exported "$front" | paste -sd'|' -)
  [ -n "$names" ] || return 0
  for f in $(git ls-files "$@"); do
    [ "$f" = "$front" ] && continue
    while read -r hit; do
      fail "$f:$hit uses what $front defines (the front end calls its parts, not the reverse)"
    done < <(grep -nE "(^|[^A-Za-z0-9_])($names)[[:space:]]*\(" "$f" | cut -d: -f1 || true)
  done
  return 0
}
no_callback host/cap.c 'host/cap_*.[ch]' 'host/linux/cap_*.[ch]' 'host/win/cap_*.[ch]'
no_callback viewer/app/main.c 'viewer/app/*.[ch]'
# the window's parts in their order (window.h): each calls only those after it
no_callback viewer/app/window.c 'viewer/app/window_*.c'
no_callback viewer/app/window_input.c viewer/app/window_sink.c viewer/app/window_draw.c viewer/app/window_toolbar.c
no_callback viewer/app/window_sink.c viewer/app/window_draw.c viewer/app/window_toolbar.c
no_callback viewer/app/window_draw.c viewer/app/window_toolbar.c

while read -r hit; do
  fail "platform conditional: $hit (platform code goes in files named for the platform)"
done < <(git grep -nE '^[[:space:]]*#[[:space:]]*(if|ifdef|ifndef|elif).*(_WIN32|__linux__|__APPLE__)' -- '*.c' '*.h' || true)

files=$(git ls-files '*.c' '*.h' | wc -l)
if [ "$bad" -gt 0 ]; then
  echo "$bad layering violation(s) in $files files"
  exit 1
fi
echo "layering: $files files follow the rules"
