# bench_host: X11 capture cost (unchanged, typing-sized, full-screen) under Xvfb.
if(TARGET sasae_video)
  add_executable(bench_host bench_host.c)
  target_link_libraries(bench_host PRIVATE sasae_host sasae_video sasae_common PkgConfig::X11)
endif()
