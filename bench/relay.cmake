# Relay load generators: N sessions x M Mbit/s through a running sasae-relay (see
# bench/RESULTS-relay.md for the command and figures). bench_relay_lean (raw OpenSSL +
# epoll) is the default; bench_relay (on sasae_relayclient/lws) is kept for comparison.
add_library(bench_procstat STATIC procstat.c)
add_executable(bench_relay bench_relay.c)
target_link_libraries(bench_relay PRIVATE bench_procstat sasae_relayclient sasae_common Threads::Threads)
add_executable(bench_relay_lean bench_relay_lean.c)
target_link_libraries(bench_relay_lean PRIVATE bench_procstat sasae_envelope sasae_common PkgConfig::OPENSSL)
