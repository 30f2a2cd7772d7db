# vncmeter: the VNC peers' client for bench/peers/run.sh. Optional: built only when
# libvncclient is there (Debian libvncserver-dev, scripts/setup.sh), never required.
pkg_check_modules(VNCCLIENT IMPORTED_TARGET libvncclient)
if(VNCCLIENT_FOUND)
  add_executable(vncmeter peers/vncmeter.c)
  target_link_libraries(vncmeter PRIVATE PkgConfig::VNCCLIENT)
else()
  message(STATUS "libvncclient not found: bench/peers' vncmeter is not built")
endif()
