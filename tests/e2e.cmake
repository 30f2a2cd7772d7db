# End to end: the README's main-job command (scripts/demo.sh) in smoke form.
sasae_script_test(demo_smoke integration/demo_smoke.sh "integration;e2e")
set_tests_properties(demo_smoke PROPERTIES TIMEOUT 240)
