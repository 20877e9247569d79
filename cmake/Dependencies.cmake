# Every dependency comes from a Debian 12 package; scripts/install-deps.sh installs them.
find_package(yaml-cpp REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBCAPNG REQUIRED IMPORTED_TARGET libcap-ng)
if(I2KIT_TESTS)
  find_package(GTest REQUIRED)
endif()

# The C and C++ libraries the static guest agent links too, named rather than imported: the
# imported targets point at the .so files, but `-static` must find the .a files Debian ships
# beside them (libyaml-cpp.a, libcap-ng.a, libseccomp.a).
add_library(i2kit_yaml_cpp INTERFACE)
target_link_libraries(i2kit_yaml_cpp INTERFACE -lyaml-cpp)
add_library(i2kit_cap_ng INTERFACE)
target_link_libraries(i2kit_cap_ng INTERFACE -lcap-ng)

# spdlog and fmt, header-only: Debian ships only their shared libraries (no libspdlog.a or
# libfmt.a), and the agent and the EC2 reporter link statically. Only the few files that log
# include spdlog, so the header-only cost is paid in those alone.
find_package(Threads REQUIRED)
add_library(i2kit_spdlog INTERFACE)
target_compile_definitions(i2kit_spdlog INTERFACE SPDLOG_FMT_EXTERNAL FMT_HEADER_ONLY
  FMT_STATIC_THOUSANDS_SEPARATOR=0x2c SPDLOG_PREVENT_CHILD_FD)
target_link_libraries(i2kit_spdlog INTERFACE Threads::Threads)
