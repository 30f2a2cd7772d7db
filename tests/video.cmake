# tests/video.cmake: screen video codec tests (Criterion) and the decoder fuzz target.
sasae_unit_test(test_video unit/test_video.c ${PROJECT_SOURCE_DIR}/bench/synth_screen.c
  sasae_video sasae::yuv)
target_include_directories(test_video PRIVATE ${PROJECT_SOURCE_DIR}/bench)
set_tests_properties(test_video PROPERTIES TIMEOUT 300)
sasae_fuzz_target(fuzz_video_decode fuzz/fuzz_video_decode.c sasae_video)
sasae_unit_test(test_video_mem unit/test_video_mem.c sasae_video Threads::Threads)
target_include_directories(test_video_mem PRIVATE ${PROJECT_SOURCE_DIR}/codec/video)
if(SASAE_VPX_STATIC)
  target_compile_definitions(test_video_mem PRIVATE SASAE_VPX_STATIC_LINKED)
endif()
