# Tests of host/: the session state machine, dirty rectangles, capture, injection, sysinfo,
# the customer UI, and the sasae-host program on loopback and under Xvfb.
sasae_unit_test(test_host_hs unit/test_host_hs.c sasae_host_core)
sasae_unit_test(test_host_dirty unit/test_host_dirty.c sasae_host_core)
sasae_unit_test(test_host_proxycfg unit/test_host_proxycfg.c sasae_host_core)
sasae_unit_test(test_host_dxgi unit/test_host_dxgi.c sasae_host_winlogic)
sasae_unit_test(test_host_keymap unit/test_host_keymap.c sasae_host_winlogic)
sasae_unit_test(test_host_cap unit/test_host_cap.c sasae_host PkgConfig::X11)
sasae_unit_test(test_host_inject unit/test_host_inject.c sasae_host PkgConfig::X11)
sasae_unit_test(test_host_ui unit/test_host_ui.c sasae_host_ui)
sasae_unit_test(test_host_ink unit/test_host_ink.c sasae_host_core)
sasae_unit_test(test_host_filerecv unit/test_host_filerecv.c sasae_host_file PkgConfig::OPENSSL)
sasae_unit_test(test_host_overlay unit/test_host_overlay.c sasae_host sasae_common PkgConfig::X11)
sasae_unit_test(test_host_crl unit/test_host_crl.c sasae_host_session sasae_certs)
sasae_unit_test(test_host_session unit/test_host_session.c sasae_host_session sasae_certs
  sasae_video sasae_wire sasae_common PkgConfig::X11)
sasae_fuzz_target(fuzz_host_file fuzz/fuzz_host_file.c sasae_host)

# GUI: the customer UI alone (driver), then the real program under Xvfb with xdotool.
add_executable(host_ui_driver gui/host_ui_driver.c)
target_link_libraries(host_ui_driver PRIVATE sasae_host_ui sasae_common)
add_executable(host_xclose gui/host_xclose.c)
target_link_libraries(host_xclose PRIVATE PkgConfig::X11)
sasae_script_test(host_gui_consent gui/host_consent.sh "gui")
sasae_script_test(host_gui_session gui/host_gui_session.sh "gui")
sasae_script_test(host_gui_file gui/host_gui_file.sh "gui")
sasae_script_test(host_gui_renew gui/host_gui_renew.sh "gui")
sasae_script_test(host_gui_wm gui/host_gui_wm.sh "gui")
add_test(NAME host_gui_session_ja COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/gui/host_gui_session.sh)
set_tests_properties(host_gui_session_ja PROPERTIES LABELS gui
  ENVIRONMENT "SASAE_BIN=${PROJECT_BINARY_DIR};SASAE_SRC=${PROJECT_SOURCE_DIR};SASAE_LANG=ja")

# Integration: the real sasae-host against the real relay, with a C test client as viewer.
add_executable(host_test_viewer integration/host_test_viewer.c)
target_link_libraries(host_test_viewer PRIVATE sasae_relayclient sasae_chan sasae_envelope sasae_wire
  sasae_video sasae_common sasae_viewer_filesend Threads::Threads)
sasae_script_test(host_it_session integration/host_session.sh "integration")
sasae_script_test(host_it_endings integration/host_endings.sh "integration")
sasae_script_test(host_it_file integration/host_file.sh "integration")
sasae_script_test(host_it_trust integration/host_trust.sh "integration")
sasae_script_test(host_it_crl integration/host_crl.sh "integration")
sasae_script_test(host_it_consent_timeout integration/host_consent_timeout.sh "integration")
sasae_script_test(host_it_renew integration/host_renew.sh "integration")
sasae_script_test(host_it_rogue_relay integration/rogue_relay.sh "integration")
set_tests_properties(host_it_consent_timeout PROPERTIES TIMEOUT 300)
# codec/brand: the brand block of the Windows host (and `sasae-certs brand` in tests/win)
sasae_unit_test(test_brand unit/test_brand.c sasae_brand PkgConfig::OPENSSL)
sasae_fuzz_target(fuzz_brand fuzz/fuzz_brand.c sasae_brand PkgConfig::OPENSSL)
sasae_fuzz_target(fuzz_proxycfg fuzz/fuzz_proxycfg.c sasae_host_core)
