# Tests of the relay envelope (codec/envelope): unit tests and the parser fuzzer.
sasae_unit_test(test_envelope unit/test_envelope.c sasae_envelope)
sasae_fuzz_target(fuzz_envelope fuzz/fuzz_envelope.c sasae_envelope)
sasae_unit_test(test_supportcode unit/test_supportcode.c sasae_envelope)
