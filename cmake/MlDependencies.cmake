# SPDX-License-Identifier: Apache-2.0
# Every dependency comes from Debian's packages; the failure message names the package.
function(ml_require pkg debian)
  find_package(${pkg} ${ARGN} QUIET)
  if(NOT ${pkg}_FOUND)
    message(FATAL_ERROR "${pkg} not found: install it with `apt-get install -y ${debian}` "
      "(or run ./setup.sh)")
  endif()
endfunction()

ml_require(CLI11 libcli11-dev CONFIG)
ml_require(nlohmann_json nlohmann-json3-dev CONFIG)
ml_require(fmt libfmt-dev CONFIG)
ml_require(ICU libicu-dev COMPONENTS uc i18n data)
ml_require(libzip libzip-dev CONFIG)
ml_require(pugixml libpugixml-dev CONFIG)
ml_require(OpenSSL libssl-dev)
ml_require(Threads libc6-dev)
ml_require(Eigen3 libeigen3-dev CONFIG)
ml_require(simdjson libsimdjson-dev CONFIG)

list(APPEND CMAKE_MODULE_PATH ${CMAKE_CURRENT_LIST_DIR})
ml_require(Stemmer libstemmer-dev)  # cmake/FindStemmer.cmake

find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  message(FATAL_ERROR "pkg-config not found: install it with `apt-get install -y pkg-config`")
endif()
pkg_check_modules(XXHASH QUIET IMPORTED_TARGET libxxhash)
if(NOT XXHASH_FOUND)
  message(FATAL_ERROR "libxxhash not found: install it with `apt-get install -y libxxhash-dev`")
endif()
