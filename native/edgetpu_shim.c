/* qat4j EdgeTPU shim implementation: see edgetpu_shim.h. */
#define _GNU_SOURCE
#include "edgetpu_shim.h"
#include "glibc_compat.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETPU_DEFAULT_SONAME "libedgetpu.so.1"
#define ETPU_ENV_VAR "QAT4J_EDGETPU_LIB"

typedef etpu_device* (*list_fn)(size_t*);
typedef void (*free_devices_fn)(etpu_device*);
typedef TfLiteDelegate* (*create_fn)(int, const char*, const etpu_option*, size_t);
typedef void (*free_delegate_fn)(TfLiteDelegate*);
typedef void (*verbosity_fn)(int);
typedef const char* (*version_fn)(void);
typedef const char* (*control_fn)(const char*);

struct etpu_lib {
    struct etpu_lib* next;
    char* path;
    char* error;            /* NULL when loaded */
    void* handle;
    list_fn list_devices;
    free_devices_fn free_devices;
    create_fn create_delegate;
    free_delegate_fn free_delegate;
    verbosity_fn verbosity;
    version_fn version;
};

static pthread_mutex_t etpu_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct etpu_lib* etpu_libs = NULL;

static char* etpu_format(const char* what, const char* path, const char* detail) {
    size_t n = strlen(what) + strlen(path) + strlen(detail) + 8;
    char* s = malloc(n);
    if (s != NULL) snprintf(s, n, "%s %s: %s", what, path, detail);
    return s;
}

/* Resolves one symbol; on failure records the error and returns NULL. */
static void* etpu_sym(struct etpu_lib* lib, const char* name) {
    if (lib->error != NULL) return NULL;
    dlerror();
    void* f = dlsym(lib->handle, name);
    if (f == NULL) {
        const char* err = dlerror();
        char what[128];
        snprintf(what, sizeof what, "symbol %s missing in", name);
        lib->error = etpu_format(what, lib->path, err != NULL ? err : "resolved to NULL");
    }
    return f;
}

static void etpu_resolve(struct etpu_lib* lib) {
    dlerror();
    lib->handle = dlopen(lib->path, RTLD_NOW | RTLD_LOCAL);
    if (lib->handle == NULL) {
        const char* err = dlerror();
        lib->error = etpu_format("cannot dlopen", lib->path, err != NULL ? err : "unknown error");
        return;
    }
    lib->list_devices = (list_fn) etpu_sym(lib, "edgetpu_list_devices");
    lib->free_devices = (free_devices_fn) etpu_sym(lib, "edgetpu_free_devices");
    lib->create_delegate = (create_fn) etpu_sym(lib, "edgetpu_create_delegate");
    lib->free_delegate = (free_delegate_fn) etpu_sym(lib, "edgetpu_free_delegate");
    lib->verbosity = (verbosity_fn) etpu_sym(lib, "edgetpu_verbosity");
    lib->version = (version_fn) etpu_sym(lib, "edgetpu_version");
}

etpu_lib* etpu_open(const char* path) {
    if (path == NULL || path[0] == '\0') {
        const char* env = getenv(ETPU_ENV_VAR);
        path = (env != NULL && env[0] != '\0') ? env : ETPU_DEFAULT_SONAME;
    }
    pthread_mutex_lock(&etpu_mutex);
    struct etpu_lib* lib = etpu_libs;
    while (lib != NULL && strcmp(lib->path, path) != 0) lib = lib->next;
    if (lib == NULL) {
        lib = calloc(1, sizeof *lib);
        if (lib != NULL) lib->path = strdup(path);
        if (lib != NULL && lib->path == NULL) { free(lib); lib = NULL; }
        if (lib != NULL) {
            etpu_resolve(lib);
            if (lib->error == NULL && lib->version == NULL) lib->error = strdup("out of memory");
            lib->next = etpu_libs;
            etpu_libs = lib;
        }
    }
    pthread_mutex_unlock(&etpu_mutex);
    return lib;
}

const char* etpu_load_error(const etpu_lib* lib) {
    if (lib == NULL) return "out of memory opening libedgetpu";
    return lib->error;
}

const char* etpu_lib_path(const etpu_lib* lib) {
    return lib != NULL ? lib->path : NULL;
}

const char* etpu_load(const char* path) {
    return etpu_load_error(etpu_open(path));
}

static int etpu_ok(const etpu_lib* lib) {
    return lib != NULL && lib->error == NULL;
}

etpu_device* etpu_list_devices(const etpu_lib* lib, size_t* num_devices) {
    size_t n = 0;
    etpu_device* d = etpu_ok(lib) ? lib->list_devices(&n) : NULL;
    if (d == NULL) n = 0;
    if (num_devices != NULL) *num_devices = n;
    return d;
}

void etpu_free_devices(const etpu_lib* lib, etpu_device* devices) {
    if (etpu_ok(lib) && devices != NULL) lib->free_devices(devices);
}

TfLiteDelegate* etpu_create_delegate(const etpu_lib* lib, int type, const char* name,
                                     const etpu_option* options, size_t num_options) {
    if (!etpu_ok(lib)) return NULL;
    if (num_options > 0 && (name == NULL || options == NULL)) return NULL;
    if (type != ETPU_TYPE_PCI && type != ETPU_TYPE_USB) return NULL;
    return lib->create_delegate(type, name, num_options > 0 ? options : NULL, num_options);
}

void etpu_free_delegate(const etpu_lib* lib, TfLiteDelegate* delegate) {
    if (etpu_ok(lib) && delegate != NULL) lib->free_delegate(delegate);
}

void etpu_verbosity(const etpu_lib* lib, int verbosity) {
    if (!etpu_ok(lib)) return;
    lib->verbosity(verbosity < 0 ? 0 : verbosity > 10 ? 10 : verbosity);
}

const char* etpu_version(const etpu_lib* lib) {
    return etpu_ok(lib) ? lib->version() : NULL;
}

void* etpu_find_loaded_symbol(const char* library_path, const char* symbol) {
    if (library_path == NULL || symbol == NULL) return NULL;
    void* h = dlopen(library_path, RTLD_NOW | RTLD_NOLOAD);
    if (h == NULL) return NULL;
    void* f = dlsym(h, symbol);
    dlclose(h); /* drops only the reference RTLD_NOLOAD added */
    return f;
}

const char* etpu_test_control(const etpu_lib* lib, const char* command) {
    if (!etpu_ok(lib) || command == NULL) return NULL;
    control_fn f = (control_fn) dlsym(lib->handle, "fake_edgetpu_control");
    return f != NULL ? f(command) : NULL;
}
