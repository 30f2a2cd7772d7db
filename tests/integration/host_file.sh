#!/usr/bin/env bash
# Integration: file send, operator -> customer, through the real relay and host (terminal UI)
# with the test viewer. An offer before consent is never shown nor answered; accepted files
# land in the Downloads folder (or the folder the customer types) with the offer's SHA-256,
# never over an existing file; Decline writes nothing; refused names and sizes get a clear
# error on both sides; data that does not match its SHA-256 is not kept; End during a
# transfer removes the partial file; a lost link keeps it and the same file resumes.
set -euo pipefail
. "$SASAE_SRC/tests/integration/host_lib.sh"
trap host_cleanup EXIT
hl_pki
hl_relay

DL=$HL_DIR/Downloads OTHER=$HL_DIR/Other\ folder SRC=$HL_DIR/src
mkdir -p "$DL" "$OTHER" "$SRC"
head -c 3000000 /dev/urandom >"$SRC/a.bin"
head -c 6000000 /dev/urandom >"$SRC/big.bin"
head -c 2500000 /dev/urandom >"$SRC/r.bin"
sum() { sha256sum "$1" | cut -d' ' -f1; }
parts() { find "$DL" -name '*.sasae-part' | wc -l; }
nfiles() { find "$1" -type f | wc -l; }

asked() { [ "$(grep -c 'type a folder\]' "$HL_HOST_OUT")" -ge "$1" ]; }
# file_answer N TEXT: waits for the N-th file question's input line, then types TEXT
file_answer() {
    hl_wait 20 asked "$1" || hl_fail "no file question #$1"
    hl_type "$2"
}
refused() { [ "$(grep -c ' file_answer 2 ' "$HL_VIEWER_OUT")" -ge "$1" ]; }
parts_are() { [ "$(parts)" -eq "$1" ]; }

host() { hl_host --source synthetic --size 320x240 --download-dir "$DL" --max-file-mb 5 "$@"; }

echo "== an offer before consent is dropped: never shown, never answered"
host
CMDS=$HL_DIR/c1.cmds
mkfifo "$CMDS"
hl_viewer --timeout 60 --commands "$CMDS"
exec 7>"$CMDS"
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no prompt"
echo "sendfile 0 $SRC/a.bin early.bin" >&7
hl_wait 10 hl_vsaw "cmd sendfile" || hl_fail "viewer did not offer"
hl_answer y
hl_wait 20 hl_vsaw "consent 2" || hl_fail "not allowed"
hl_wait 20 hl_frames_atleast 3 || hl_fail "no frames"
sleep 1
hl_vsaw "file_answer" && hl_fail "the host answered an offer made before consent"
grep -q "File from the operator" "$HL_HOST_OUT" && hl_fail "an offer made before consent was shown"
[ "$(nfiles "$DL")" -eq 0 ] || hl_fail "something was written before consent"

echo "== accepted: in Downloads with the right SHA-256"
echo "sendfile 0 $SRC/a.bin report.bin" >&7
file_answer 1 y
hl_wait 20 hl_vsaw "file_end 0 report.bin" || hl_fail "no FILE_END OK"
[ "$(sum "$DL/report.bin")" = "$(sum "$SRC/a.bin")" ] || hl_fail "SHA-256 differs"
hl_wait 5 grep -q "Saved: .*report.bin" "$HL_HOST_OUT" || hl_fail "customer not told it was saved"
grep -q "Receiving report.bin" "$HL_HOST_OUT" || hl_fail "no progress shown"
[ "$(parts)" -eq 0 ] || hl_fail "a partial file was left"

echo "== the same name again: never overwritten"
echo "sendfile 0 $SRC/r.bin report.bin" >&7
file_answer 2 y
hl_wait 20 hl_vsaw "file_end 0 report (1).bin" || hl_fail "not stored as 'report (1).bin'"
[ "$(sum "$DL/report.bin")" = "$(sum "$SRC/a.bin")" ] || hl_fail "the first file was overwritten"
[ "$(sum "$DL/report (1).bin")" = "$(sum "$SRC/r.bin")" ] || hl_fail "second file differs"

echo "== the customer picks another folder"
echo "sendfile 0 $SRC/a.bin elsewhere.bin" >&7
file_answer 3 "$OTHER"
hl_wait 20 hl_vsaw "file_end 0 elsewhere.bin" || hl_fail "no FILE_END OK into another folder"
[ "$(sum "$OTHER/elsewhere.bin")" = "$(sum "$SRC/a.bin")" ] || hl_fail "SHA-256 differs"
[ -e "$DL/elsewhere.bin" ] && hl_fail "stored in Downloads instead"

echo "== declined: nothing written"
before=$(nfiles "$DL")
echo "sendfile 0 $SRC/a.bin declined.bin" >&7
file_answer 4 n
hl_wait 10 hl_vsaw "file_answer 1 " || hl_fail "no FILE_ANSWER declined"
sleep 0.5
[ "$(nfiles "$DL")" -eq "$before" ] || hl_fail "a declined file was written"
hl_wait 5 grep -q "You declined the file" "$HL_HOST_OUT" || hl_fail "customer not told"

echo "== refused names: a clear error at both ends, nothing asked"
for bad in "../evil.sh" "CON.txt" "dot." "a:b"; do
    echo "sendfile 0 $SRC/a.bin $bad" >&7
    sleep 0.4 # the terminal shows the latest outcome; one at a time so each is seen
done
hl_wait 10 refused 4 || hl_fail "not all refused"
grep -q "file_answer 2 0 5242880 the file name contains a path separator" "$HL_VIEWER_OUT" ||
    hl_fail "no reason for ../evil.sh"
grep -q "file_answer 2 0 5242880 the file name is a Windows device name" "$HL_VIEWER_OUT" ||
    hl_fail "no reason for CON.txt"
for why in "contains a path separator" "is a Windows device name" "ends with a dot" \
    "contains a character Windows does not allow"; do
    hl_wait 5 grep -q "A file from the operator was refused: the file name $why" "$HL_HOST_OUT" ||
        hl_fail "the customer was not told: $why"
done
[ "$(grep -c 'type a folder\]' "$HL_HOST_OUT")" -eq 4 ] || hl_fail "a refused name was asked"
[ -e "$HL_DIR/evil.sh" ] && hl_fail "path traversal"

echo "== over the size limit: refused, the limit stated"
echo "sendfile 0 $SRC/big.bin big.bin" >&7
hl_wait 10 hl_vsaw "file_answer 3 0 5242880 the file is larger than this computer accepts (5 MiB)" ||
    hl_fail "no TOO_BIG with the limit"

echo "== data that does not match the offer's SHA-256 is not kept"
cp "$SRC/a.bin" "$SRC/changing.bin"
echo "sendfile 0 $SRC/changing.bin changing.bin" >&7
hl_wait 10 asked 5 || hl_fail "no question"
head -c 3000000 /dev/urandom >"$SRC/changing.bin" # same size, other bytes, after the offer
file_answer 5 y
hl_wait 20 hl_vsaw "file_end 5 " || hl_fail "no FILE_END checksum"
[ -e "$DL/changing.bin" ] && hl_fail "a damaged file was kept"
[ "$(parts)" -eq 0 ] || hl_fail "the damaged partial file was left"

echo "== End during a transfer: stopped, partial file removed"
echo "sendfile 1048576 $SRC/a.bin stopped.bin" >&7
file_answer 6 y
hl_wait 20 hl_vsaw "file_stalled 1048576" || hl_fail "viewer did not stall"
hl_wait 10 parts_are 1 || hl_fail "no partial file while receiving"
hl_type end
hl_wait 10 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not end"
[ "$(parts)" -eq 0 ] || hl_fail "End left the partial file"
[ -e "$DL/stopped.bin" ] && hl_fail "a stopped file was stored"
grep -q "partial file removed" "$HL_HOST_LOG" || hl_fail "host log does not say removed"
exec 7>&-

echo "== a lost link keeps the partial file; the same file offered again resumes"
host
CMDS=$HL_DIR/c2.cmds
mkfifo "$CMDS"
hl_viewer --timeout 60 --commands "$CMDS"
exec 7>"$CMDS"
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no prompt"
hl_answer y
hl_wait 20 hl_vsaw "consent 2" || hl_fail "not allowed"
echo "sendfile 1048576 $SRC/a.bin resumed.bin" >&7
file_answer 1 y
hl_wait 20 hl_vsaw "file_stalled 1048576" || hl_fail "viewer did not stall"
hl_wait 10 parts_are 1 || hl_fail "no partial file"
kill -9 "$HL_VIEWER_PID"
wait "$HL_VIEWER_PID" 2>/dev/null || true
HL_VIEWER_PID=
exec 7>&-
hl_wait 20 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not end when the viewer vanished"
grep -q "partial file kept to resume" "$HL_HOST_LOG" || hl_fail "host log does not say kept"
[ "$(parts)" -eq 1 ] || hl_fail "the partial file was not kept"

host
CMDS=$HL_DIR/c3.cmds
mkfifo "$CMDS"
hl_viewer --timeout 60 --commands "$CMDS"
exec 7>"$CMDS"
hl_wait 20 hl_vsaw "consent 1" || hl_fail "no prompt"
hl_answer y
hl_wait 20 hl_vsaw "consent 2" || hl_fail "not allowed"
echo "sendfile 0 $SRC/a.bin resumed.bin" >&7
file_answer 1 y
hl_wait 10 hl_vsaw "file_answer 0 [1-9][0-9]* [0-9]* resuming" || hl_fail "did not resume"
hl_wait 20 hl_vsaw "file_end 0 resumed.bin" || hl_fail "no FILE_END OK after resume"
[ "$(sum "$DL/resumed.bin")" = "$(sum "$SRC/a.bin")" ] || hl_fail "resumed file differs"
[ "$(parts)" -eq 0 ] || hl_fail "partial file left after resume"
hl_type end
hl_wait 10 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not end"
exec 7>&-

echo "== the operator's real viewer (--send-file, as a drop on its window) sends a file"
host
VOUT=$HL_DIR/realviewer.out
"$HL_BIN/viewer/sasae-viewer" --headless --relay "$HL_URL" --relay-ca "$HL_DIR/pki/ca.pem" \
    --cert "$HL_DIR/pki/operators/hanako-sato.pem" --key "$HL_DIR/pki/operators/hanako-sato.key" \
    --code "$HL_CODE" --send-file "$SRC/r.bin" >"$VOUT" 2>"$HL_DIR/realviewer.log" &
HL_VIEWER_PID=$!
hl_answer y
hl_wait 20 grep -q "file=offered name=r.bin size=2500000" "$VOUT" || hl_fail "viewer did not offer"
file_answer 1 y
hl_wait 20 grep -q "file=done name=r.bin .*text=r.bin" "$VOUT" || hl_fail "viewer: not done"
[ "$(sum "$DL/r.bin")" = "$(sum "$SRC/r.bin")" ] || hl_fail "SHA-256 differs (real viewer)"
hl_type end
hl_wait 10 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not end"
hl_wait 10 grep -q "end=customer" "$VOUT" || hl_fail "viewer did not see the end"

before2=$(nfiles "$DL")
echo "== a file question nobody answers is declined after --file-question-seconds"
host --file-question-seconds 3
VOUT=$HL_DIR/realviewer2.out
"$HL_BIN/viewer/sasae-viewer" --headless --relay "$HL_URL" --relay-ca "$HL_DIR/pki/ca.pem" \
    --cert "$HL_DIR/pki/operators/hanako-sato.pem" --key "$HL_DIR/pki/operators/hanako-sato.key" \
    --code "$HL_CODE" --send-file "$SRC/r.bin" >"$VOUT" 2>"$HL_DIR/realviewer2.log" &
HL_VIEWER_PID=$!
hl_answer y
hl_wait 20 asked 1 || hl_fail "no file question"
grep -q "Declined automatically in [0-9]* s" "$HL_HOST_OUT" || hl_fail "no countdown shown"
t0=$(date +%s)
hl_wait 10 grep -q "file=failed name=r.bin .*status=1 text=no answer within 3 s" "$VOUT" ||
    hl_fail "viewer not told the question timed out"
[ $(($(date +%s) - t0)) -le 5 ] || hl_fail "declined too late"
hl_wait 5 grep -q "No answer within 3 s: r.bin was declined." "$HL_HOST_OUT" ||
    hl_fail "customer not told the file was declined for want of an answer"
[ "$(nfiles "$DL")" -eq "$before2" ] || hl_fail "something was written"
hl_type end
hl_wait 10 grep -q "^exit 0" "$HL_HOST_OUT" || hl_fail "host did not end"
echo PASS
