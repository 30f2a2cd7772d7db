# Tests for codec/wire (application messages and the video reassembler).
sasae_unit_test(test_wire unit/test_wire.c sasae_wire)
sasae_fuzz_target(fuzz_wire fuzz/fuzz_wire.c sasae_wire)
sasae_fuzz_target(fuzz_wire_reasm fuzz/fuzz_wire_reasm.c sasae_wire)
