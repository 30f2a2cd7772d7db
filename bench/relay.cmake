# Relay load generator: N sessions x M Mbit/s through a running sasae-relay (see
# bench/RESULTS-relay.md for the command and figures).
add_executable(bench_relay bench_relay.c)
target_link_libraries(bench_relay PRIVATE sasae_relayclient sasae_common Threads::Threads)
