# The Windows build's libraries: static libraries cross-built by scripts/setup-windows.sh
# into SASAE_WIN_PREFIX, wrapped as the same imported targets the Linux build gets from
# pkg-config, so the folders' CMakeLists stay platform-free. Everything links statically
# (-static): the exe needs only DLLs that ship with Windows.
if(NOT SASAE_WIN_PREFIX)
  # the prefix scripts/setup-windows.sh builds for the pinned versions
  execute_process(COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/setup-windows.sh --print-prefix
    OUTPUT_VARIABLE SASAE_WIN_PREFIX OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(SASAE_WIN_PREFIX "${SASAE_WIN_PREFIX}" CACHE PATH "" FORCE)
endif()
if(NOT SASAE_WIN_PREFIX OR NOT EXISTS "${SASAE_WIN_PREFIX}/.complete")
  message(FATAL_ERROR "SASAE_WIN_PREFIX='${SASAE_WIN_PREFIX}' holds no cross-built libraries: "
    "run scripts/setup-windows.sh and pass the prefix it prints")
endif()
set(P "${SASAE_WIN_PREFIX}")

function(sasae_win_lib name)
  cmake_parse_arguments(A "" "" "LIBS;DEFS" ${ARGN})
  add_library(${name} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${P}/include"
    INTERFACE_LINK_LIBRARIES "${A_LIBS}" INTERFACE_COMPILE_DEFINITIONS "${A_DEFS}")
endfunction()

sasae_win_lib(PkgConfig::OPENSSL LIBS ${P}/lib/libssl.a ${P}/lib/libcrypto.a ws2_32 gdi32
  crypt32 bcrypt user32 advapi32)
sasae_win_lib(PkgConfig::VPX LIBS ${P}/lib/libvpx.a -l:libpthread.a)
sasae_win_lib(PkgConfig::ZLIB LIBS -l:libz.a)
sasae_win_lib(PkgConfig::LWS LIBS ${P}/lib/libwebsockets_static.a PkgConfig::OPENSSL ws2_32
  iphlpapi userenv psapi DEFS LWS_STATIC)
sasae_win_lib(PkgConfig::SDL2 LIBS ${P}/lib/libSDL2_ttf.a ${P}/lib/libfreetype.a
  ${P}/lib/libSDL2.a setupapi winmm imm32 version ole32 oleaut32 shell32 gdi32 user32
  cfgmgr32 DEFS SDL_MAIN_HANDLED)
# SDL's headers live in include/SDL2 (the Linux .pc adds that folder too)
set_property(TARGET PkgConfig::SDL2 APPEND PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${P}/include/SDL2")
# libyuv is C++: the exe links the C++ runtime statically
sasae_win_lib(sasae::yuv LIBS ${P}/lib/libyuv.a -l:libstdc++.a)

# POSIX time functions (gmtime_r) from mingw's headers; C99 printf formats (%zu, %llu)
add_compile_definitions(_POSIX_C_SOURCE=200809L __USE_MINGW_ANSI_STDIO=1)
# every program: static C runtime pieces, no DLLs beyond the system's
add_link_options(-static -static-libgcc)
# Unreferenced data sections (the libraries are built with -fdata-sections by
# scripts/setup-windows.sh, the project's own code here) are dropped from the exes.
add_compile_options(-fdata-sections)
add_link_options(-Wl,--gc-sections)

# The fallback Japanese UI font both exes embed (host/win/make-font.py): built once per build
# tree from Debian's Noto Sans CJK.
enable_language(RC)
set(SASAE_FONT_SOURCE /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc)
set(SASAE_FONT_FILE ${PROJECT_BINARY_DIR}/sasae-ui-font.otf.z)
add_custom_command(OUTPUT ${SASAE_FONT_FILE}
  COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/host/win/make-font.py ${SASAE_FONT_SOURCE}
    ${SASAE_FONT_FILE}
  DEPENDS ${PROJECT_SOURCE_DIR}/host/win/make-font.py VERBATIM)
add_custom_target(sasae_ui_font DEPENDS ${SASAE_FONT_FILE})

# sasae_win_resources(TARGET NAME DESCRIPTION): version, icon, manifest and font resources,
# and the GUI subsystem (no console window on double-click).
function(sasae_win_resources target name description)
  set(SASAE_WIN_DIR ${PROJECT_SOURCE_DIR}/host/win)
  set(SASAE_EXE_NAME ${name})
  set(SASAE_EXE_DESCRIPTION ${description})
  set(rc ${CMAKE_CURRENT_BINARY_DIR}/${name}.rc)
  configure_file(${PROJECT_SOURCE_DIR}/host/win/sasae.rc.in ${rc} @ONLY)
  set_source_files_properties(${rc} PROPERTIES OBJECT_DEPENDS
    "${SASAE_FONT_FILE};${SASAE_WIN_DIR}/sasae.ico;${SASAE_WIN_DIR}/sasae.manifest")
  target_sources(${target} PRIVATE ${rc})
  add_dependencies(${target} sasae_ui_font)
  # the linker map: what the exe is made of (bench/win/exe_parts.py sums it per library).
  # Sections page-aligned in the file too: Wine then maps the image from the file (only the
  # pages used become resident) instead of copying all of it into private memory.
  target_link_options(${target} PRIVATE -mwindows
    -Wl,-Map,${CMAKE_CURRENT_BINARY_DIR}/${name}.map -Wl,--file-alignment=4096)
  # The exe is what a help desk brands and ships: stripped. Its symbols and debug
  # information stay beside it in NAME.exe.debug (gdb finds them through the debug link).
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_OBJCOPY} --only-keep-debug $<TARGET_FILE:${target}> $<TARGET_FILE:${target}>.debug
    COMMAND ${CMAKE_OBJCOPY} --strip-all
      --add-gnu-debuglink=$<TARGET_FILE:${target}>.debug $<TARGET_FILE:${target}>
    VERBATIM)
endfunction()
