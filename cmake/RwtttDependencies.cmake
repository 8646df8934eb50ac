# Every dependency is a Debian package found on the system; nothing is downloaded at build time.
include_guard(GLOBAL)
find_package(PkgConfig REQUIRED)
find_package(fmt REQUIRED)
find_package(simdjson REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
add_library(rwttt_random123 INTERFACE)
target_include_directories(rwttt_random123 SYSTEM INTERFACE ${RANDOM123_INCLUDE_DIR})

# The batched backends (gpu/): OpenMP for `omp`, and Thrust headers. Thrust comes from CUDA's CCCL
# when the toolkit is installed (the very headers nvcc compiles `cuda` with, so both backends use
# one Thrust version), else from Debian's libthrust-dev in /usr/include.
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_path(RWTTT_THRUST_INCLUDE_DIR thrust/version.h
  PATHS /usr/local/cuda/include/cccl /usr/local/cuda/include NO_DEFAULT_PATH)
find_path(RWTTT_THRUST_INCLUDE_DIR thrust/version.h REQUIRED)
add_library(rwttt_thrust INTERFACE)
target_include_directories(rwttt_thrust SYSTEM INTERFACE ${RWTTT_THRUST_INCLUDE_DIR})
target_compile_definitions(rwttt_thrust INTERFACE THRUST_DEVICE_SYSTEM=THRUST_DEVICE_SYSTEM_OMP)

# CUDA: the `cuda` backend is built when nvcc is found (RWTTT_CUDA=AUTO) or demanded (ON).
# scripts/build.sh points CMAKE_CUDA_COMPILER at /usr/local/cuda/bin/nvcc when it exists.
set(RWTTT_HAVE_CUDA OFF)
if(NOT RWTTT_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    # CMake 3.25 predates nvcc's C++20 support: teach it the flag (nvcc >= 12 accepts it).
    if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION AND
       CMAKE_CUDA_COMPILER_VERSION VERSION_GREATER_EQUAL 12.0)
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_COMPILE_FEATURES cuda_std_20)
      list(APPEND CMAKE_CUDA_COMPILE_FEATURES cuda_std_20)
    endif()
    set(RWTTT_HAVE_CUDA ON)
  elseif(RWTTT_CUDA STREQUAL "ON")
    message(FATAL_ERROR "RWTTT_CUDA=ON but no CUDA compiler was found: set CMAKE_CUDA_COMPILER")
  endif()
endif()
message(STATUS "rwttt: cuda backend ${RWTTT_HAVE_CUDA}; Thrust from ${RWTTT_THRUST_INCLUDE_DIR}")
