# Tests of host/: the session state machine, dirty rectangles, capture, injection, sysinfo,
# and the sasae-host program on loopback and under Xvfb.
sasae_unit_test(test_host_hs unit/test_host_hs.c sasae_host_core)
sasae_unit_test(test_host_dirty unit/test_host_dirty.c sasae_host_core)
sasae_unit_test(test_host_cap unit/test_host_cap.c sasae_host PkgConfig::X11)
sasae_unit_test(test_host_inject unit/test_host_inject.c sasae_host PkgConfig::X11)
