# Compiler launcher, warnings and sanitizers shared by every target of the project.

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

# Warnings are a property of our own targets, never of consumers of the installed package.
add_library(asyncscrape_warnings INTERFACE)
target_compile_options(asyncscrape_warnings INTERFACE -Wall -Wextra -Wpedantic)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 at -O2 misreads Asio's coroutine frame allocator (recycling allocate/free through
  # thread_info_base) as new/free mismatches once a coroutine is inlined into its caller.
  target_compile_options(asyncscrape_warnings INTERFACE -Wno-mismatched-new-delete)
endif()

if(ASYNCSCRAPE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Fuzzing (tests/fuzz): every object is instrumented for libFuzzer's coverage feedback and built
# with ASan and UBSan; only the fuzz targets link libFuzzer's main (-fsanitize=fuzzer).
if(ASYNCSCRAPE_FUZZ)
  # Clang 14, Debian 12's default, cannot compile libstdc++ 12's <ranges>, which the library uses.
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR CMAKE_CXX_COMPILER_VERSION VERSION_LESS 16)
    message(FATAL_ERROR "ASYNCSCRAPE_FUZZ needs clang 16 or later with libFuzzer: configure with "
                        "-DCMAKE_CXX_COMPILER=clang++-16 (or run `make fuzz`)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
