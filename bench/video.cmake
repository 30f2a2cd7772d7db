# bench/video.cmake: screen codec benchmark (tiled dirty-rect encoder vs one full-frame encoder).
add_executable(bench_codec bench_codec.c synth_screen.c selfmem_linux.c)
target_link_libraries(bench_codec PRIVATE sasae_video sasae::yuv m)
