# bench_host: X11 capture cost (unchanged, typing-sized, full-screen) under Xvfb.
if(TARGET sasae_video)
  add_executable(bench_host bench_host.c)
  target_link_libraries(bench_host PRIVATE sasae_host sasae_video sasae_common PkgConfig::X11)
endif()
# typist: timed glyph-sized changes on an X display, for bench/typing_latency.sh; scrolls a
# terminal or (SDL2_ttf) an anti-aliased web page for bench/slow_link.sh.
add_executable(typist typist.c)
target_link_libraries(typist PRIVATE PkgConfig::X11 PkgConfig::SDL2)
# glasspoll: reads the viewer window's pixels on a second X display and stamps each change,
# the visible end of bench/glass_to_glass.sh.
add_executable(glasspoll glasspoll.c)
target_link_libraries(glasspoll PRIVATE PkgConfig::X11)
