# Shared helpers of the relay integration tests: certificates (openssl CLI), free ports,
# starting and stopping a real sasae-relay. Sourced by tests/integration/relay_*.sh.
set -euo pipefail
: "${SASAE_BIN:?SASAE_BIN must point to the build directory}"
RELAY=$SASAE_BIN/relay/server/sasae-relay
TC=$SASAE_BIN/tests/relay_testclient
RAW=$SASAE_BIN/tests/relay_rawclient
WORK=$(mktemp -d /tmp/sasae-relay-test.XXXXXX)
PIDS=()
. "$SASAE_SRC/tests/integration/proc_lib.sh"
# Stops what the test left running, checks how every process ended and the logs for
# sanitizer reports (proc_lib.sh), keeps the test's exit status unless that finds a fault.
cleanup() {
  local rc=$? p i
  set +e
  # newest first: clients before the relay they talk to
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    p=${PIDS[i]}
    proc_reap "$p" "$(ps -o comm= -p "$p" 2>/dev/null || echo process)"
  done
  proc_scan_logs "$WORK"
  rc=$(proc_status "$rc")
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; [ -f "$WORK/relay.log" ] && tail -30 "$WORK/relay.log" >&2; exit 1; }
pass() { echo "ok: $*"; }

# A TCP port on 127.0.0.1 that nothing listens on right now (bind test via bash /dev/tcp
# would only test connect; python-free: try ports until connect fails and ss shows none).
free_port() {
  local p tries=0
  while :; do
    p=$(( 20000 + (RANDOM * 7 + $$ + tries * 131) % 40000 ))
    if ! ss -Hltn "sport = :$p" | grep -q . && ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
      echo "$p"; return
    fi
    tries=$((tries + 1))
  done
}

# make_certs DIR: org CA (Ed25519), relay cert (P-256, serverAuth, SAN 127.0.0.1/localhost),
# operators alice and bob (valid) and mallory (revoked), a CRL listing mallory.
make_certs() {
  local d=$1
  mkdir -p "$d"
  (
    cd "$d"
    openssl genpkey -algorithm ed25519 -out ca.key 2>/dev/null
    openssl req -new -x509 -key ca.key -out ca.pem -days 3650 -subj "/O=Test Org/CN=Test Org CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    cat > ca.cnf <<CNF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = ./index.txt
new_certs_dir = .
certificate = ./ca.pem
private_key = ./ca.key
serial = ./serial
crlnumber = ./crlnumber
default_md = default
default_crl_days = 30
default_days = 30
policy = policy_any
[ policy_any ]
organizationName = optional
commonName = supplied
[ srv ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[ op ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
CNF
    : > index.txt; echo 1000 > serial; echo 1000 > crlnumber
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out relay.key 2>/dev/null
    openssl req -new -key relay.key -out relay.csr -subj "/O=Test Org/CN=relay" 2>/dev/null
    openssl ca -batch -config ca.cnf -extensions srv -in relay.csr -out relay.pem -notext 2>/dev/null
    for op in alice bob mallory; do
      openssl genpkey -algorithm ed25519 -out $op.key 2>/dev/null
      openssl req -new -key $op.key -out $op.csr -subj "/O=Test Org/CN=$op" 2>/dev/null
      openssl ca -batch -config ca.cnf -extensions op -in $op.csr -out $op.pem -notext 2>/dev/null
    done
    openssl ca -batch -config ca.cnf -revoke mallory.pem 2>/dev/null
    openssl ca -batch -config ca.cnf -gencrl -out crl.pem 2>/dev/null
    # A second, unrelated CA + operator: must not be accepted.
    openssl genpkey -algorithm ed25519 -out evil-ca.key 2>/dev/null
    openssl req -new -x509 -key evil-ca.key -out evil-ca.pem -days 30 -subj "/O=Evil/CN=Evil CA" \
      -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
    openssl genpkey -algorithm ed25519 -out eve.key 2>/dev/null
    openssl req -new -key eve.key -out eve.csr -subj "/O=Test Org/CN=eve" 2>/dev/null
    openssl x509 -req -in eve.csr -CA evil-ca.pem -CAkey evil-ca.key -CAcreateserial -days 30 \
      -out eve.pem -extfile <(printf "extendedKeyUsage=clientAuth\n") 2>/dev/null
  ) || fail "certificate generation"
  [ -s "$d/crl.pem" ] && [ -s "$d/alice.pem" ] && [ -s "$d/relay.pem" ] || fail "certificates missing"
}

# start_relay [extra flags...]: starts sasae-relay on a free port with test certificates;
# sets RELAY_PORT, RELAY_PID, URL. Waits for its ready line.
start_relay() {
  [ -f "$WORK/certs/ca.pem" ] || make_certs "$WORK/certs"
  mkdir -p "$WORK/audit"
  local tries
  for tries in 1 2 3 4 5; do
    RELAY_PORT=${FIXED_PORT:-$(free_port)}
    # both emptied here, not by the redirections below: those run in the background child,
    # and a restart would otherwise find the last relay's ready line in relay.out
    : > "$WORK/relay.log"
    : > "$WORK/relay.out"
    "$RELAY" --port "$RELAY_PORT" --cert "$WORK/certs/relay.pem" --key "$WORK/certs/relay.key" \
      --operator-ca "$WORK/certs/ca.pem" --crl "$WORK/certs/crl.pem" --audit-dir "$WORK/audit" \
      --log-level "${RELAY_LOG:-info}" "$@" > "$WORK/relay.out" 2> "$WORK/relay.log" &
    RELAY_PID=$!
    PIDS+=("$RELAY_PID")
    local i
    for i in $(seq 1 100); do
      if grep -q "sasae-relay ready" "$WORK/relay.out" 2>/dev/null; then
        URL="wss://127.0.0.1:$RELAY_PORT/"
        return 0
      fi
      kill -0 "$RELAY_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill "$RELAY_PID" 2>/dev/null || true
    wait "$RELAY_PID" 2>/dev/null || true
  done
  fail "relay did not start"
}

stop_relay() {
  kill -TERM "$RELAY_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 100); do
    if ! kill -0 "$RELAY_PID" 2>/dev/null; then
      local rc=0
      wait "$RELAY_PID" || rc=$?
      # A clean drain exits 0; sanitizer reports (leaks, UB) make it non-zero.
      [ "$rc" = 0 ] || fail "relay exited with status $rc after SIGTERM"
      return 0
    fi
    sleep 0.1
  done
  fail "relay did not exit after SIGTERM"
}

relay_alive() { kill -0 "$RELAY_PID" 2>/dev/null; }

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

metric() { # metric NAME_WITH_LABELS -> value from /metrics
  curl -sk --cacert "$WORK/certs/ca.pem" "https://127.0.0.1:$RELAY_PORT/metrics" |
    awk -v m="$1" '$1 == m {print $2}'
}

CA="--ca $WORK/certs/ca.pem"
OP="--cert $WORK/certs/alice.pem --key $WORK/certs/alice.key"
