# Viewer tests: unit tests of the pure core, integration and GUI (Xvfb) tests of sasae-viewer.
sasae_unit_test(test_viewer_vsm unit/test_viewer_vsm.c sasae_viewer_core)
sasae_unit_test(test_viewer_view unit/test_viewer_view.c sasae_viewer_core)
sasae_unit_test(test_viewer_code unit/test_viewer_code.c sasae_viewer_core)
sasae_script_test(viewer_window gui/viewer_window.sh "gui")

# End to end through the real relay and host: built once they are in the tree.
if(TARGET sasae_host AND TARGET sasae_video)
  add_executable(viewer_refcheck integration/viewer_refcheck.c)
  target_link_libraries(viewer_refcheck PRIVATE sasae_host sasae_video sasae::yuv)
endif()
if(TARGET viewer_refcheck AND TARGET sasae-relay AND TARGET sasae-host AND TARGET sasae-certs)
  sasae_script_test(viewer_e2e integration/viewer_e2e.sh "integration")
  set_tests_properties(viewer_e2e PROPERTIES TIMEOUT 300)
  sasae_script_test(viewer_session gui/viewer_session.sh "gui")
  set_tests_properties(viewer_session PROPERTIES TIMEOUT 300)
endif()
sasae_script_test(viewer_headless integration/viewer_headless.sh "integration")
