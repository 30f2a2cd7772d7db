# Shared by the relay cluster tests (sourced after relay_lib.sh): the cluster's certificates,
# starting nodes, and hosts registered on a given node.

# the relay's and operators' certificates (a test that made its own keeps them)
[ -s "$WORK/certs/ca.pem" ] || make_certs "$WORK/certs"

# The cluster's own CA and node certificates (client + server, for 127.0.0.1), and a node
# certificate from another CA (a process that is not part of the cluster).
(
  cd "$WORK/certs"
  for ca in cluster rogue; do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $ca-ca.key 2>/dev/null
    openssl req -new -x509 -key $ca-ca.key -out $ca-ca.pem -days 30 -subj "/O=Test Org/CN=$ca CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
  done
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost\n' > node.ext
  for n in node rogue; do
    ca=cluster; [ $n = rogue ] && ca=rogue
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $n.key 2>/dev/null
    openssl req -new -key $n.key -out $n.csr -subj "/O=Test Org/CN=$n" 2>/dev/null
    openssl x509 -req -in $n.csr -CA $ca-ca.pem -CAkey $ca-ca.key -CAcreateserial -days 30 \
      -out $n.pem -extfile node.ext 2>/dev/null
  done
) || fail "cluster certificates"
[ -s "$WORK/certs/node.pem" ] && [ -s "$WORK/certs/rogue.pem" ] || fail "cluster certificates missing"

# start_node N [flags]: node N with its cluster section in a config file; CLUSTER_DIR holds
# its directory lines (cluster-redis, and cluster-sentinel-master with Sentinels)
declare -A NPORT CPORT NPID
start_node() {
  local n=$1 tries
  shift
  for tries in 1 2 3 4 5; do
    # (a restarted node keeps its ports; a port another process took meanwhile: new ones)
    [ -n "${NPORT[$n]:-}" ] || { NPORT[$n]=$(free_port); CPORT[$n]=$(free_port); }
    mkdir -p "$WORK/audit$n"
    cat > "$WORK/node$n.conf" <<CONF
# the cluster section
$CLUSTER_DIR
cluster-node = n$n
cluster-advertise = 127.0.0.1:${CPORT[$n]}
cluster-port = ${CPORT[$n]}
cluster-cert = $WORK/certs/node.pem
cluster-key = $WORK/certs/node.key
cluster-ca = $WORK/certs/cluster-ca.pem
CONF
    : > "$WORK/node$n.out"
    "$RELAY" --config "$WORK/node$n.conf" --port "${NPORT[$n]}" --cert "$WORK/certs/relay.pem" \
      --key "$WORK/certs/relay.key" --operator-ca "$WORK/certs/ca.pem" --crl "$WORK/certs/crl.pem" \
      --audit-dir "$WORK/audit$n" --conn-rate 100000 --join-rate 100000 \
      --max-conns-per-addr 100000 --max-failed-joins 20 --drain-timeout 30 "$@" \
      > "$WORK/node$n.out" 2>> "$WORK/node$n.log" &
    NPID[$n]=$!
    PIDS+=("${NPID[$n]}")
    for i in $(seq 1 100); do
      grep -q "sasae-relay ready" "$WORK/node$n.out" 2>/dev/null && return 0
      kill -0 "${NPID[$n]}" 2>/dev/null || break
      sleep 0.1
    done
    kill "${NPID[$n]}" 2>/dev/null || true
    wait "${NPID[$n]}" 2>/dev/null || true
    NPORT[$n]=""
  done
  tail -20 "$WORK/node$n.log" >&2
  fail "node $n did not start"
}
url() { echo "wss://127.0.0.1:${NPORT[$1]}/"; }
health() { curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:${NPORT[$1]}/healthz" || true; }
node_metric() { # node_metric N NAME
  curl -sk "https://127.0.0.1:${NPORT[$1]}/metrics" | awk -v m="$2" '$1 == m {print $2}'
}

# host_on N FILE [args]: a host registered on node N, its code in FILE (waits for it)
host_on() {
  local n=$1 f=$2
  shift 2
  rm -f "$f"
  $TC host --url "$(url "$n")" $CA --code-file "$f" "$@" > "$f.out" 2>&1 &
  HPID=$!
  PIDS+=("$HPID")
  for i in $(seq 1 100); do [ -s "$f" ] && return 0; sleep 0.1; done
  cat "$f.out"
  fail "host on node $n did not register"
}

