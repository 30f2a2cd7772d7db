# bench/viewer.cmake: the viewer's receive path (decode + present) per frame.
if(TARGET sasae_video)
  add_executable(bench_viewer bench_viewer.c synth_screen.c)
  target_link_libraries(bench_viewer PRIVATE sasae_video sasae_common PkgConfig::SDL2 m)
endif()
