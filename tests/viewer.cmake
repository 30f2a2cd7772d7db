# Viewer tests: unit tests of the pure core, integration and GUI (Xvfb) tests of sasae-viewer.
sasae_unit_test(test_viewer_vsm unit/test_viewer_vsm.c sasae_viewer_core)
sasae_unit_test(test_viewer_view unit/test_viewer_view.c sasae_viewer_core)
sasae_unit_test(test_viewer_code unit/test_viewer_code.c sasae_viewer_core)
sasae_script_test(viewer_window gui/viewer_window.sh "gui")
