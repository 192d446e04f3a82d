# android-arm64 via the NDK's own toolchain file; requires ANDROID_NDK_HOME.
# Note: Coral publishes no libedgetpu for Android, so on Android the shim always reports
# "unavailable"; it is built so the runtime jar has the same JNI surface on every platform.
if(NOT DEFINED ENV{ANDROID_NDK_HOME})
  message(FATAL_ERROR "android-arm64 needs ANDROID_NDK_HOME pointing at an Android NDK")
endif()
set(ANDROID_ABI arm64-v8a)
set(ANDROID_PLATFORM 24 CACHE STRING "minimum Android API level")
include($ENV{ANDROID_NDK_HOME}/build/cmake/android.toolchain.cmake)
