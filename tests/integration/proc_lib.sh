# Shared by every test helper library (sourced): how a test ends the processes it started and
# checks that each ended the way it should. A process still running at the end is stopped
# with SIGTERM and must then exit (status 0, or 143 when it keeps the default handler); one
# that ended by itself must not have crashed (SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL); and
# no log may hold a sanitizer report (ASan, LSan, UBSan). Each failure is printed and counted
# in PROC_FAILS; the cleanup then turns a passing test into a failing one.
[ -n "${PROC_LIB_LOADED:-}" ] && return 0
PROC_LIB_LOADED=1
PROC_FAILS=0

proc_bad() {
    echo "FAIL (at cleanup): $*" >&2
    PROC_FAILS=$((PROC_FAILS + 1))
}

# proc_reap PID NAME [WANT]: stops PID if it still runs and checks how it ended. WANT is a
# regular expression of acceptable statuses when the test stopped it (default 0|143).
proc_reap() {
    local pid=$1 name=$2 want=${3:-0|143} stopped=0 st=0 i
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        stopped=1
        for i in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null
            proc_bad "$name (pid $pid) did not exit within 10 s of SIGTERM"
        fi
    fi
    wait "$pid" 2>/dev/null
    st=$?
    # 127: not our child (started through another process, or already reaped by the test)
    [ "$st" = 127 ] && return 0
    if [ $stopped = 1 ]; then
        [[ "$st" =~ ^($want)$ ]] || proc_bad "$name (pid $pid) exited with status $st after SIGTERM"
    else
        case $st in
        132 | 134 | 135 | 136 | 139) proc_bad "$name (pid $pid) crashed: signal $((st - 128))" ;;
        esac
    fi
    return 0
}

# proc_reap_unrelated PID NAME: the same for a process that is not this shell's child (a
# host under tmux or script): SIGTERM, then it must be gone within 10 s.
proc_reap_unrelated() {
    local pid=$1 name=$2 i
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    proc_bad "$name (pid $pid) did not exit within 10 s of SIGTERM"
}

# proc_scan_logs DIR...: every sanitizer report in the files under DIR fails the test.
proc_scan_logs() {
    local f
    for f in $(grep -rlE 'ERROR: (AddressSanitizer|LeakSanitizer)|WARNING: ThreadSanitizer|runtime error: |SUMMARY: (Address|Undefined|Leak|Thread)Sanitizer' "$@" 2>/dev/null); do
        proc_bad "sanitizer report in $f:"
        grep -m 12 -A 10 -E 'ERROR: |WARNING: |runtime error: ' "$f" >&2 || true
    done
}

# proc_status RC: the test's final status: RC, or 1 when RC was 0 and a check above failed.
proc_status() {
    if [ "$1" = 0 ] && [ "$PROC_FAILS" -gt 0 ]; then
        echo "the test passed, but $PROC_FAILS process check(s) failed at cleanup" >&2
        echo 1
    else
        echo "$1"
    fi
}
