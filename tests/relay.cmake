# Tests of the relay: the pure relay table (unit), and the real sasae-relay process on
# loopback with real clients (integration; certificates made with the openssl CLI).
sasae_unit_test(test_relay_table unit/test_relay_table.c sasae_relaytable)
sasae_unit_test(test_relay_burn unit/test_relay_burn.c sasae_relaytable)
# The test watches the check-part comparison go through CRYPTO_memcmp.
target_link_options(test_relay_burn PRIVATE -Wl,--wrap=CRYPTO_memcmp)
sasae_unit_test(test_relay_audit unit/test_relay_audit.c sasae_relay_core)
sasae_unit_test(test_relay_wsguard unit/test_relay_wsguard.c sasae_relay_core)
sasae_unit_test(test_relay_resume unit/test_relay_resume.c sasae_relay_core)

add_executable(relay_testclient tools/relay_testclient.c)
target_link_libraries(relay_testclient PRIVATE sasae_relayclient sasae_common Threads::Threads)
add_executable(relay_rawclient tools/relay_rawclient.c)
target_link_libraries(relay_rawclient PRIVATE sasae_envelope sasae_common PkgConfig::OPENSSL)

foreach(t pairing limits badinput tls auth proxy audit auditday burn camem rfc6455 crlreload)
  sasae_script_test(relay_${t} integration/relay_${t}.sh "integration;relay")
endforeach()
# notsan: relay_auditday runs the relay under libfaketime, whose pthread_cond_timedwait wrapper
# hides from ThreadSanitizer that the audit writer holds its mutex again on return: spurious
# race reports on a->head (audit.c takes the lock; ASan and the normal build run it)
set_property(TEST relay_auditday APPEND PROPERTY LABELS notsan)
sasae_unit_test(test_relay_rxpool unit/test_relay_rxpool.c sasae_relay_core)
sasae_script_test(relay_rxmem integration/relay_rxmem.sh "integration;relay")
# The audit log's day switch: the test watches fsync/close/write of audit.c.
sasae_unit_test(test_relay_audit_day unit/test_relay_audit_day.c sasae_relay_core)
target_link_options(test_relay_audit_day PRIVATE -Wl,--wrap=fsync -Wl,--wrap=close -Wl,--wrap=write)
# The relay cluster: three nodes, Redis and HAProxy as child processes of the test.
sasae_script_test(relay_cluster integration/relay_cluster.sh "integration;relay")
sasae_script_test(relay_cluster_sentinel integration/relay_cluster_sentinel.sh "integration;relay")
sasae_script_test(relay_cluster_resume integration/relay_cluster_resume.sh "integration;relay")
