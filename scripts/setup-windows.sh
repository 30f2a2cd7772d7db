#!/usr/bin/env bash
# Prepares the Windows cross-build: installs Debian's mingw-w64 toolchain and Wine, then
# cross-builds the host's and viewer's libraries as static x86_64-w64-mingw32 libraries
# from Debian's own source packages (pinned versions below) into a prefix cached outside
# the checkout, keyed by those versions and this recipe. Prints the prefix on its last
# line. A second run with the prefix present only checks and returns.
#
#   scripts/setup-windows.sh            # install + build (6–10 minutes cold on 2 cores)
#   SASAE_WIN_CACHE=/some/dir scripts/setup-windows.sh
#   scripts/setup-windows.sh --print-prefix   # only print where the prefix is (or would be)
#
# Each library's configure flags and build time are written to $PREFIX/BUILDINFO.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

# ---- pinned source versions (Debian 12 "bookworm") ------------------------------------
# openssl 3.0.22-1~deb12u2 is listed but its .debian.tar.xz is missing on the mirror.
PINS=(
  openssl=3.0.20-1~deb12u2
  libvpx=1.12.0-1+deb12u5
  libwebsockets=4.1.6-3
  libsdl2=2.26.5+dfsg-1
  freetype=2.12.1+dfsg-5+deb12u4
  libsdl2-ttf=2.20.1+dfsg-2
  libyuv=0.0~git20230123.b2528b0-1
)
RECIPE=5 # bump when a flag below changes: it is part of the cache key

TOOLPKGS=(mingw-w64 libz-mingw-w64-dev wine64 wine nasm dpkg-dev cmake make xvfb xauth
  xdotool xclip imagemagick fonts-noto-cjk python3-fonttools osslsigncode binutils-mingw-w64-x86-64
  python3
  # the Japanese Windows tests compile a ja_JP.UTF-8 locale (Wine takes the UI language and
  # the file-name charset from it): its source data
  locales)

KEY="$(printf '%s\n' "${PINS[@]}" "recipe=$RECIPE" | sha256sum | cut -c1-12)"
CACHE="${SASAE_WIN_CACHE:-/var/cache/sasae-win}"
PREFIX="$CACHE/$KEY"
if [ "${1:-}" = "--print-prefix" ]; then
  echo "$PREFIX"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

log() { echo "setup-windows: $*" >&2; }

missing=()
for p in "${TOOLPKGS[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -f "$PREFIX/.complete" ]; then
  echo "$PREFIX"
  exit 0
fi

# ---- Debian source packages ------------------------------------------------------------
# apt-get source needs deb-src entries. They copy the machine's own deb entries (same
# options, so apt sees no conflicting Signed-By values), plus bookworm-security, where the
# pinned openssl and libvpx come from.
if ! grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  log "adding deb-src entries"
  if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1 &&
    grep -qs '^Types:.*deb' /etc/apt/sources.list.d/*.sources; then
    # deb822: each stanza again as deb-src
    for f in /etc/apt/sources.list.d/*.sources; do cat "$f"; echo; done |
      sed -E 's/^Types:.*/Types: deb-src/' |
      $SUDO tee /etc/apt/sources.list.d/sasae-src.sources >/dev/null
    grep -q 'bookworm-security' /etc/apt/sources.list.d/sasae-src.sources ||
      printf '\nTypes: deb-src\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\n' |
      $SUDO tee -a /etc/apt/sources.list.d/sasae-src.sources >/dev/null
  else
    # one-line format (e.g. a debootstrap'd system)
    lines=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -E '^deb ' | sed 's/^deb /deb-src /' || true)
    opts=$(printf '%s\n' "$lines" | head -1 | grep -o '^deb-src \[[^]]*\]' | sed 's/^deb-src //' || true)
    if ! printf '%s\n' "$lines" | grep -q bookworm-security; then
      lines="$lines"$'\n'"deb-src ${opts:+$opts }http://deb.debian.org/debian-security bookworm-security main"
    fi
    printf '%s\n' "$lines" | $SUDO tee /etc/apt/sources.list.d/sasae-src.list >/dev/null
  fi
  $SUDO apt-get update -qq
fi

$SUDO mkdir -p "$CACHE"
[ -w "$CACHE" ] || $SUDO chown "$(id -u):$(id -g)" "$CACHE"
# An interrupted build resumes: finished steps leave a stamp in the work folder.
WORK="$CACHE/build-$KEY"
SRC="$WORK/src"
INFO="$PREFIX/BUILDINFO"
T0=$(date +%s)
if [ ! -f "$WORK/fetch.done" ]; then
  rm -rf "$WORK" "$PREFIX"
  mkdir -p "$SRC" "$PREFIX"
  {
    echo "# sasae Windows libraries: x86_64-w64-mingw32, static, from Debian source packages"
    echo "# key $KEY, recipe $RECIPE, built $(date -u +%FT%TZ) with $(x86_64-w64-mingw32-gcc --version | head -1)"
  } >"$INFO"
  # One package per call: if one of several fails, apt-get unpacks none.
  for pin in "${PINS[@]}"; do
    (cd "$SRC" && apt-get source -qq "$pin" >/dev/null 2>"$WORK/fetch.log") || {
      cat "$WORK/fetch.log" >&2
      log "apt-get source $pin failed"
      exit 1
    }
  done
  echo "fetch: $(($(date +%s) - T0)) s" >>"$INFO"
  touch "$WORK/fetch.done"
fi
# the source folder of a package: its name, a dash, then the version's first digit
srcdir() { find "$SRC" -maxdepth 1 -mindepth 1 -type d -name "$1-[0-9]*" | head -1; }

HOST=x86_64-w64-mingw32
JOBS="$(nproc)"
TOOLCHAIN="$ROOT/cmake/mingw-w64.cmake"
export SASAE_WIN_PREFIX="$PREFIX"
export PKG_CONFIG_LIBDIR="$PREFIX/lib/pkgconfig"
unset PKG_CONFIG_PATH
OPT="-O2"
# Each variable and constant in its own section, so the exes' link (--gc-sections, in
# cmake/windows-deps.cmake) drops the unreferenced ones. (Functions stay: binutils 2.40
# keeps every .pdata/.xdata unwind entry, and each one keeps its function alive.)
SECT="-fdata-sections"

step() { # name, then the command
  local name="$1"
  shift
  local t0
  t0=$(date +%s)
  [ -f "$WORK/$name.done" ] && return 0
  log "building $name"
  if ! "$@" >"$WORK/$name.log" 2>&1; then
    tail -40 "$WORK/$name.log" >&2
    log "$name failed (full log: $WORK/$name.log)"
    exit 1
  fi
  echo "$name: $(($(date +%s) - t0)) s" >>"$INFO"
  touch "$WORK/$name.done"
}
flags() { grep -qF "$1 flags:" "$INFO" || echo "$1 flags: ${*:2}" >>"$INFO"; }

# ---- OpenSSL 3 -------------------------------------------------------------------------
# The compiled-in OPENSSLDIR/ENGINESDIR/MODULESDIR would default to the build prefix, which
# on Windows is a drive-relative path any user can create (and a cert.pem planted there
# would be trusted). Point them into the system folder, where ordinary users cannot create
# anything. Configure mangles C:/ paths when cross-building, so they are set on make's
# command line instead. The host also never loads config files or default verify paths.
OSSL_DIRS=(OPENSSLDIR='C:/Windows/System32/sasae-no-openssl-dir'
  ENGINESDIR='C:/Windows/System32/sasae-no-openssl-dir'
  MODULESDIR='C:/Windows/System32/sasae-no-openssl-dir')
# What the host and viewer use (TLS 1.2/1.3 client with ECDHE over X25519/P-256, AES-GCM,
# ChaCha20-Poly1305, RSA/ECDSA/Ed25519 certificates, X.509 with CRLs, SHA-2, HKDF, HMAC,
# X25519/Ed25519 for the channel) stays; algorithms and features they never use are left
# out (they only made the exe bigger): old or regional ciphers and digests, DSA, binary
# curves, DTLS/SRTP/SCTP, SRP, CMS/TS/CT/OCSP/CMP, compression, scrypt, RFC 3779.
# no-filenames: error records carry no source file names.
OSSL_CONF=(mingw64 --cross-compile-prefix=$HOST- no-shared no-tests no-module no-legacy
  no-engine no-dso no-ui-console
  no-aria no-bf no-blake2 no-camellia no-cast no-des no-idea no-md4 no-mdc2 no-rc2 no-rc4
  no-rc5 no-rmd160 no-seed no-siphash no-sm2 no-sm3 no-sm4 no-whirlpool no-ocb no-siv no-dsa
  no-ec2m no-gost no-dtls no-srtp no-sctp no-srp no-nextprotoneg no-cms no-ts no-ct no-ocsp
  no-cmp no-comp no-scrypt no-rfc3779 no-filenames
  --prefix="$PREFIX" --libdir=lib $SECT)
flags openssl "./Configure ${OSSL_CONF[*]}; make ${OSSL_DIRS[*]}"
build_openssl() {
  cd "$(srcdir openssl)"
  ./Configure "${OSSL_CONF[@]}"
  make -j"$JOBS" build_sw "${OSSL_DIRS[@]}"
  make install_sw "${OSSL_DIRS[@]}"
}
step openssl build_openssl

# ---- libvpx ----------------------------------------------------------------------------
# The same codec options as Debian's Linux build (debian/rules of the pinned source: VP9
# high bit depth, postproc, multi-resolution encoding, temporal denoising, size limit;
# runtime CPU detection is libvpx's default on x86), so the Windows and Linux builds run
# the same codec code; libvpx adds -O3 itself. Assembled with nasm; libvpx's threads are
# mingw's winpthreads (linked statically).
VPX_CONF=(--target=x86_64-win64-gcc --as=nasm --prefix="$PREFIX" --enable-static
  --disable-shared --size-limit=16384x16384 --enable-postproc --enable-multi-res-encoding
  --enable-temporal-denoising --enable-vp9-temporal-denoising --enable-vp9-postproc
  --enable-vp9-highbitdepth --enable-runtime-cpu-detect --extra-cflags=$SECT
  --disable-examples --disable-tools --disable-docs --disable-unit-tests)
flags libvpx "CROSS=$HOST- ./configure ${VPX_CONF[*]}"
build_vpx() {
  cd "$(srcdir libvpx)"
  mkdir -p _win && cd _win
  CROSS=$HOST- ../configure "${VPX_CONF[@]}"
  make -j"$JOBS"
  make install
}
step libvpx build_vpx

# ---- CMake-built libraries -------------------------------------------------------------
CM=(-DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" -DSASAE_WIN_PREFIX="$PREFIX"
  -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF
  -DCMAKE_C_FLAGS_RELEASE="$OPT $SECT -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="$OPT $SECT -DNDEBUG")

# lws 4.1: LWS_OPENSSL_LIBRARIES is a cache PATH; typed as STRING the -l entries survive
# (as a PATH they become bogus paths and every OpenSSL feature check fails silently).
# OpenSSL 3 deprecation warnings break its -Werror.
LWS_CONF=(-DLWS_WITH_SSL=ON -DLWS_WITH_SHARED=OFF -DLWS_WITH_STATIC=ON
  -DLWS_WITHOUT_TESTAPPS=ON -DLWS_WITHOUT_TEST_SERVER=ON -DLWS_WITHOUT_TEST_CLIENT=ON
  -DLWS_WITH_MINIMAL_EXAMPLES=OFF -DDISABLE_WERROR=ON -DLWS_WITH_ZLIB=OFF
  -DLWS_WITH_ZIP_FOPS=OFF -DLWS_IPV6=ON -DLWS_WITH_HTTP2=OFF -DLWS_OPENSSL_INCLUDE_DIRS="$PREFIX/include"
  "-DLWS_OPENSSL_LIBRARIES:STRING=$PREFIX/lib/libssl.a;$PREFIX/lib/libcrypto.a;-lws2_32;-lcrypt32;-lgdi32;-luser32;-ladvapi32")
flags libwebsockets "cmake ${LWS_CONF[*]}"
build_lws() {
  cd "$(srcdir libwebsockets)"
  cmake -S . -B _win "${CM[@]}" "${LWS_CONF[@]}"
  cmake --build _win -j"$JOBS"
  cmake --install _win
}
step libwebsockets build_lws

# freetype: only what SDL2_ttf needs to draw TrueType/OpenType (no PNG, HarfBuzz, Brotli),
# with mingw's zlib (its own copy of zlib would clash with it at link time). The font
# drivers are FreeType's documented choice (include/freetype/config/ftmodule.h): TrueType
# (Meiryo, Yu Gothic, MS Gothic) and CFF/OpenType (the embedded Noto Sans CJK) with their
# hinters and both rasterizers; no Type 1/CID/Type 42/PFR/Windows FNT/PCF/BDF, SDF or SVG.
FT_CONF=(-DFT_DISABLE_HARFBUZZ=ON -DFT_DISABLE_PNG=ON -DFT_DISABLE_BZIP2=ON
  -DFT_DISABLE_BROTLI=ON -DFT_REQUIRE_ZLIB=ON)
FT_MODULES=(FT_Module_Class:autofit_module_class FT_Driver_ClassRec:tt_driver_class
  FT_Driver_ClassRec:cff_driver_class FT_Module_Class:psaux_module_class
  FT_Module_Class:psnames_module_class FT_Module_Class:pshinter_module_class
  FT_Module_Class:sfnt_module_class FT_Renderer_Class:ft_smooth_renderer_class
  FT_Renderer_Class:ft_raster1_renderer_class)
flags freetype "cmake ${FT_CONF[*]}; ftmodule.h: ${FT_MODULES[*]}"
build_ft() {
  cd "$(srcdir freetype)"
  for m in "${FT_MODULES[@]}"; do echo "FT_USE_MODULE( ${m%%:*}, ${m#*:} )"; done \
    >include/freetype/config/ftmodule.h
  cmake -S . -B _win "${CM[@]}" "${FT_CONF[@]}"
  cmake --build _win -j"$JOBS"
  cmake --install _win
}
step freetype build_ft

# SDL2: video, events and rendering; nothing the windows do not use (audio, joysticks...).
# Renderers: Direct3D (the viewer), OpenGL and software (the host's dialogs); no OpenGL ES
# (it would need ANGLE DLLs Windows does not ship) and no Vulkan.
SDL_CONF=(--host=$HOST --prefix="$PREFIX" --enable-static --disable-shared --disable-audio
  --disable-joystick --disable-haptic --disable-hidapi --disable-sensor --disable-power
  --disable-video-opengles --disable-video-opengles1 --disable-video-opengles2
  --disable-video-vulkan)
flags SDL2 "./configure ${SDL_CONF[*]}"
build_sdl() {
  cd "$(srcdir libsdl2)"
  mkdir -p _win && cd _win
  CFLAGS="$OPT $SECT" ../configure "${SDL_CONF[@]}"
  make -j"$JOBS"
  make install
}
step SDL2 build_sdl

# SDL2_ttf: Debian's +dfsg tarball has no generated configure; its CMake build works with
# the vendored libraries off and freetype named.
TTF_CONF=(-DSDL2TTF_VENDORED=OFF -DSDL2TTF_HARFBUZZ=OFF -DSDL2TTF_SAMPLES=OFF
  -DSDL2TTF_INSTALL=ON -DCMAKE_PREFIX_PATH="$PREFIX")
flags SDL2_ttf "cmake ${TTF_CONF[*]}"
build_ttf() {
  cd "$(srcdir libsdl2-ttf)"
  cmake -S . -B _win "${CM[@]}" "${TTF_CONF[@]}"
  cmake --build _win -j"$JOBS"
  cmake --install _win
}
step SDL2_ttf build_ttf

# libyuv (C++): only its static library; its install also wants a DLL and tools.
flags libyuv "cmake --build --target yuv"
build_yuv() {
  cd "$(srcdir libyuv)"
  cmake -S . -B _win "${CM[@]}"
  cmake --build _win -j"$JOBS" --target yuv
  install -m 644 _win/libyuv.a "$PREFIX/lib/"
  cp -r include/libyuv include/libyuv.h "$PREFIX/include/"
}
step libyuv build_yuv

echo "total: $(($(date +%s) - T0)) s" >>"$INFO"
for p in "${PINS[@]}"; do echo "source $p" >>"$INFO"; done
rm -rf "$WORK"
touch "$PREFIX/.complete"
log "libraries ready in $PREFIX ($(($(date +%s) - T0)) s)"
echo "$PREFIX"
