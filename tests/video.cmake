# tests/video.cmake: screen video codec tests (Criterion) and the decoder fuzz target.
sasae_unit_test(test_video unit/test_video.c ${PROJECT_SOURCE_DIR}/bench/synth_screen.c
  sasae_video sasae::yuv)
target_include_directories(test_video PRIVATE ${PROJECT_SOURCE_DIR}/bench)
set_tests_properties(test_video PROPERTIES TIMEOUT 300)
sasae_fuzz_target(fuzz_video_decode fuzz/fuzz_video_decode.c sasae_video)
