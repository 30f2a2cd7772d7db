#!/usr/bin/env bash
# Integration: the relay burns (5 near misses) or expires the code of a waiting sasae-host
# (--consent=tty in a pty); the host registers again by itself, prints why and the new
# support code, and an operator joins the new code and gets the screen after Allow.
set -euo pipefail
. "$SASAE_SRC/tests/integration/host_lib.sh"
trap host_cleanup EXIT
hl_pki
TC="$HL_BIN/tests/relay_testclient"
OPC="--cert $HL_DIR/pki/operators/hanako-sato.pem --key $HL_DIR/pki/operators/hanako-sato.key"

new_code() { # the last renewed code the host printed
    grep -o 'new code: [0-9 ]*' "$HL_HOST_OUT" | tail -1 | tr -dc 0-9
}

# An operator joins the current HL_CODE, the customer allows, frames arrive, End.
join_and_share() {
    hl_viewer --timeout 60
    hl_wait 30 hl_vsaw "consent 1" || hl_fail "no consent prompt for the new code"
    hl_answer y
    hl_wait 20 hl_vsaw "consent 2" || hl_fail "no consent allowed"
    hl_wait 20 hl_frames_atleast 5 || hl_fail "no frames after Allow on the new code"
    hl_type end
    hl_wait 10 hl_vsaw "end 1 customer" || hl_fail "no END(customer)"
    hl_wait 10 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not exit 0"
}

# ---- burned: 5 wrong check digits on the live routing part
hl_relay --max-failed-joins 20
hl_host --source synthetic --size 320x240
first=$HL_CODE
chk=${first:6:1} # the relay's check digit (the 5 after it never reach the relay)
for i in 1 2 3 4 5; do
    near=${first:0:6}$(((chk + i) % 10))
    # shellcheck disable=SC2086
    "$TC" viewer --url "$HL_URL" --ca "$HL_DIR/pki/ca.pem" $OPC --code "$near" --expect-error 3 \
        --timeout 20 >"$HL_DIR/near$i.out" 2>&1
    grep -q "RESULT ok" "$HL_DIR/near$i.out" || hl_fail "near miss $i not refused with ERROR 3"
done
hl_wait 20 grep -q "Your previous code was blocked after 5 wrong attempts; new code: " "$HL_HOST_OUT" ||
    hl_fail "host did not show a new code after the burn"
HL_CODE=$(new_code)
[ ${#HL_CODE} -eq 12 ] && [ "$HL_CODE" != "$first" ] || hl_fail "bad renewed code '$HL_CODE'"
[ "$(grep -c "support code:" "$HL_HOST_OUT")" -ge 2 ] || hl_fail "the new 'support code:' line is missing"
grep -q '"event":"burned".*"code":"'"${first:0:7}"'"' "$HL_DIR"/audit/*.jsonl || hl_fail "no burned audit record"
cat "$HL_HOST_OUT"
echo "burned $first, new code $HL_CODE"
join_and_share
echo "ok: burned code replaced by itself; the operator joined the new one"

# ---- expired: a short code lifetime on the relay
kill "$HL_RELAY_PID"
wait "$HL_RELAY_PID" 2>/dev/null || true
HL_RELAY_PID=
hl_relay --code-ttl 8
hl_host --source synthetic --size 320x240
first=$HL_CODE
hl_wait 30 grep -q "Your previous code expired; new code: " "$HL_HOST_OUT" ||
    hl_fail "host did not show a new code after expiry"
HL_CODE=$(new_code)
[ ${#HL_CODE} -eq 12 ] && [ "$HL_CODE" != "$first" ] || hl_fail "bad renewed code '$HL_CODE'"
echo "expired $first, new code $HL_CODE"
join_and_share
grep -q "Your previous code expired" "$HL_HOST_OUT" || hl_fail "reason not printed"
echo "ok: expired code replaced by itself; the operator joined the new one"
