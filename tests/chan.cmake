# Tests for codec/chan (secure channel) and relay/certs (sasae-certs).
sasae_unit_test(test_chan unit/test_chan.c sasae_chan sasae_certs)
sasae_unit_test(test_chan_kat unit/test_chan_kat.c sasae_chan)
sasae_unit_test(test_spake2 unit/test_spake2.c sasae_chan)
sasae_script_test(certs_cli integration/certs_cli.sh "integration")
sasae_fuzz_target(fuzz_chan fuzz/fuzz_chan.c sasae_chan sasae_certs)
sasae_fuzz_target(fuzz_crl fuzz/fuzz_crl.c sasae_chan sasae_certs)
sasae_unit_test(test_chan_wire unit/test_chan_wire.c sasae_chan sasae_wire sasae_certs)
sasae_unit_test(test_chan_interop unit/test_chan_interop.c sasae_chan sasae_certs)
# codec/link: the endpoints' shared secure-session glue
sasae_unit_test(test_link unit/test_link.c sasae_link sasae_certs)
sasae_fuzz_target(fuzz_link fuzz/fuzz_link.c sasae_link sasae_certs)
