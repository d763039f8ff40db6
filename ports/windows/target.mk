# Makefile settings for TARGET=windows: mingw-w64 cross build, run under wine.
CC            := x86_64-w64-mingw32-gcc
PLATFORM_SRC  := platform/pal_win32.c
# Windows 8 API level; C99/POSIX printf formats (%zu, %lld) instead of old msvcrt's; the unit
# tests' setenv/unsetenv mapped onto the CRT's _putenv_s (an empty value removes a variable).
# Format checks stay on: PIPIT_PRINTF (core/log.h) names gnu_printf under mingw.
TARGET_CFLAGS := -D_WIN32_WINNT=0x0602 -D__USE_MINGW_ANSI_STDIO=1 \
                 '-Dsetenv(n,v,o)=_putenv_s(n,v)' '-Dunsetenv(n)=_putenv_s(n,"")'
# lws: ws2_32, iphlpapi, userenv, psapi; mbedtls entropy: bcrypt; static so that the .exe
# needs no mingw runtime DLLs next to it.
TARGET_LDLIBS := -static -lws2_32 -liphlpapi -luserenv -lpsapi -lbcrypt -lcrypt32
EXE           := .exe
RUN           := wine
