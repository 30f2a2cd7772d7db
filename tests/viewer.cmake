# Viewer tests: unit tests of the pure core, integration and GUI (Xvfb) tests of sasae-viewer.
sasae_unit_test(test_viewer_vsm unit/test_viewer_vsm.c sasae_viewer_core)
sasae_unit_test(test_viewer_view unit/test_viewer_view.c sasae_viewer_core)
sasae_unit_test(test_viewer_code unit/test_viewer_code.c sasae_viewer_core)
sasae_unit_test(test_viewer_annot unit/test_viewer_annot.c sasae_viewer_core)
sasae_unit_test(test_viewer_tools unit/test_viewer_tools.c sasae_viewer_core)
sasae_unit_test(test_viewer_damage unit/test_viewer_damage.c sasae_viewer_core)
sasae_unit_test(test_viewer_tcache unit/test_viewer_tcache.c sasae_viewer_core)
# the tool rules under random event sequences (sasae/tools.h)
sasae_fuzz_target(fuzz_tools fuzz/fuzz_tools.c sasae_viewer_core)
sasae_unit_test(test_viewer_filesend unit/test_viewer_filesend.c sasae_viewer_filesend PkgConfig::OPENSSL)
sasae_unit_test(test_viewer_keys unit/test_viewer_keys.c sasae_viewer_keys sasae_host_winlogic)
sasae_script_test(viewer_window gui/viewer_window.sh "gui")
sasae_script_test(viewer_wm gui/viewer_wm.sh "gui")
sasae_script_test(viewer_headless integration/viewer_headless.sh "integration")

# End to end through the real relay and host; a scripted host for protocol corner cases;
# refcheck compares decoded frames with the synthetic source.
add_executable(viewer_refcheck integration/viewer_refcheck.c)
target_link_libraries(viewer_refcheck PRIVATE sasae_host sasae_video sasae::yuv)
add_executable(viewer_fakehost integration/viewer_fakehost.c)
target_link_libraries(viewer_fakehost PRIVATE sasae_relayclient sasae_link sasae_chan sasae_envelope sasae_wire
  sasae_video sasae_common Threads::Threads)
sasae_script_test(viewer_protocol integration/viewer_protocol.sh "integration")
sasae_script_test(viewer_e2e integration/viewer_e2e.sh "integration")
sasae_script_test(audit_endings integration/audit_endings.sh "integration")
sasae_script_test(viewer_4096 integration/viewer_4096.sh "integration")
sasae_script_test(viewer_session gui/viewer_session.sh "gui")
sasae_script_test(viewer_jis_keys gui/viewer_jis_keys.sh "gui")
sasae_script_test(viewer_monitors gui/viewer_monitors.sh "gui")
sasae_script_test(viewer_clipboard gui/viewer_clipboard.sh "gui")
sasae_script_test(viewer_file gui/viewer_file.sh "gui")
add_test(NAME viewer_file_ja COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/gui/viewer_file.sh)
set_tests_properties(viewer_file_ja PROPERTIES LABELS gui
  ENVIRONMENT "SASAE_BIN=${PROJECT_BINARY_DIR};SASAE_SRC=${PROJECT_SOURCE_DIR};SASAE_VIEWER_LANG=ja")
set_tests_properties(viewer_protocol viewer_e2e viewer_session viewer_jis_keys viewer_4096 PROPERTIES
  TIMEOUT 300)
