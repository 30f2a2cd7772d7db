# bench_chan: secure channel throughput vs openssl speed, and handshake time.
add_executable(bench_chan bench_chan.c)
target_link_libraries(bench_chan PRIVATE sasae_chan sasae_certs sasae_common)
