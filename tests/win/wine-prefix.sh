# Sourced: wine_prefix_ready makes $WINEPREFIX usable for tests (first use: wineboot, crash
# dialogs off), once per prefix, safely when several tests start at the same moment.

# Wine takes Windows' code pages from the Unix locale: without one (CI runs with an empty
# environment) Windows programs get a code page that cannot hold Japanese text, as no real
# Windows desktop has. Give them a UTF-8 locale, as a desktop session would.
case "${LC_ALL:-${LANG:-}}" in
"" | C | POSIX) export LANG=C.UTF-8 && unset LC_ALL ;;
esac
wine_prefix_ready() {
  [ -f "$WINEPREFIX/.sasae-ready" ] && return 0
  mkdir -p "$(dirname "$WINEPREFIX")"
  (
    flock 9
    [ -f "$WINEPREFIX/.sasae-ready" ] && exit 0
    DISPLAY= wineboot -i >/dev/null 2>&1 || { echo "wine: wineboot failed" >&2; exit 1; }
    # an unhandled exception must end the program (backtrace on stderr), not open a dialog
    DISPLAY= wine reg add 'HKCU\Software\Wine\WineDbg' /v ShowCrashDialog /t REG_DWORD \
      /d 0 /f >/dev/null 2>&1 || { echo "wine: reg add failed" >&2; exit 1; }
    wineserver -w
    touch "$WINEPREFIX/.sasae-ready"
  ) 9>"$WINEPREFIX.lock"
}
