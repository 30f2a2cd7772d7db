# Shared by the host's integration scripts: a throw-away PKI, a real sasae-relay on a free
# loopback port, sasae-host in a tmux pty with --consent=tty, and the C test viewer.
# Everything started here is stopped by host_cleanup (call it from an EXIT trap).

HL_BIN=${SASAE_BIN:?}
HL_DIR=$(mktemp -d /tmp/sasae-host-it-XXXXXX)
HL_RELAY_PID=
HL_TMUX=
HL_VIEWER_PID=
HL_N=0

hl_fail() {
    echo "FAIL: $*" >&2
    for f in "$HL_DIR"/*.out "$HL_DIR"/*.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -30 "$f" >&2; }
    done
    exit 1
}

hl_wait() { # hl_wait SECONDS CMD...: polls a condition
    local t=$1 i
    shift
    for i in $(seq 1 $((t * 10))); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

. "$SASAE_SRC/tests/integration/proc_lib.sh"
# Stops what the test left running (the test viewer, hosts under tmux, the relay), checks
# how each ended and the logs for sanitizer reports (proc_lib.sh); keeps the test's exit
# status unless that finds a fault.
host_cleanup() {
    local rc=$? p
    set +e
    proc_reap "$HL_VIEWER_PID" host_test_viewer
    # hosts under tmux: the pane runs sh -c '<host>; echo exit $?; sleep', the host its child
    for p in $(tmux -L "sasae$$" list-panes -a -F '#{pane_pid}' 2>/dev/null); do
        for p in $(pgrep -P "$p" -x sasae-host); do proc_reap_unrelated "$p" sasae-host; done
    done
    tmux -L "sasae$$" kill-server 2>/dev/null
    proc_reap "$HL_RELAY_PID" sasae-relay 0
    proc_scan_logs "$HL_DIR"
    rc=$(proc_status "$rc")
    rm -rf "$HL_DIR"
    exit "$rc"
}

hl_pki() {
    local c="$HL_BIN/relay/certs/sasae-certs" d="$HL_DIR/pki"
    "$c" --dir "$d" init-ca --org "Example Help Desk" >/dev/null &&
        "$c" --dir "$d" issue-operator --name "Hanako Sato" >/dev/null &&
        "$c" --dir "$d" issue-relay --host 127.0.0.1 >/dev/null || hl_fail "PKI"
}

hl_relay() { # hl_relay [RELAY_ARGS...]: the relay on the first free port from a per-process base
    local base=$((20000 + ($$ * 7) % 30000)) p
    for p in $(seq "$base" $((base + 40))); do
        "$HL_BIN/relay/server/sasae-relay" --listen 127.0.0.1 --port "$p" \
            --cert "$HL_DIR/pki/relay.pem" --key "$HL_DIR/pki/relay.key" \
            --operator-ca "$HL_DIR/pki/ca.pem" --crl "$HL_DIR/pki/crl.pem" \
            --audit-dir "$HL_DIR/audit" "$@" >"$HL_DIR/relay.log" 2>&1 &
        HL_RELAY_PID=$!
        if hl_wait 10 grep -q "ready port=$p" "$HL_DIR/relay.log"; then
            HL_PORT=$p
            HL_URL="wss://127.0.0.1:$p/"
            return 0
        fi
        kill "$HL_RELAY_PID" 2>/dev/null
        wait "$HL_RELAY_PID" 2>/dev/null
        HL_RELAY_PID=
    done
    hl_fail "no free port for the relay"
}

hl_metric() { # hl_metric DIR -> bytes forwarded host_to_viewer|viewer_to_host
    curl -s --cacert "$HL_DIR/pki/ca.pem" "https://127.0.0.1:$HL_PORT/metrics" |
        sed -n "s/^sasae_relay_bytes_total{dir=\"$1\"} //p"
}

hl_host() { # hl_host EXTRA_ARGS...: sasae-host --consent=tty in a tmux pty; sets HL_CODE
    HL_N=$((HL_N + 1))
    if [ -n "$HL_TMUX" ]; then tmux -L "sasae$$" kill-session -t "$HL_TMUX" 2>/dev/null || true; fi
    HL_TMUX="sasae-host-$$-$HL_N"
    HL_HOST_OUT="$HL_DIR/host$HL_N.out"
    HL_HOST_LOG="$HL_DIR/host$HL_N.log"
    : >"$HL_HOST_OUT"
    local cmd="'$HL_BIN/host/sasae-host' --relay $HL_URL --relay-ca '$HL_DIR/pki/ca.pem' \
         --org-ca '$HL_DIR/pki/ca.pem' --state-dir '$HL_DIR/state' \
         --consent tty --no-proxy $* >'$HL_HOST_OUT' 2>'$HL_HOST_LOG'; echo \"exit \$?\" >>'$HL_HOST_OUT'; sleep 30"
    # a tmux server that is just exiting (its last session killed) can refuse: retry
    hl_wait 10 tmux -L "sasae$$" new-session -d -s "$HL_TMUX" -x 160 -y 40 "$cmd" || hl_fail "tmux"
    hl_wait 20 grep -q "support code" "$HL_HOST_OUT" || hl_fail "host did not show a code"
    HL_CODE=$(grep -o 'code: [0-9 ]*' "$HL_HOST_OUT" | head -1 | tr -dc 0-9)
    [ ${#HL_CODE} -eq 12 ] || hl_fail "bad code '$HL_CODE'"
}

hl_type() { # hl_type TEXT: types a line on the host's terminal
    tmux -L "sasae$$" send-keys -t "$HL_TMUX" -l "$1"
    tmux -L "sasae$$" send-keys -t "$HL_TMUX" Enter
}

hl_answer() { # hl_answer TEXT: waits for the question's [y/N] line, then types TEXT
    hl_wait 10 grep -q '\[y/N\]' "$HL_HOST_OUT" || hl_fail "no [y/N] question line"
    hl_type "$1"
}

hl_viewer() { # hl_viewer ARGS...: starts the test viewer with the current code
    HL_VIEWER_OUT="$HL_DIR/viewer$HL_N.out"
    "$HL_BIN/tests/host_test_viewer" --relay "$HL_URL" --relay-ca "$HL_DIR/pki/ca.pem" \
        --cert "$HL_DIR/pki/operators/${HL_OPERATOR:-hanako-sato}.pem" \
        --key "$HL_DIR/pki/operators/${HL_OPERATOR:-hanako-sato}.key" --code "$HL_CODE" "$@" \
        >"$HL_VIEWER_OUT" 2>"$HL_DIR/viewer$HL_N.log" &
    HL_VIEWER_PID=$!
}

hl_vsaw() { grep -q " $1" "$HL_VIEWER_OUT"; }
hl_hsaw() { grep -q "$1" "$HL_HOST_OUT" "$HL_HOST_LOG"; }
hl_frames() { grep -c " frame " "$HL_VIEWER_OUT" || true; }
hl_frames_atleast() { [ "$(hl_frames)" -ge "$1" ]; }
