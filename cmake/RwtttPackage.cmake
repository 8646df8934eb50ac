# The installed CMake package: `cmake --install build --prefix P`, then in a user's project
# `find_package(rwttt)` and `target_link_libraries(my_policy PRIVATE rwttt::sim)`
# (examples/policy-plugin/, docs/tutorial-scheduler.md).
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

install(TARGETS rwttt_random123 EXPORT rwtttTargets)
install(EXPORT rwtttTargets NAMESPACE rwttt:: DESTINATION lib/cmake/rwttt)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/rwtttConfig.cmake.in
  ${PROJECT_BINARY_DIR}/rwtttConfig.cmake INSTALL_DESTINATION lib/cmake/rwttt)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/rwtttConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/rwtttConfig.cmake ${PROJECT_BINARY_DIR}/rwtttConfigVersion.cmake
  DESTINATION lib/cmake/rwttt)
