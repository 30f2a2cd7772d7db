#!/usr/bin/env bash
# The audit log across UTC midnight, with the real relay: it runs under faketime (its wall
# clock starts at 23:59:57 UTC today; monotonic time is left alone) and strace (its file
# system calls). Sessions run across midnight; the relay is killed with SIGKILL right after
# the new day's records are on disk. Then: every session's records are there, in the file
# of their own UTC day, each line one whole JSON object (also after a restart appends to
# the same files); the writer fsync'd every day file before closing it and fsync'd the
# directory after creating each day file (what a machine crash right after midnight would
# otherwise lose: the page cache survives a process kill, so the trace shows it).
source "$(dirname "$0")/relay_lib.sh"
for t in faketime strace python3; do
  command -v $t > /dev/null || fail "$t missing (scripts/setup.sh installs it)"
done
make_certs "$WORK/certs"
D0=$(date -u +%Y-%m-%d)
# Too close to the real midnight, the certificates (valid from now) and the day would race.
[ "$(date -u +%H%M)" -lt 2358 ] || { sleep 180; D0=$(date -u +%Y-%m-%d); }
D1=$(date -u -d "$D0 + 1 day" +%Y-%m-%d)
REAL_RELAY=$RELAY
cat > "$WORK/relay-faked" <<W
#!/bin/sh
# libfaketime is preloaded; ASan accepts it ahead of its runtime with this option.
export TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1
export ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}verify_asan_link_order=0"
exec strace -f -ff -qq -o "$WORK/trace" -e trace=openat,write,fsync,fdatasync,close \
  faketime -f "@$D0 23:59:57" "$REAL_RELAY" "\$@"
W
chmod +x "$WORK/relay-faked"
RELAY=$WORK/relay-faked
start_relay --conn-rate 100000 --join-rate 100000 --max-conns-per-addr 100000
A0=$WORK/audit/audit-$D0.jsonl A1=$WORK/audit/audit-$D1.jsonl
paired() { cat "$@" 2>/dev/null | grep -c '"event":"paired"' || true; }
ends() { cat "$@" 2>/dev/null | grep '"event":"end"' | grep -c '"session"' || true; }
n=0
for i in $(seq 1 60); do
  $TC pairs --url "$URL" $CA $OP --sessions 1 --msgs 2 --size 100 --timeout 20 | grep -q "RESULT ok" \
    || fail "session $i failed"
  n=$((n + 1))
  [ "$(paired "$A1")" -ge 3 ] && break
  sleep 0.2
done
# Right after the last session's records are written: SIGKILL.
for i in $(seq 1 50); do [ "$(ends "$A0" "$A1")" -ge "$n" ] && break; sleep 0.05; done
# the relay itself (strace runs faketime, which runs the relay: killing strace alone would
# leave the relay running, detached), then the tracer
RELAY_REAL_PID=$(pgrep -f -- "^$REAL_RELAY --port $RELAY_PORT " | head -n 1 || true)
[ -n "$RELAY_REAL_PID" ] || fail "the relay process under faketime was not found"
kill -KILL "$RELAY_REAL_PID"
for i in $(seq 1 50); do kill -0 "$RELAY_REAL_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$RELAY_REAL_PID" 2>/dev/null && fail "the relay survived SIGKILL"
kill -KILL "$RELAY_PID" 2>/dev/null || true
wait "$RELAY_PID" 2>/dev/null || true
pkill -KILL -P "$RELAY_PID" 2>/dev/null || true
p0=$(paired "$A0"); p1=$(paired "$A1")
echo "$n sessions: $p0 paired before midnight ($D0), $p1 after ($D1)"
[ "$p0" -ge 1 ] && [ "$p1" -ge 1 ] || fail "sessions did not cross midnight (faketime?)"
[ $((p0 + p1)) -eq "$n" ] || fail "paired records: $((p0 + p1)) for $n sessions"
[ "$(ends "$A0" "$A1")" -eq "$n" ] || fail "end records: $(ends "$A0" "$A1") for $n sessions"

# check_lines: every line of every audit file is one JSON object stamped with the file's day.
check_lines() {
  python3 - "$WORK/audit" <<'PY' || fail "audit files hold a torn or misplaced line"
import json, os, sys
d = sys.argv[1]
bad = 0
for name in sorted(os.listdir(d)):
    day = name[len("audit-"):-len(".jsonl")]
    with open(os.path.join(d, name), "rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                rec = json.loads(raw)
                assert raw.endswith(b"\n") and rec["ts"].startswith(day + "T")
            except Exception as e:
                print(f"{name}:{n}: {raw!r} ({e})")
                bad += 1
sys.exit(1 if bad else 0)
PY
}
check_lines
pass "every record of $n sessions is there after SIGKILL, whole, in the file of its UTC day"

# The writer thread's system calls (strace -ff: one file per thread).
W=$(grep -l "audit-$D1.jsonl" "$WORK"/trace.* | head -1)
[ -n "$W" ] || fail "no thread opened the new day's file (strace?)"
awk -v dir="$WORK/audit" '
  function fdof(line) { sub(/^[a-z]+\(/, "", line); sub(/[,)].*/, "", line); return line }
  /^openat\(/ {
    fd = $NF
    if ($0 ~ /audit-[0-9-]+\.jsonl"/) { match($0, /audit-[0-9-]+\.jsonl/); file[fd] = substr($0, RSTART, RLENGTH); dirty[fd] = 0; opened[file[fd]] = 1; need_dirsync[file[fd]] = 1; last = file[fd] }
    else if ($0 ~ ("\"" dir "\"") && $0 ~ /O_DIRECTORY/ && $0 !~ /O_NONBLOCK/) isdir[fd] = 1
    next
  }
  /^write\(/ { fd = fdof($0); if (fd in file && $NF + 0 > 0) dirty[fd] = 1; next }
  /^(fsync|fdatasync)\(/ { fd = fdof($0); if ($NF != 0) next; if (fd in file) dirty[fd] = 0; if (fd in isdir) for (f in need_dirsync) delete need_dirsync[f]; next }
  /^close\(/ { fd = fdof($0); if (fd in file && dirty[fd]) { print "closed with unsynced records: " file[fd]; bad = 1 } delete file[fd]; delete isdir[fd]; next }
  END {
    for (f in need_dirsync) { print "directory not fsynced after creating " f; bad = 1 }
    n = 0; for (f in opened) n++
    if (n < 2) { print "the writer opened " n " day file(s), expected 2"; bad = 1 }
    exit bad
  }' "$W" || fail "audit day switch not durable (see above; trace $W)"
grep -q "^close(" "$W" || fail "the trace shows no close (check broken)"
pass "the writer fsync'd $D0's file before closing it, and the directory after creating each day file"

# A restart appends to the same directory (today's real date): still whole lines.
RELAY=$REAL_RELAY
start_relay
$TC pairs --url "$URL" $CA $OP --sessions 1 --msgs 2 --size 100 --timeout 20 | grep -q "RESULT ok" \
  || fail "session after restart"
stop_relay
check_lines
[ "$(paired "$A0" "$A1")" -eq $((n + 1)) ] || fail "records lost across the restart"
pass "restart after SIGKILL appends whole lines"
