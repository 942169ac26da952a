# Installs the library with its public headers and a CMake package, so that an outside project can
# find_package(asyncscrape) and link asyncscrape::asyncscrape.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS asyncscrape EXPORT asyncscrapeTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY lib/include/asyncscrape DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS asyncscrape-server RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT asyncscrapeTargets NAMESPACE asyncscrape::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/asyncscrape)

configure_package_config_file(cmake/asyncscrapeConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/asyncscrapeConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/asyncscrape)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/asyncscrapeConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/asyncscrapeConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/asyncscrapeConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/asyncscrape)
