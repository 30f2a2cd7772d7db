#!/usr/bin/env bash
# Side by side (issue 14): sasae and its peers on the same Xvfb workloads, one table.
# A private 1920x1080 Xvfb; each system in turn shares it on loopback and a client receives:
#   sasae        the real relay, sasae-host (X11 capture, --consent tty answered on its
#                terminal) and the headless sasae-viewer writing its frame log;
#   x11vnc       x11vnc (Debian x11vnc) and bench's vncmeter (libvncclient, Tight first);
#   x0vncserver  TigerVNC's scraping server (Debian tigervnc-scraping-server), same meter;
#   ffmpeg       a full-frame baseline: ffmpeg -f x11grab at 30 fps -> libvpx-vp9 realtime
#                at 1 Mbit/s into a pipe, each encoded frame timed as it arrives.
# In each session the workloads run one after the other (bench/typist; its stamps are the
# timed marker, taken just before each change is drawn):
#   idle       one glyph every 250 ms on a resting screen      (typist 24 250)
#   typing     12 chars/s                                      (typist 96 83)
#   scroll4    the full screen of text scrolls 4 px every 33 ms (typist 240 33 scroll 4)
#   scrollline ... one text line every 33 ms                   (typist 240 33 scroll)
#   drag       a 998x702 window of text dragged 12 px across and 6 px down every 33 ms,
#              bouncing off the edges, over the desktop      (typist 240 33 drag 12)
# Then, unless REST=0, one more session per system measures the picture at rest: scroll4,
# scrollline and drag again (60 steps each), after each the screen rests REST seconds
# (default 3) and what the client shows is compared with the Xvfb's screen (xwd): sasae's
# headless viewer dumps its decoded frames (the last one is taken), the VNC meter writes its
# frame buffer on SIGUSR1, ffmpeg's IVF is kept and its frame of that moment decoded (the
# image2 muxer: the rawvideo one dropped one of three selected frames here).
# PSNR on luma (BT.601 studio range as libyuv converts; "exact" = identical luma). A separate
# session because the viewer's dumps (3 MB a frame) would slow sasae's timed figures.
# Columns: wire kbit/s = bytes the client process read (/proc rchar: TLS+websocket for
# sasae, RFB for the VNC peers, the IVF stream for ffmpeg); updates/s = updates with new
# content the client got; latency = from a stamp to the first update after it (sasae: the
# first frame captured after it, at decode; VNC: the first FramebufferUpdate completed after
# it, decoded by libvncclient; ffmpeg: the first encoded frame out of the pipe after it);
# server CPU (% of the whole machine) and peak RSS: sasae-host / x11vnc / x0vncserver /
# ffmpeg. Ratios sasae/peer from the same repetition, medians over REPS (default 3).
# Usage: bench/peers/run.sh            (env: REPS=3 SYSTEMS="sasae x11vnc x0vncserver ffmpeg"
#                                       REST=3 (0: no PSNR session) KEEP=1 keeps the logs;
#                                       builds and installs nothing)
# About 18 minutes with the defaults (75 s a timed session, 45 s a rest session).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${REPS:-3}
REST=${REST:-3}
SYSTEMS=${SYSTEMS:-sasae x11vnc x0vncserver ffmpeg}
export SASAE_SRC=$PWD SASAE_BIN=${SASAE_BUILD:-$PWD/build}
HERE=$PWD/bench/peers
WORKLOADS=("idle 24 250" "typing 96 83" "scroll4 240 33 scroll 4" "scrollline 240 33 scroll"
  "drag 240 33 drag 12")
REST_WORKLOADS=("scroll4 60 33 scroll 4" "scrollline 60 33 scroll" "drag 60 33 drag 12")

missing=()
for s in $SYSTEMS; do
  case $s in
  sasae) for t in bench/typist host/sasae-host viewer/sasae-viewer relay/server/sasae-relay; do
      [ -x "$SASAE_BIN/$t" ] || missing+=("$SASAE_BIN/$t (cmake --build build)")
    done ;;
  x11vnc) command -v x11vnc >/dev/null || missing+=("x11vnc (Debian package x11vnc)") ;;
  x0vncserver) command -v x0vncserver >/dev/null ||
    missing+=("x0vncserver (Debian package tigervnc-scraping-server)") ;;
  ffmpeg) command -v ffmpeg >/dev/null || missing+=("ffmpeg (Debian package ffmpeg)") ;;
  *) echo "unknown system $s" >&2; exit 2 ;;
  esac
  if [[ $s == x* ]] && [ ! -x "$SASAE_BIN/bench/vncmeter" ]; then
    missing+=("$SASAE_BIN/bench/vncmeter (needs libvncclient: Debian libvncserver-dev, then cmake again)")
  fi
done
for t in Xvfb xsetroot python3 $([ "$REST" = 0 ] || echo xwd ffmpeg); do command -v $t >/dev/null || missing+=("$t"); done
[ -x "$SASAE_BIN/bench/typist" ] || missing+=("$SASAE_BIN/bench/typist (cmake --build build)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'missing: %s\n' "${missing[@]}" >&2
  echo "bash scripts/setup.sh installs the packages" >&2
  exit 1
fi

. tests/gui/xvfb.sh
. tests/integration/viewer_lib.sh # certificates, a relay on loopback, T, cleanup at exit
MINE=()                           # the peers' processes (sasae's are in PIDS)
stop_mine() {
  local p
  for p in "${MINE[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${MINE[@]}"; do wait "$p" 2>/dev/null || true; done
  MINE=()
}
on_exit() {
  local rc=$?
  set +e
  stop_mine
  reap_all
  xvfb_stop
  if [ "${KEEP:-0}" = 1 ]; then
    cp -r "$T" "/tmp/peers-logs.$$" && echo "logs kept in /tmp/peers-logs.$$" >&2
  fi
  (exit "$rc")
  cleanup
}
trap on_exit EXIT
xvfb_start 1920x1080x24
xsetroot -solid '#305080'
: >"$T/windows"

free_port() { # a loopback TCP port nobody listens on
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $1" >&2; return 1
}

# start_SYSTEM REP: shares the screen and connects the client; sets SPID (server) and
# CPID (client) and writes the client's log to $T/SYSTEM.REP.events.
start_sasae() {
  tty_host "h$1"
  local dump=()
  [ "$1" != rest ] || dump=(--dump-dir "$T/dump" --dump-format i420)
  viewer "v$1" --code "$CODE" --frame-log "$T/sasae.$1.events" ${dump[@]+"${dump[@]}"}
  wait_line "Allow? \[y/N\]" "$T/h$1.out"
  echo y >"$T/h$1.in"
  wait_line "K$" "$T/sasae.$1.events" 20 >/dev/null
  SPID=$HPID CPID=$VPID
}
stop_sasae() {
  echo end >"$T/h$1.in"
  local rc=0
  wait "$VPID" || rc=$?
  [ "$rc" -eq 3 ] || { echo "sasae-viewer exit $rc, want 3 (the customer ended)" >&2; cat "$T/v$1.err" >&2; exit 1; }
}
start_vnc() { # REP SYSTEM
  local port
  port=$(free_port)
  if [ "$2" = x11vnc ]; then
    x11vnc -display "$DISPLAY" -localhost -rfbport "$port" -nopw -forever -shared -quiet \
      >"$T/$2.$1.srv" 2>&1 &
  else
    # Debian's x0vncserver is a wrapper that starts X0tigervnc and exits: run the server
    # itself, so that it is the process measured and stopped
    "$(command -v X0tigervnc || command -v x0vncserver)" -display "$DISPLAY" -rfbport "$port" \
      -localhost=1 -SecurityTypes None \
      >"$T/$2.$1.srv" 2>&1 &
  fi
  SPID=$!
  MINE+=($SPID)
  wait_port "$port"
  VNCMETER_DUMP=$T/vncfb "$SASAE_BIN/bench/vncmeter" "$port" >"$T/$2.$1.events" 2>"$T/$2.$1.err" &
  CPID=$!
  MINE+=($CPID)
  for _ in $(seq 100); do [ -s "$T/$2.$1.events" ] && break; sleep 0.1; done
  [ -s "$T/$2.$1.events" ] || { echo "$2: no update"; cat "$T/$2.$1.err" "$T/$2.$1.srv"; exit 1; }
}
start_x11vnc() { start_vnc "$1" x11vnc; }
start_x0vncserver() { start_vnc "$1" x0vncserver; }
start_ffmpeg() {
  mkfifo "$T/ffmpeg.$1.pipe"
  local copy=()
  [ "$1" != rest ] || copy=("$T/ffmpeg.rest.ivf")
  python3 "$HERE/ivfstamp.py" ${copy[@]+"${copy[@]}"} <"$T/ffmpeg.$1.pipe" >"$T/ffmpeg.$1.events" &
  CPID=$!
  MINE+=($CPID)
  ffmpeg -nostdin -hide_banner -loglevel error -f x11grab -framerate 30 -video_size 1920x1080 \
    -draw_mouse 0 -i "$DISPLAY" -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -row-mt 1 \
    -threads 2 -lag-in-frames 0 -b:v 1M -maxrate 1M -bufsize 1M -g 300 -pix_fmt yuv420p \
    -flush_packets 1 -f ivf pipe:1 >"$T/ffmpeg.$1.pipe" 2>"$T/ffmpeg.$1.err" &
  SPID=$!
  MINE+=($SPID)
  for _ in $(seq 100); do [ -s "$T/ffmpeg.$1.events" ] && break; sleep 0.1; done
  [ -s "$T/ffmpeg.$1.events" ] || { echo "ffmpeg: no frame"; cat "$T/ffmpeg.$1.err"; exit 1; }
}

for rep in $(seq "$REPS"); do
  for s in $SYSTEMS; do
    xsetroot -solid '#305080' # every session starts from the same resting screen
    "start_$s" "$rep"
    sleep 3 # the first full picture settles (sasae: its top-offs), the screen rests
    python3 "$HERE/sampler.py" "$CPID" "$SPID" >"$T/$s.$rep.samples" &
    SAMP=$!
    for w in "${WORKLOADS[@]}"; do
      set -- $w
      # a blank screen first: typist types the same sentence in the same cells each time,
      # and a glyph drawn over itself changes nothing a server could send
      xsetroot -solid '#305080'
      sleep 1.5
      TYPIST_CELLS=1 "$SASAE_BIN/bench/typist" "${@:2}" >"$T/$s.$rep.$1.draws"
      echo "$s $rep $1 $3" >>"$T/windows"
      sleep 1 # the last change arrives
    done
    kill "$SAMP" 2>/dev/null || true
    wait "$SAMP" 2>/dev/null || true
    if [ "$s" = sasae ]; then stop_sasae "$rep"; else stop_mine; fi
    echo "rep $rep: $s done" >&2
  done
done
# grab_SYSTEM WORKLOAD: after the rest, what the client shows into $T/rest.SYSTEM.WORKLOAD.*
# (and a line in $T/rest), the screen into $T/rest.SYSTEM.WORKLOAD.bgra.
grab_screen() {
  xwd -root -silent -display "$DISPLAY" >"$T/rest.xwd"
  ffmpeg -nostdin -loglevel error -y -f xwd_pipe -i "$T/rest.xwd" -f rawvideo -pix_fmt bgra \
    "$T/rest.$1.$2.bgra"
}
grab_sasae() {
  local f want=$((1920 * 1080 * 3 / 2)) got=
  for f in $(ls -r "$T/dump"); do # the newest whole frame
    [ "$(stat -c %s "$T/dump/$f")" = "$want" ] && { got=$f; break; }
  done
  [ -n "$got" ] || { echo "sasae: no frame dumped" >&2; exit 1; }
  mv "$T/dump/$got" "$T/rest.sasae.$1.yuv"
  rm -f "$T/dump/"*
  echo "sasae $1 i420 rest.sasae.$1.yuv" >>"$T/rest"
}
grab_vnc() { # WORKLOAD SYSTEM
  rm -f "$T/vncfb"
  kill -USR1 "$CPID"
  for _ in $(seq 50); do [ -f "$T/vncfb" ] && break; sleep 0.1; done
  [ -f "$T/vncfb" ] || { echo "$2: no frame buffer written" >&2; cat "$T/$2.rest.err" >&2; exit 1; }
  mv "$T/vncfb" "$T/rest.$2.$1.rgbx"
  echo "$2 $1 rgbx rest.$2.$1.rgbx" >>"$T/rest"
}
grab_x11vnc() { grab_vnc "$1" x11vnc; }
grab_x0vncserver() { grab_vnc "$1" x0vncserver; }
grab_ffmpeg() { # the frame the client has now: decoded from the kept IVF after the session
  echo "ffmpeg $1 ivf $(($(wc -l <"$T/ffmpeg.rest.events") - 1))" >>"$T/rest"
}

if [ "$REST" != 0 ]; then
  : >"$T/rest"
  for s in $SYSTEMS; do
    xsetroot -solid '#305080'
    "start_$s" rest
    sleep 3
    for w in "${REST_WORKLOADS[@]}"; do
      set -- $w
      xsetroot -solid '#305080'
      sleep 1.5
      # the dragged window stays while the screen rests and is grabbed
: >"$T/$s.rest.$1.draws"
      TYPIST_CELLS=1 TYPIST_HOLD_MS=$((REST * 1000 + 5000)) "$SASAE_BIN/bench/typist" "${@:2}" \
        >"$T/$s.rest.$1.draws" &
      TPID=$!
      until [ "$(wc -l <"$T/$s.rest.$1.draws")" -ge "$2" ]; do sleep 0.05; done
      sleep "$REST"
      grab_screen "$s" "$1"
      "grab_$s" "$1"
      kill "$TPID" 2>/dev/null || true
      wait "$TPID" 2>/dev/null || true
    done
    if [ "$s" = sasae ]; then stop_sasae rest; else stop_mine; fi
    if [ "$s" = ffmpeg ]; then
      sel=$(awk '$1 == "ffmpeg" { printf "%seq(n\\,%d)", (n++ ? "+" : ""), $4 }' "$T/rest")
      ffmpeg -nostdin -loglevel error -y -i "$T/ffmpeg.rest.ivf" -vf "select=$sel" \
        -fps_mode passthrough -pix_fmt yuv420p -f image2 -c:v rawvideo "$T/rest.ffmpeg.%d.yuv"
    fi
    echo "rest: $s done" >&2
  done
  rm -rf "$T/dump"
fi
echo "# bench/peers/run.sh (REPS=$REPS): $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# 1920x1080 Xvfb; $(x11vnc -version 2>/dev/null | head -1 || true); $(ffmpeg -version 2>/dev/null | head -1 | cut -d' ' -f1-3)"
python3 "$HERE/analyse.py" "$T"
