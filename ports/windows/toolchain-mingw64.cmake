# CMake toolchain for cross-building pipit's dependencies with mingw-w64 (Debian's
# gcc-mingw-w64-x86-64) for 64-bit Windows.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_AR x86_64-w64-mingw32-ar CACHE FILEPATH "ar")
set(CMAKE_RANLIB x86_64-w64-mingw32-ranlib CACHE FILEPATH "ranlib")
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# libwebsockets names its static library websockets_static on WIN32 (to keep it apart from a
# DLL's import library); pipit links only the static one, as -lwebsockets on every target.
# A call deferred to the end of the top-level CMakeLists renames it back (no patch to lws).
if(NOT PIPIT_LWS_RENAME_DEFERRED AND CMAKE_VERSION VERSION_GREATER_EQUAL 3.19)
  set(PIPIT_LWS_RENAME_DEFERRED ON)
  function(pipit_lws_static_name)
    if(TARGET websockets)
      get_target_property(type websockets TYPE)
      if(type STREQUAL "STATIC_LIBRARY")
        set_target_properties(websockets PROPERTIES OUTPUT_NAME websockets)
      endif()
    endif()
  endfunction()
  cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL pipit_lws_static_name)
endif()
