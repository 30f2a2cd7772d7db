#!/usr/bin/env bash
# `sasae-certs brand` on the real sasae-host.exe: the branded copy carries the relay and CAs
# (--show) and never a CRL (a branded host fetches the current one from the relay), signs
# with osslsigncode and still parses (the signature covers the brand); a
# signed exe cannot be branded again; bad inputs are refused; and the exe itself refuses a
# tampered or truncated brand block, and options that would override a brand, each with a
# clear message and exit code 2, never falling back to anything.
set -euo pipefail
. "$SASAE_SRC/tests/gui/host_gui_lib.sh"
. "$SASAE_SRC/tests/win/wine-lib.sh"
hl_pki
C="$HL_BIN/relay/certs/sasae-certs"
D=$HL_DIR
B=$D/branded.exe

"$C" brand --show "$WIN_HOST" | grep -q "not branded" || hl_fail "the build is not shipped blank"
"$C" brand --exe "$WIN_HOST" --out "$B" --relay wss://relay.example.jp:8443/ \
    --relay-ca "$D/pki/ca.pem" --org-ca "$D/pki/ca.pem" \
    --org-name "Example Help Desk" >/dev/null || hl_fail "branding"
"$C" brand --show "$B" >"$D/show.txt"
grep -q "^relay: wss://relay.example.jp:8443/" "$D/show.txt" || hl_fail "relay not in the brand"
grep -q "^organisation: Example Help Desk" "$D/show.txt" || hl_fail "name not in the brand"
grep -q "branded, not signed" "$D/show.txt" || hl_fail "show: $(cat "$D/show.txt")"
grep -q "^CRL: none in the brand (fetched from the relay at every session)" "$D/show.txt" ||
    hl_fail "show: a CRL in the brand? $(cat "$D/show.txt")"
grep -q "^organisation CA: .*Example Help Desk.*, valid until 20" "$D/show.txt" ||
    hl_fail "show: no CA line: $(cat "$D/show.txt")"
echo "branded: $(stat -c %s "$B") bytes"

echo "== signing (Authenticode, osslsigncode) covers the brand"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/sign.key" -out "$D/sign.pem" -days 2 \
    -subj "/CN=Example Help Desk code signing" -addext "extendedKeyUsage=codeSigning" \
    -addext "keyUsage=digitalSignature" 2>/dev/null
osslsigncode sign -certs "$D/sign.pem" -key "$D/sign.key" -n "sasae remote support" \
    -in "$B" -out "$D/signed.exe" >/dev/null || hl_fail "osslsigncode sign"
osslsigncode verify -CAfile "$D/sign.pem" -in "$D/signed.exe" >"$D/verify.txt" 2>&1 ||
    { cat "$D/verify.txt"; hl_fail "osslsigncode verify"; }
"$C" brand --show "$D/signed.exe" | grep -q "branded, signed" || hl_fail "brand lost by signing"
# a byte of the brand changed after signing: the signature no longer verifies
python3 - "$D/signed.exe" "$D/resigned.exe" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.find(b"wss://relay.example.jp")
d[i + 6] ^= 0x01
open(sys.argv[2], "wb").write(d)
PY
osslsigncode verify -CAfile "$D/sign.pem" -in "$D/resigned.exe" >/dev/null 2>&1 &&
    hl_fail "a changed brand still verifies"
rc=0; "$C" brand --exe "$D/signed.exe" --out "$D/x.exe" --relay wss://evil/ \
    --relay-ca "$D/pki/ca.pem" --org-ca "$D/pki/ca.pem" 2>"$D/err.txt" || rc=$?
[ $rc -ne 0 ] && grep -q "already signed" "$D/err.txt" || hl_fail "a signed exe was branded"

echo "== bad inputs to the command"
expect_fail() { # PATTERN ARGS...
    local pat=$1 rc=0
    shift
    "$C" brand "$@" >/dev/null 2>"$D/err.txt" || rc=$?
    [ $rc -ne 0 ] && grep -q "$pat" "$D/err.txt" || { cat "$D/err.txt"; hl_fail "accepted: $*"; }
}
expect_fail "wss://" --exe "$WIN_HOST" --out "$D/x.exe" --relay http://relay/ \
    --relay-ca "$D/pki/ca.pem" --org-ca "$D/pki/ca.pem"
expect_fail "not a CA certificate" --exe "$WIN_HOST" --out "$D/x.exe" --relay wss://r/ \
    --relay-ca "$D/pki/relay.pem" --org-ca "$D/pki/ca.pem"
expect_fail '"X509 CRL" block' --exe "$WIN_HOST" --out "$D/x.exe" --relay wss://r/ \
    --relay-ca "$D/pki/crl.pem" --org-ca "$D/pki/ca.pem"
expect_fail "no PEM certificate" --exe "$WIN_HOST" --out "$D/x.exe" --relay wss://r/ \
    --relay-ca /dev/null --org-ca "$D/pki/ca.pem"
# the brand is published in every copy: a CA file that also holds the CA's key is refused
cat "$D/pki/ca.pem" "$D/pki/ca.key" >"$D/ca+key.pem"
expect_fail "holds a private key" --exe "$WIN_HOST" --out "$D/x.exe" --relay wss://r/ \
    --relay-ca "$D/pki/ca.pem" --org-ca "$D/ca+key.pem"
expect_fail "brand takes no --crl" --exe "$WIN_HOST" --out "$D/x.exe" \
    --relay wss://r/ --relay-ca "$D/pki/ca.pem" --org-ca "$D/pki/ca.pem" --crl "$D/pki/crl.pem"
expect_fail "organisation name is not UTF-8 text" --exe "$WIN_HOST" --out "$D/x.exe" \
    --relay wss://r/ --relay-ca "$D/pki/ca.pem" --org-ca "$D/pki/ca.pem" \
    --org-name "$(printf 'Help\033[2JDesk')"
[ ! -e "$D/x.exe" ] || hl_fail "a refused brand left an output file"
expect_fail "no brand area" --exe "$WIN_VIEWER" --out "$D/x.exe" \
    --relay wss://r/ --relay-ca "$D/pki/ca.pem" --org-ca "$D/pki/ca.pem"

echo "== the exe refuses damage and overrides (exit 2, a clear message)"
python3 - "$B" "$D" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
i = d.find(b"SASAE-BRAND-AREA-v1")
t = bytearray(d); t[i + 60] ^= 0x01                       # inside the payload
open(sys.argv[2] + "/tampered.exe", "wb").write(t)
u = bytearray(d); u[i + 33] = 0xff                        # announced length too long
open(sys.argv[2] + "/truncated.exe", "wb").write(u)
v = bytearray(d); v[i + 65535] = 0x01                     # the zeros after the checksum
open(sys.argv[2] + "/tail.exe", "wb").write(v)
w = bytearray(d); w[i + 18] = ord("2")                    # a later format version
open(sys.argv[2] + "/v2.exe", "wb").write(w)
PY
rc=0; "$C" brand --show "$D/tail.exe" 2>"$D/err.txt" || rc=$?
[ $rc -ne 0 ] && grep -q "data after its checksum" "$D/err.txt" || hl_fail "show: tail change"
wexpect() { # PATTERN EXE ARGS...: the exe exits 2 with PATTERN on stderr
    local pat=$1 exe=$2 rc=0
    shift 2
    timeout 60 wine "$exe" "$@" >/dev/null 2>"$D/werr.txt" || rc=$?
    [ $rc -eq 2 ] && grep -q "$pat" "$D/werr.txt" ||
        { cat "$D/werr.txt"; hl_fail "$(basename "$exe") $*: exit $rc"; }
    grep "$pat" "$D/werr.txt" | head -1
}
wexpect "checksum mismatch" "$D/tampered.exe"
wexpect "truncated" "$D/truncated.exe"
wexpect "data after its checksum" "$D/tail.exe"
wexpect "version 2 is not supported" "$D/v2.exe"
wexpect "cannot be changed" "$B" --relay wss://127.0.0.1:1/
wexpect "cannot be changed" "$B" --relay-ca "$D/pki/ca.pem"
wexpect "are required" "$WIN_HOST"
echo PASS
