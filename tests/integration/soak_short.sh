#!/usr/bin/env bash
# Soak, the CI-sized variant of bench/soak.sh (issue 15; the 60-minute run is in bench/): one
# real support session (host, relay, headless viewer) held for 2 minutes beside 100 generator
# sessions of real TLS traffic through the same relay (25 Mbit/s). Fails if any process dies,
# the session does not last, a generator session is lost or a message undelivered, the open
# descriptors of relay, host or viewer grow after the warm-up, or a resident set grows by
# more than 8 MB after it.
set -euo pipefail
SRC=${SASAE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
exec bash "$SRC/bench/soak.sh" --seconds 120 --interval 10 --relay-sessions 100 --mbps 0.25 \
  --max-growth-mb 8
