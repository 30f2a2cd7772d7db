#!/usr/bin/env bash
# sasae-certs end to end: init, issue, list, revoke, and check with `openssl verify -CRLfile`.
set -euo pipefail
T=$(mktemp -d /tmp/sasae-certs-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
C="$SASAE_BIN/relay/certs/sasae-certs"
D="$T/state"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$C" --dir "$D" init-ca --org "Acme Help Desk"
# Second init must refuse rather than replace the CA.
if "$C" --dir "$D" init-ca --org "Other" 2>/dev/null; then fail "init-ca overwrote the CA"; fi

S1=$("$C" --dir "$D" issue-operator --name "Jane Q. Doe" --email jane@acme.example)
S2=$("$C" --dir "$D" issue-operator --name "John Smith")
R=$("$C" --dir "$D" issue-relay --host 127.0.0.1 --host localhost)
[[ $S1 =~ ^[0-9A-F]{32}$ ]] || fail "bad serial '$S1'"
if "$C" --dir "$D" issue-operator --name "Jane Q. Doe" 2>/dev/null; then fail "duplicate operator"; fi

for f in ca.key relay.key operators/jane-q-doe.key operators/john-smith.key; do
  m=$(stat -c %a "$D/$f"); [[ $m == 600 ]] || fail "$f has mode $m"
done
for f in ca.pem crl.pem index relay.pem operators/jane-q-doe.pem; do [[ -s $D/$f ]] || fail "missing $f"; done

V() { openssl verify -crl_check -CRLfile "$D/crl.pem" -CAfile "$D/ca.pem" "$@"; }
V "$D/operators/jane-q-doe.pem" "$D/operators/john-smith.pem" "$D/relay.pem"
openssl verify -purpose sslclient -CAfile "$D/ca.pem" "$D/operators/jane-q-doe.pem"
openssl verify -purpose sslserver -CAfile "$D/ca.pem" "$D/relay.pem"
if openssl verify -purpose sslserver -CAfile "$D/ca.pem" "$D/operators/jane-q-doe.pem" 2>/dev/null; then
  fail "operator certificate accepted for serverAuth"
fi

# Profiles: operator Ed25519 + clientAuth + sasae OID; relay P-256 + serverAuth + SANs.
op=$(openssl x509 -in "$D/operators/jane-q-doe.pem" -noout -text)
grep -q "ED25519" <<<"$op" || fail "operator key not Ed25519"
grep -q "TLS Web Client Authentication, 2.25.180043282146787509957304164653088530003" <<<"$op" || fail "operator EKU"
grep -q "email:jane@acme.example" <<<"$op" || fail "email SAN"
grep -q "Subject: O = Acme Help Desk, CN = Jane Q. Doe" <<<"$op" || fail "operator subject"
rl=$(openssl x509 -in "$D/relay.pem" -noout -text)
grep -q "prime256v1" <<<"$rl" || fail "relay key not P-256"
grep -q "IP Address:127.0.0.1, DNS:localhost" <<<"$rl" || fail "relay SANs"
grep -q "TLS Web Server Authentication" <<<"$rl" || fail "relay EKU"
openssl pkey -in "$D/relay.key" -noout
openssl pkey -in "$D/operators/jane-q-doe.key" -noout

"$C" --dir "$D" list | tee "$T/list"
[[ $(grep -c valid "$T/list") == 3 ]] || fail "list should show 3 valid"

"$C" --dir "$D" revoke "$S1"
if "$C" --dir "$D" revoke "$S1" 2>/dev/null; then fail "double revoke accepted"; fi
if "$C" --dir "$D" revoke 0123456789 2>/dev/null; then fail "unknown serial accepted"; fi
if V "$D/operators/jane-q-doe.pem" 2>"$T/err"; then fail "revoked certificate still verifies"; fi
grep -q "certificate revoked" "$T/err" "$T/list" 2>/dev/null || grep -q "revoked" "$T/err" || fail "wrong verify error"
V "$D/operators/john-smith.pem" "$D/relay.pem"
openssl crl -in "$D/crl.pem" -noout -text | grep -qi "$S1" || fail "serial not in CRL"
"$C" --dir "$D" list | grep "$S1" | grep -q revoked || fail "list does not show revoked"

# Lower-case serial works too.
"$C" --dir "$D" revoke "$(tr 'A-F' 'a-f' <<<"$S2")"
if V "$D/operators/john-smith.pem" 2>/dev/null; then fail "second revoke not effective"; fi

# Errors are clear and non-zero.
if "$C" --dir "$T/none" issue-operator --name X 2>"$T/err"; then fail "issue without CA"; fi
grep -q "init-ca" "$T/err" || fail "unhelpful error: $(cat "$T/err")"
if "$C" --dir "$D" bogus 2>/dev/null; then fail "unknown command accepted"; fi
if "$C" --dir "$D" issue-operator --name $'Eve\nAllowed' 2>/dev/null; then fail "control character in name accepted"; fi
echo "certs_cli: OK"
