# host/linux/: the host's platform code for Linux with X11 (included by host/CMakeLists.txt).
set(SASAE_HOST_PLATFORM_SOURCES linux/cap_x11.c linux/inject_x11.c linux/overlay_x11.c linux/overlay_argb.c
  linux/sysinfo_linux.c linux/clip_x11.c)
set(SASAE_HOST_UI_PLATFORM_SOURCES linux/ui_tty.c linux/ui_folder_linux.c)
set(SASAE_HOST_MAIN_PLATFORM_SOURCES linux/plat_linux.c linux/brand_linux.c)
set(SASAE_HOST_PLATFORM_LIBS PkgConfig::X11)
