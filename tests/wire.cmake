# Tests for codec/wire (application messages and the video reassembler).
sasae_unit_test(test_wire unit/test_wire.c sasae_wire)
