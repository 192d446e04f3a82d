# Cross toolchain for linux-arm64 (Coral Dev Board, Raspberry Pi 64-bit) with Debian's
# gcc-aarch64-linux-gnu; tests run under qemu-aarch64 with the cross sysroot.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# With Debian's multiarch arm64 libc installed (it comes with openjdk-17-jre-headless:arm64, scripts/arm64-test.sh),
# the cross sysroot's ld.so would load the multiarch libc.so.6 of another version and hang: run under / instead.
if(EXISTS /lib/ld-linux-aarch64.so.1 AND EXISTS /lib/aarch64-linux-gnu/libc.so.6)
  set(QAT4J_ARM64_RUNROOT /)
else()
  set(QAT4J_ARM64_RUNROOT /usr/aarch64-linux-gnu)
endif()
set(QAT4J_ARM64_SYSROOT /usr/aarch64-linux-gnu CACHE PATH "aarch64 cross sysroot")
find_program(QAT4J_QEMU_AARCH64 qemu-aarch64)
if(QAT4J_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${QAT4J_QEMU_AARCH64} -L ${QAT4J_ARM64_RUNROOT})
endif()
set(CMAKE_FIND_ROOT_PATH ${QAT4J_ARM64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
