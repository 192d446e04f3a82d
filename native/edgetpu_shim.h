/*
 * qat4j EdgeTPU shim: loads libedgetpu at run time (dlopen) and forwards its six-function C API
 * through function pointers, so that code linked against this shim loads and runs where
 * libedgetpu is absent. The ABI below is declared from the documented facts of libedgetpu's
 * public C API (device list, options, delegate create/free, verbosity, version); it is our own
 * declaration, not a copy of Coral's header.
 *
 * Ownership: an etpu_lib lives until process exit (libedgetpu starts threads, so it is never
 * dlclose'd). Device arrays are freed with etpu_free_devices, delegates with etpu_free_delegate,
 * both through the same etpu_lib that produced them.
 */
#ifndef QAT4J_EDGETPU_SHIM_H
#define QAT4J_EDGETPU_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque: only the pointer crosses the boundary (TfLiteInterpreterOptionsAddDelegate takes it). */
typedef struct TfLiteDelegate TfLiteDelegate;

/* Same values as libedgetpu's device type enum. */
#define ETPU_TYPE_PCI 0
#define ETPU_TYPE_USB 1

/* Layout-compatible with libedgetpu's device record: {enum type; const char* path;}. */
typedef struct etpu_device {
    int type;
    const char* path;
} etpu_device;

/* Layout-compatible with libedgetpu's option record. Strings are read only during the call. */
typedef struct etpu_option {
    const char* name;
    const char* value;
} etpu_option;

/* One dlopen'ed libedgetpu (or a failed attempt, carrying its error text). */
typedef struct etpu_lib etpu_lib;

/* Opens (once per distinct path, cached for the process) the library at path; NULL path means
 * $QAT4J_EDGETPU_LIB when set and non-empty, else the soname "libedgetpu.so.1". Returns NULL only
 * when out of memory. A failed load is cached too: check etpu_load_error. */
etpu_lib* etpu_open(const char* path);

/* NULL when the library and all six edgetpu_* symbols were found, else the error text
 * (dlerror() of the failed dlopen/dlsym, prefixed with what was attempted). */
const char* etpu_load_error(const etpu_lib* lib);

/* The path or soname that was passed to dlopen. */
const char* etpu_lib_path(const etpu_lib* lib);

/* Convenience: etpu_load_error(etpu_open(path)); NULL on success, else the error text. */
const char* etpu_load(const char* path);

/* Forwarders. On a library that failed to load they do nothing and return NULL / 0. */
etpu_device* etpu_list_devices(const etpu_lib* lib, size_t* num_devices);
void etpu_free_devices(const etpu_lib* lib, etpu_device* devices);
/* Returns NULL when the device cannot be opened. Guard: returns NULL without calling libedgetpu
 * when num_options > 0 and name is NULL (libedgetpu aborts the process in that case). */
TfLiteDelegate* etpu_create_delegate(const etpu_lib* lib, int type, const char* name,
                                     const etpu_option* options, size_t num_options);
void etpu_free_delegate(const etpu_lib* lib, TfLiteDelegate* delegate);
void etpu_verbosity(const etpu_lib* lib, int verbosity);
const char* etpu_version(const etpu_lib* lib);

/* Address of symbol in an already loaded shared object (dlopen(path, RTLD_NOLOAD)), e.g.
 * TfLiteXNNPackDelegateCreate in the TFLite JNI library; NULL when the object is not loaded or
 * lacks the symbol. Never loads anything new. */
void* etpu_find_loaded_symbol(const char* library_path, const char* symbol);

/* Test hook: when the loaded library is the qat4j test double, forwards command to its
 * fake_edgetpu_control and returns its answer; NULL for a real libedgetpu. */
const char* etpu_test_control(const etpu_lib* lib, const char* command);

#ifdef __cplusplus
}
#endif

#endif
