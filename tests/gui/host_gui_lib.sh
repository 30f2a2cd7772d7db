# The common start of the real-host GUI tests (sourced): a private Xvfb with a plain desktop,
# the PKI and relay helpers of host_lib.sh, and a cleanup that stops the host started by the
# test (HOST_PID), Xvfb, then everything host_lib.sh started, keeping the test's exit status.
. "$SASAE_SRC/tests/gui/xvfb.sh"
. "$SASAE_SRC/tests/integration/host_lib.sh"
HOST_PID=
host_gui_cleanup() {
    local rc=$?
    set +e # a trap under errexit would stop at the first failing command, leaking the rest
    proc_reap "$HOST_PID" sasae-host
    xvfb_stop
    (exit $rc)
    host_cleanup
}
trap host_gui_cleanup EXIT
xvfb_start 1280x800x24
xsetroot -solid '#204060'
