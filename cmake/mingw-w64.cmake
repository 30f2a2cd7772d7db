# CMake toolchain file: cross-build for 64-bit Windows with Debian's mingw-w64 (gcc 12).
# Used by scripts/setup-windows.sh for the libraries and by `cmake --preset windows`.
# SASAE_WIN_PREFIX (cache or environment) is the prefix the cross-built libraries live in.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(SASAE_MINGW x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${SASAE_MINGW}-gcc)
set(CMAKE_CXX_COMPILER ${SASAE_MINGW}-g++)
set(CMAKE_RC_COMPILER ${SASAE_MINGW}-windres)
set(CMAKE_AR ${SASAE_MINGW}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${SASAE_MINGW}-ranlib CACHE FILEPATH "")

if(NOT SASAE_WIN_PREFIX AND DEFINED ENV{SASAE_WIN_PREFIX})
  set(SASAE_WIN_PREFIX "$ENV{SASAE_WIN_PREFIX}")
endif()
set(SASAE_WIN_PREFIX "${SASAE_WIN_PREFIX}" CACHE PATH "prefix of the cross-built libraries")
# try_compile projects get the variable too
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES SASAE_WIN_PREFIX)

set(CMAKE_FIND_ROOT_PATH /usr/${SASAE_MINGW} ${SASAE_WIN_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Tests of the Windows build run under Wine (scripts/wine-run.sh sets up its prefix).
set(CMAKE_CROSSCOMPILING_EMULATOR wine)
