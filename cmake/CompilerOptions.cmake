# Warnings every target of ours compiles with. -Wshadow and -Wnon-virtual-dtor catch real
# bugs in this kind of code; -Werror is opt-in so a newer compiler never breaks a user's build.
# Every model struct gives each member a default, so a designated initializer that names only
# some of them is complete: GCC 12 would still warn (-Wmissing-field-initializers).
add_library(i2kit_warnings INTERFACE)
target_compile_options(i2kit_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough
  -Wmissing-declarations -Wno-missing-field-initializers $<$<BOOL:${I2KIT_WERROR}>:-Werror>)

if(I2KIT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

if(I2KIT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "I2KIT_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # Instrument everything for coverage; only the fuzz targets link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
