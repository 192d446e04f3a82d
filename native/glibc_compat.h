/*
 * Binds dlopen/dlsym/dlclose/dlerror to their oldest glibc symbol versions (still exported by
 * glibc >= 2.34, where they moved into libc), so native code built on Debian 12 also loads on
 * older systems such as Mendel Linux (Debian 10) on the Coral Dev Board. Included by the shim and
 * force-included (-include) into the JavaCPP JNI library. No effect on Bionic (Android) or musl.
 */
#ifndef QAT4J_GLIBC_COMPAT_H
#define QAT4J_GLIBC_COMPAT_H

#include <features.h>

#if defined(__GLIBC__) && !defined(QAT4J_NO_SYMVER)
#if defined(__x86_64__)
#define QAT4J_DL_VERSION "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define QAT4J_DL_VERSION "GLIBC_2.17"
#endif
#ifdef QAT4J_DL_VERSION
__asm__(".symver dlopen,dlopen@" QAT4J_DL_VERSION);
__asm__(".symver dlsym,dlsym@" QAT4J_DL_VERSION);
__asm__(".symver dlclose,dlclose@" QAT4J_DL_VERSION);
__asm__(".symver dlerror,dlerror@" QAT4J_DL_VERSION);
#endif
#endif

#endif
