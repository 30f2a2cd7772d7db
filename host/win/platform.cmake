# host/win/: the host's platform code for Windows 10/11 (included by host/CMakeLists.txt):
# DXGI Desktop Duplication and GDI capture, SendInput, a layered click-through overlay,
# system information, the process seam (console/session-end events, private files) and the
# exe's resources (version, icon, manifest, fallback Japanese font).
set(SASAE_HOST_PLATFORM_SOURCES win/cap_win.c win/cap_gdi.c win/cap_dxgi.c
  win/inject_win.c win/overlay_win.c win/sysinfo_win.c win/clip_win.c)
set(SASAE_HOST_UI_PLATFORM_SOURCES win/ui_folder_win.c)
set(SASAE_HOST_UI_PLATFORM_LIBS ole32 uuid shell32)
set(SASAE_HOST_MAIN_PLATFORM_SOURCES win/plat_win.c win/proxy_win.c win/brand_win.c)
set(SASAE_HOST_PLATFORM_LIBS sasae_host_winlogic d3d11 dxgi dxguid gdi32 user32 iphlpapi advapi32 shell32 ole32
  uuid winmm winhttp ws2_32)
