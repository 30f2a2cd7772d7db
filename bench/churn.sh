#!/usr/bin/env bash
# Churn: many support sessions set up and torn down against one sasae-relay. Each round,
# relay_testclient pairs BATCH hosts with BATCH viewers (real TLS, operator certificate,
# code join), exchanges a few messages each way, and closes; the relay's memory and open
# fds are sampled between rounds (when no client is connected; fds must stay at the first sample's count, memory
# is reported), and at the end its audit
# log must hold one register/join/paired/end record per session, each line valid JSON.
#
# usage: bench/churn.sh [--sessions 100000] [--batch 50] [--samples 10] [--keep]
# Binaries from $SASAE_BIN (default build/). Loopback only, no root needed.
#
# Prints: sessions/s, the relay's RSS and fds at each sample, RSS after the first sample
# (warm-up) vs the end, and the audit counts. Exit status 1 if a round failed, the idle fds
# grew, or the audit log does not account for every session.
set -euo pipefail

N=100000 BATCH=50 NSAMP=10 KEEP=0
while [ $# -gt 0 ]; do
  case $1 in
  --sessions) N=$2; shift 2 ;;
  --batch) BATCH=$2; shift 2 ;;
  --samples) NSAMP=$2; shift 2 ;;
  --keep) KEEP=1; shift ;;
  -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
  *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $N =~ ^[0-9]+$ && $BATCH =~ ^[1-9][0-9]*$ && $NSAMP =~ ^[1-9][0-9]*$ ]] || { echo "bad number" >&2; exit 2; }
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${SASAE_BIN:-$SRC/build}" && pwd)
for t in relay/certs/sasae-certs relay/server/sasae-relay tests/relay_testclient; do
  [ -x "$B/$t" ] || { echo "missing $B/$t (build first)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/sasae-churn.XXXXXX)
RPID=
cleanup() {
  set +e
  [ -n "$RPID" ] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null
  if [ $KEEP -eq 1 ]; then echo "logs kept in $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

C=$T/certs
"$B/relay/certs/sasae-certs" --dir "$C" init-ca --org "Churn Desk" >/dev/null
"$B/relay/certs/sasae-certs" --dir "$C" issue-operator --name "Cat Churn" >/dev/null
"$B/relay/certs/sasae-certs" --dir "$C" issue-relay --host 127.0.0.1 >/dev/null
while :; do
  PORT=$((20000 + RANDOM % 40000))
  ss -Hltn "sport = :$PORT" | grep -q . || break
done
# one address opens every connection: the per-address limits would (rightly) refuse it
"$B/relay/server/sasae-relay" --port "$PORT" --cert "$C/relay.pem" --key "$C/relay.key" \
  --operator-ca "$C/ca.pem" --crl "$C/crl.pem" --audit-dir "$T/audit" --log-level warn \
  --conn-rate 1000000 --join-rate 1000000 --max-conns-per-addr 1000000 \
  >"$T/relay.out" 2>"$T/relay.log" &
RPID=$!
for _ in $(seq 200); do grep -q "sasae-relay ready" "$T/relay.out" && break; sleep 0.1; done
grep -q "sasae-relay ready" "$T/relay.out" || { echo "relay did not start" >&2; cat "$T/relay.log" >&2; exit 1; }

sample() { echo "$(awk '/VmRSS/ {print $2}' /proc/$RPID/status) $(ls /proc/$RPID/fd | wc -l)"; }
rounds=$(((N + BATCH - 1) / BATCH))
every=$(((rounds + NSAMP - 1) / NSAMP))
echo "churn: $N sessions in $rounds rounds of $BATCH; load $(cut -d' ' -f1-3 /proc/loadavg)"
read -r rss0 fd0 <<<"$(sample)"
printf '%9s %8s %9s %5s\n' sessions seconds "RSS MB" fds
printf '%9d %8.1f %9.1f %5d\n' 0 0 "$(echo "$rss0/1024" | bc -l)" "$fd0"
echo "0 $rss0 $fd0" >"$T/samples"
done_s=0 failed=0
t0=$(date +%s.%N)
for ((r = 1; r <= rounds; r++)); do
  b=$BATCH
  [ $((done_s + b)) -gt "$N" ] && b=$((N - done_s))
  if ! "$B/tests/relay_testclient" pairs --url "wss://127.0.0.1:$PORT/" --ca "$C/ca.pem" \
    --cert "$C/operators/cat-churn.pem" --key "$C/operators/cat-churn.key" \
    --sessions "$b" --msgs 2 --size 256 --timeout 30 >"$T/round.out" 2>"$T/round.err"; then
    failed=$((failed + 1))
    cp "$T/round.out" "$T/failed-$r.out"
    cp "$T/round.err" "$T/failed-$r.err"
    echo "round $r failed: $(grep RESULT "$T/round.out")"
    grep -hE "^pair|FAIL" "$T/round.out" "$T/round.err" | head -3
  fi
  done_s=$((done_s + b))
  if [ $((r % every)) -eq 0 ] || [ $r -eq $rounds ]; then
    sleep 0.3 # the relay closes its side of the last connections
    read -r rss fd <<<"$(sample)"
    echo "$done_s $rss $fd" >>"$T/samples"
    printf '%9d %8.1f %9.1f %5d\n' "$done_s" "$(echo "$(date +%s.%N) - $t0" | bc -l)" "$(echo "$rss/1024" | bc -l)" "$fd"
  fi
  kill -0 $RPID 2>/dev/null || { echo "relay died" >&2; exit 1; }
done
el=$(echo "$(date +%s.%N) - $t0" | bc -l)
printf 'set-up + tear-down: %d sessions in %.0f s = %.0f sessions/s (%d failed rounds)\n' "$N" "$el" "$(echo "$N/$el" | bc -l)" "$failed"

python3 - "$T/samples" "$T/audit" "$N" "$failed" <<'EOF'
import sys, json, glob, collections
samples, audit, n, failed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = [list(map(int, l.split())) for l in open(samples) if l.strip()]
bad = failed > 0
w, e = rows[1] if len(rows) > 2 else rows[0], rows[-1]
peak = max(r[1] for r in rows[1:]) if len(rows) > 1 else rows[0][1]
print(f"relay RSS MB: idle {rows[0][1]/1024:.1f}, after {w[0]} sessions {w[1]/1024:.1f}, peak {peak/1024:.1f}, "
      f"end {e[1]/1024:.1f} ({(e[1]-w[1])/1024:+.1f} MB since the first sample, "
      f"{(e[1]-w[1])*1024.0/max(1, e[0]-w[0]):.2f} bytes per session)")
# the first session opens the day's audit file: one fd more than idle from then on
print(f"relay fds: idle {rows[0][2]}, after {w[0]} sessions {w[2]}, samples {min(r[2] for r in rows)}..{max(r[2] for r in rows)}, end {e[2]}")
if e[2] > w[2]:
    print("  fds grew"); bad = True
events, ended_by, sessions, badlines = collections.Counter(), collections.Counter(), set(), 0
for f in sorted(glob.glob(audit + "/*.jsonl")):
    for line in open(f):
        try:
            r = json.loads(line)
        except ValueError:
            badlines += 1
            continue
        events[(r.get("event"), r.get("result", "-"))] += 1
        if r.get("event") == "end":
            ended_by[r.get("ended_by")] += 1
            sessions.add(r.get("session"))
print("audit:", ", ".join(f"{k[0]}/{k[1]} {v}" for k, v in sorted(events.items())),
      f"; end records by {dict(ended_by)}; {len(sessions)} distinct sessions; {badlines} bad lines")
# Every registration has its end record, paired or not (a round that failed under load
# leaves hosts nobody joined: "end" with result "unpaired"); every pair was joined once.
ends = sum(v for k, v in events.items() if k[0] == "end")
unpaired = events[("end", "unpaired")]
if events[("register", "ok")] != n or ends != n or badlines:
    print(f"  register/ok {events[('register', 'ok')]}, end records {ends}, expected {n}; {badlines} bad lines"); bad = True
for ev in ("join", "paired"):
    if events[(ev, "ok")] != n - unpaired:
        print(f"  {ev}/ok: {events[(ev, 'ok')]} != {n - unpaired}"); bad = True
sys.exit(1 if bad else 0)
EOF
