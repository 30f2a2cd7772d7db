# Faults survived: real relay, host and viewer processes, one fault started mid-session each
# (a process killed, the relay killed and restarted, the relay out of descriptors, the audit
# disk full); each checks what both people see, the session state, the audit log and that no
# byte is forwarded after the end (docs/operations.md "What happens on each fault").
sasae_script_test(fault_peer_killed integration/fault_peer_killed.sh "integration;fault")
sasae_script_test(fault_relay_restart integration/fault_relay_restart.sh "integration;fault")
sasae_script_test(fault_relay_fds integration/fault_relay_fds.sh "integration;fault")
sasae_script_test(fault_audit_full integration/fault_audit_full.sh "integration;fault")
# nosan: it measures the relay's resident memory coming back after a session is cut, which a
# sanitizer's allocator never gives back (ASan's quarantine, TSan's shadow memory): the
# normal build runs it, the sanitizer stages skip it (scripts/test.sh -LE nosan)
sasae_script_test(fault_relay_memory integration/fault_relay_memory.sh "integration;fault;nosan")
sasae_script_test(fault_net_cut integration/fault_net_cut.sh "integration;fault")
set_tests_properties(fault_peer_killed fault_relay_restart fault_relay_fds fault_audit_full
  fault_net_cut fault_relay_memory PROPERTIES TIMEOUT 300)
# The soak's CI-sized variant (2 minutes); nosan: resident memory under a sanitizer's
# allocator says nothing about leaks (LeakSanitizer does that in the other tests)
sasae_script_test(soak_short integration/soak_short.sh "integration;fault;nosan")
set_tests_properties(soak_short PROPERTIES TIMEOUT 400)
