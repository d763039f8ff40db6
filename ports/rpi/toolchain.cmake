# Shared CMake cross toolchain for the Raspberry Pi targets (Debian's cross compilers).
# ports/rpi-<arch>/toolchain.cmake sets PIPIT_TRIPLE, CMAKE_SYSTEM_PROCESSOR and PIPIT_QEMU, then
# includes this file. ports/deps/build.sh passes it as CMAKE_TOOLCHAIN_FILE (see target.env).
# Note: build.sh's cache stamp covers target.env, not this file: after changing anything here,
# bump the "toolchain rev" line of both ports/rpi-*/target.env so the deps are rebuilt.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${PIPIT_TRIPLE}-gcc)
set(CMAKE_AR ${PIPIT_TRIPLE}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${PIPIT_TRIPLE}-ranlib CACHE FILEPATH "")
set(CMAKE_STRIP ${PIPIT_TRIPLE}-strip CACHE FILEPATH "")
# Debian's multiarch-less cross sysroot (libc6-dev-<arch>-cross)
set(CMAKE_FIND_ROOT_PATH /usr/${PIPIT_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)   # build tools come from the host
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)    # never link a host (x86-64) library
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# try_run() checks, if a project has any, run under qemu-user (binfmt is not assumed)
find_program(PIPIT_QEMU_PATH ${PIPIT_QEMU})
if(PIPIT_QEMU_PATH)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${PIPIT_QEMU_PATH} -L /usr/${PIPIT_TRIPLE})
endif()
