# Sourced by the Windows end-to-end scripts (after tests/gui/host_gui_lib.sh, which gives
# the Xvfb, the PKI, the relay and the test viewer): Wine's environment for the Windows
# programs of the build in $SASAE_WIN_BIN. Wine passes the Linux environment into Windows
# processes: the OpenSSL variables are removed so that only what a test sets on purpose
# reaches the program.
: "${SASAE_WIN_BIN:?the Windows build directory}"
export WINEPREFIX="${WINEPREFIX:-${SASAE_WINEPREFIX:-$HOME/.cache/sasae-wine}}"
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
unset SSL_CERT_FILE SSL_CERT_DIR OPENSSL_CONF OPENSSL_MODULES OPENSSL_ENGINES
. "$SASAE_SRC/tests/win/wine-prefix.sh"
wine_prefix_ready || hl_fail "no usable Wine prefix"
WIN_HOST="$SASAE_WIN_BIN/host/sasae-host.exe"
WIN_VIEWER="$SASAE_WIN_BIN/viewer/sasae-viewer.exe"
[ -f "$WIN_HOST" ] || hl_fail "no $WIN_HOST"
