#!/usr/bin/env bash
# Trust on Windows comes only from what the help desk gave the host: a rogue relay whose
# certificate is signed by a CA planted in every place OpenSSL would look (its compiled-in
# OPENSSLDIR inside the Wine prefix, lws's default client-certificate folder, SSL_CERT_FILE,
# SSL_CERT_DIR) is refused, and a planted OpenSSL config (OPENSSL_CONF and OPENSSLDIR's
# openssl.cnf, made so that loading it breaks TLS) is never read: the same host pairs with
# the help desk's real relay while it is there. Also: an unreachable relay gives a clear
# error; a CONNECT proxy with Basic authentication works, and a wrong password is an error.
set -euo pipefail
. "$SASAE_SRC/tests/gui/host_gui_lib.sh"
. "$SASAE_SRC/tests/win/wine-lib.sh"
hl_pki
hl_relay
REAL_URL=$HL_URL

# the attacker's PKI and relay (same host name, its own CA)
C=$HL_BIN/relay/certs/sasae-certs
"$C" --dir "$HL_DIR/evil" init-ca --org "Evil Relay" >/dev/null
"$C" --dir "$HL_DIR/evil" issue-relay --host 127.0.0.1 >/dev/null
"$C" --dir "$HL_DIR/evil" issue-operator --name "Mallory" >/dev/null
EPORT=
for p in $(seq $((HL_PORT + 1)) $((HL_PORT + 40))); do
    "$HL_BIN/relay/server/sasae-relay" --listen 127.0.0.1 --port "$p" \
        --cert "$HL_DIR/evil/relay.pem" --key "$HL_DIR/evil/relay.key" \
        --operator-ca "$HL_DIR/evil/ca.pem" --crl "$HL_DIR/evil/crl.pem" \
        --audit-dir "$HL_DIR/evil-audit" >"$HL_DIR/evil-relay.log" 2>&1 &
    EVIL_PID=$!
    if hl_wait 10 grep -q "ready port=$p" "$HL_DIR/evil-relay.log"; then EPORT=$p; break; fi
    kill "$EVIL_PID" 2>/dev/null; wait "$EVIL_PID" 2>/dev/null || true
done
[ -n "$EPORT" ] || hl_fail "no port for the rogue relay"
trap 'rc=$?; set +e; kill $EVIL_PID 2>/dev/null; wait $EVIL_PID 2>/dev/null; (exit $rc); host_gui_cleanup' EXIT

# The compiled-in OpenSSL directory is one ordinary users cannot create.
grep -aq 'C:/Windows/System32/sasae-no-openssl-dir/cert.pem' "$WIN_HOST" ||
    hl_fail "the exe's OPENSSLDIR is not the locked-down folder"
# ...and no other certificate location is compiled in (lws's "../share" fallback folder is
# only read by a client given no CA at all, which sasae never is: it is planted below)
other=$(strings -a "$WIN_HOST" | grep -E '(cert\.pem|/certs)$' |
    grep -v '^C:/Windows/System32/sasae-no-openssl-dir' || true)
[ -z "$other" ] || hl_fail "other trust locations compiled in: $other"

# Plant the rogue CA and a poisoned config everywhere OpenSSL or lws would look.
plant() { # plant DIR
    mkdir -p "$1/certs"
    cp "$HL_DIR/evil/ca.pem" "$1/cert.pem"
    cp "$HL_DIR/evil/ca.pem" "$1/certs/$(openssl x509 -hash -noout -in "$HL_DIR/evil/ca.pem").0"
    cat >"$1/openssl.cnf" <<'CNF'
# planted by the test: loading this file makes OpenSSL initialisation fail
config_diagnostics = 1
openssl_conf = planted
[planted]
no_such_module = planted_nothing
ssl_conf = planted_ssl
[planted_ssl]
system_default = planted_sd
[planted_sd]
CipherSuites = TLS_CHACHA20_POLY1305_SHA256
CNF
}
SYSDIR="$WINEPREFIX/drive_c/windows/system32/sasae-no-openssl-dir"
plant "$SYSDIR"
plant "$HL_DIR/planted"
mkdir -p "$HL_DIR/run/x" "$HL_DIR/run/share"
plant "$HL_DIR/run/share" # lws's default client CA folder is ../share, from the working dir
cleanup_plant() { rm -rf "$SYSDIR"; }
trap 'rc=$?; set +e; cleanup_plant; kill $EVIL_PID 2>/dev/null; wait $EVIL_PID 2>/dev/null; (exit $rc); host_gui_cleanup' EXIT
ENVP=(env SSL_CERT_FILE="$HL_DIR/planted/cert.pem" SSL_CERT_DIR="$HL_DIR/planted/certs"
    OPENSSL_CONF="$HL_DIR/planted/openssl.cnf")

whost() { # whost URL NAME: the host under Wine with the planted environment, expected to
    # fail to reach the relay: it must say why in its window and log, and exit when the
    # customer closes the window
    (cd "$HL_DIR/run/x" && exec "${ENVP[@]}" wine "$WIN_HOST" --relay "$1" \
        --relay-ca "$HL_DIR/pki/ca.pem" --org-ca "$HL_DIR/pki/ca.pem" \
        --state-dir "$HL_DIR/state" --no-proxy >"$HL_DIR/$2.out" 2>"$HL_DIR/$2.log") &
    HOST_PID=$!
    hl_wait 60 grep -q "relay connection closed" "$HL_DIR/$2.log" || hl_fail "$2: no error logged"
    wait_for window_sized sasae 620 250 || hl_fail "$2: no window saying why"
    read -r X Y W H < <(window_geom sasae 620)
    xdotool mousemove $((X + W - 95)) $((Y + H - 42)) click 1
    hl_wait 20 bash -c "! kill -0 $HOST_PID 2>/dev/null" || hl_fail "$2: no exit on Close"
    RC=0
    wait "$HOST_PID" || RC=$?
    HOST_PID=
    grep "relay connection closed" "$HL_DIR/$2.log" | head -1
}

echo "== the rogue relay (signed by the planted CA) is refused"
whost "wss://127.0.0.1:$EPORT/" rogue
grep -q "support code: [0-9]" "$HL_DIR/rogue.log" && hl_fail "a code from the rogue relay"
[ "$RC" -eq 0 ] || hl_fail "exit $RC after Close"
grep -q "the relay.s certificate was refused" "$HL_DIR/rogue.log" ||
    hl_fail "no clear certificate error"
grep -q "register" "$HL_DIR/evil-audit"/* 2>/dev/null && hl_fail "the rogue relay saw a registration"

echo "== the planted config is not read: the real relay works with it present"
(cd "$HL_DIR/run/x" && "${ENVP[@]}" wine "$WIN_HOST" --relay "$REAL_URL" \
    --relay-ca "$HL_DIR/pki/ca.pem" --org-ca "$HL_DIR/pki/ca.pem" \
    --state-dir "$HL_DIR/state" --no-proxy >"$HL_DIR/real.out" 2>"$HL_DIR/real.log") &
HOST_PID=$!
hl_wait 60 grep -q "support code: [0-9]" "$HL_DIR/real.log" || hl_fail "no code from the real relay"
kill "$HOST_PID" 2>/dev/null || true
wait "$HOST_PID" 2>/dev/null || true
HOST_PID=

echo "== an unreachable relay: a clear error"
whost "wss://127.0.0.1:1/" unreachable
grep -Eiq "could not connect|refused|connect" "$HL_DIR/unreachable.log" ||
    hl_fail "no clear connection error"
echo "== through a CONNECT proxy with Basic authentication (tinyproxy): right and wrong password"
PPORT=$((HL_PORT + 50))
while (exec 3<>/dev/tcp/127.0.0.1/$PPORT) 2>/dev/null; do PPORT=$((PPORT + 1)); done
cat >"$HL_DIR/tinyproxy.conf" <<CONF
Port $PPORT
Listen 127.0.0.1
Timeout 60
MaxClients 20
Allow 127.0.0.1
BasicAuth helpdesk s3cret
ConnectPort $HL_PORT
LogLevel Info
LogFile "$HL_DIR/tinyproxy.log"
PidFile "$HL_DIR/tinyproxy.pid"
CONF
tinyproxy -d -c "$HL_DIR/tinyproxy.conf" >"$HL_DIR/tinyproxy.out" 2>&1 &
PROXY_PID=$!
trap 'rc=$?; set +e; kill $PROXY_PID 2>/dev/null; cleanup_plant; kill $EVIL_PID 2>/dev/null; wait $EVIL_PID 2>/dev/null; (exit $rc); host_gui_cleanup' EXIT
hl_wait 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PPORT" || hl_fail "tinyproxy did not start"
(cd "$HL_DIR/run/x" && exec wine "$WIN_HOST" --relay "$REAL_URL" --relay-ca "$HL_DIR/pki/ca.pem" \
    --org-ca "$HL_DIR/pki/ca.pem" --state-dir "$HL_DIR/state" \
    --proxy "http://helpdesk:s3cret@127.0.0.1:$PPORT" >"$HL_DIR/proxy.out" 2>"$HL_DIR/proxy.log") &
HOST_PID=$!
hl_wait 60 grep -q "support code: [0-9]" "$HL_DIR/proxy.log" || hl_fail "no code through the proxy"
grep -q "CONNECT" "$HL_DIR/tinyproxy.log" || hl_fail "the proxy was not used"
kill "$HOST_PID" 2>/dev/null || true
wait "$HOST_PID" 2>/dev/null || true
HOST_PID=
ENVP=(env) # the wrong-password run needs no planted files
(cd "$HL_DIR/run/x" && exec wine "$WIN_HOST" --relay "$REAL_URL" --relay-ca "$HL_DIR/pki/ca.pem" \
    --org-ca "$HL_DIR/pki/ca.pem" --state-dir "$HL_DIR/state" \
    --proxy "http://helpdesk:wrong@127.0.0.1:$PPORT" >"$HL_DIR/p407.out" 2>"$HL_DIR/p407.log") &
HOST_PID=$!
hl_wait 60 grep -q "relay connection closed" "$HL_DIR/p407.log" || hl_fail "407: no error logged"
grep "relay connection closed" "$HL_DIR/p407.log" | head -1
grep -q "the proxy 127.0.0.1:$PPORT refused the connection" "$HL_DIR/p407.log" ||
    hl_fail "407: no clear proxy error"
grep -q "wrong" "$HL_DIR/p407.log" && hl_fail "the proxy password is in the log"
grep -q "support code: [0-9]" "$HL_DIR/p407.log" && hl_fail "a code despite the wrong password"
kill "$HOST_PID" 2>/dev/null || true
wait "$HOST_PID" 2>/dev/null || true
HOST_PID=
echo PASS
