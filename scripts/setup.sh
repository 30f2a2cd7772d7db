#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and the demo need.
# Idempotent: when everything is present it only checks and returns (well under a second).
set -euo pipefail

PKGS=(
  # toolchain
  build-essential cmake pkg-config clang libclang-rt-14-dev clang-format git
  # product libraries
  libvpx-dev libyuv-dev libsdl2-dev libsdl2-ttf-dev libssl-dev openssl
  libwebsockets-dev zlib1g-dev
  libx11-dev libxext-dev libxdamage-dev libxfixes-dev libxtst-dev libxrandr-dev libxrender-dev
  # fonts for the English and Japanese UI
  fonts-dejavu-core fonts-noto-cjk
  # tests: Criterion, a virtual X server and its drivers, reference tools, a proxy
  libcriterion-dev xvfb xauth xdotool imagemagick x11-utils x11-xserver-utils
  # the clipboard tests read and set an X CLIPBOARD; bench/churn.sh does its sums in bc
  xclip bc
  vpx-tools tinyproxy tmux procps ca-certificates curl python3
  # tests: the relay's TLS scan, a shifted clock and a system-call trace (audit day switch),
  # network namespaces for the network-cut test
  sslscan faketime strace iproute2
  # a real window manager for the GUI tests (focus, minimise, window types), and a
  # compositing manager (the overlay's antialiased path)
  openbox xcompmgr
  # the demo's private desktop when there is no display
  x11-apps xterm
  python3-cryptography
  # the relay cluster: its shared directory (Redis server, Sentinel for its failover, C
  # client) and the balancer the cluster test runs in front of three nodes
  redis-server redis-sentinel libhiredis-dev haproxy
  # bench/peers/run.sh: the peers measured side by side (two VNC servers, a full-frame
  # encoder) and the library of its VNC meter
  x11vnc tigervnc-scraping-server ffmpeg libvncserver-dev
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# tinyproxy's package starts a system-wide daemon; tests run their own on loopback.
# So do redis-server, redis-sentinel and haproxy; the cluster test starts its own as child processes.
if command -v systemctl >/dev/null 2>&1; then
  $SUDO systemctl disable --now tinyproxy redis-server redis-sentinel haproxy >/dev/null 2>&1 || true
fi
echo "setup: done"
