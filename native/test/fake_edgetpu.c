/*
 * TEST DOUBLE of libedgetpu, built as libfake_edgetpu.so. It exists only to test qat4j's binding
 * layer and never talks to hardware. It exports the same six-function C API as libedgetpu, a fake
 * device list, and a real TfLiteDelegate whose Prepare returns OK without claiming any node, so a
 * model runs unchanged on the CPU. It records what it was given (options, lifecycle counts).
 *
 * Control (environment, read on every call, or fake_edgetpu_control for in-process tests):
 *   FAKE_EDGETPU_DEVICES      comma list of usb|pci (default "usb"); "none" = no devices
 *   FAKE_EDGETPU_FAIL_CREATE  "1" = edgetpu_create_delegate returns NULL (device cannot be opened)
 *
 * The TfLiteDelegate layout below is declared from TFLite's public C ABI (common.h, TF 2.x):
 * data_, Prepare, CopyFromBufferHandle, CopyToBufferHandle, FreeBufferHandle, int64 flags,
 * opaque_delegate_builder. Only Prepare is set; TFLite ignores NULL buffer-handle callbacks when
 * the delegate never creates buffer handles, and flags 0 = no special behaviour.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_EXPORT __attribute__((visibility("default")))
#define FAKE_MAX_DEVICES 8

struct fake_device { int type; const char* path; };
struct fake_option { const char* name; const char* value; };

typedef int (*fake_prepare_fn)(void* context, void* delegate);
typedef struct fake_tflite_delegate {
    void* data_;
    fake_prepare_fn Prepare;
    void* CopyFromBufferHandle;
    void* CopyToBufferHandle;
    void* FreeBufferHandle;
    int64_t flags;
    void* opaque_delegate_builder;
} fake_tflite_delegate;

static pthread_mutex_t fake_mutex = PTHREAD_MUTEX_INITIALIZER;
static int n_list, n_free_devices, n_create, n_free_delegate, n_prepare, last_verbosity = -1;
static int last_type = -1;
static char last_name[256];
static char last_options[1024];
static char control_devices[128];   /* overrides FAKE_EDGETPU_DEVICES when non-empty */
static int control_fail_create = -1; /* overrides FAKE_EDGETPU_FAIL_CREATE when >= 0 */
static __thread char control_answer[1600];

static const char* fake_devices_spec(void) {
    if (control_devices[0] != '\0') return control_devices;
    const char* env = getenv("FAKE_EDGETPU_DEVICES");
    return env != NULL ? env : "usb";
}

static int fake_fail_create(void) {
    if (control_fail_create >= 0) return control_fail_create;
    const char* env = getenv("FAKE_EDGETPU_FAIL_CREATE");
    return env != NULL && strcmp(env, "1") == 0;
}

/* Parses the device spec into types; returns the count. Paths follow libedgetpu's naming. */
static size_t fake_device_types(int* types) {
    char spec[128];
    snprintf(spec, sizeof spec, "%s", fake_devices_spec());
    size_t n = 0;
    char* save = NULL;
    for (char* t = strtok_r(spec, ",", &save); t != NULL && n < FAKE_MAX_DEVICES;
         t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "usb") == 0) types[n++] = 1;
        else if (strcmp(t, "pci") == 0) types[n++] = 0;
    }
    return n;
}

FAKE_EXPORT struct fake_device* edgetpu_list_devices(size_t* num_devices) {
    int types[FAKE_MAX_DEVICES];
    pthread_mutex_lock(&fake_mutex);
    n_list++;
    size_t n = fake_device_types(types);
    pthread_mutex_unlock(&fake_mutex);
    *num_devices = n;
    if (n == 0) return NULL;
    /* One block: records followed by their path strings, freed with a single free(). */
    struct fake_device* d = malloc(n * (sizeof *d + 48));
    if (d == NULL) { *num_devices = 0; return NULL; }
    char* strings = (char*) (d + n);
    int usb = 0, pci = 0;
    for (size_t i = 0; i < n; i++) {
        char* p = strings + i * 48;
        if (types[i] == 1) snprintf(p, 48, "/sys/bus/usb/devices/2-%d", ++usb);
        else snprintf(p, 48, "/dev/apex_%d", pci++);
        d[i].type = types[i];
        d[i].path = p;
    }
    return d;
}

FAKE_EXPORT void edgetpu_free_devices(struct fake_device* dev) {
    pthread_mutex_lock(&fake_mutex);
    n_free_devices++;
    pthread_mutex_unlock(&fake_mutex);
    free(dev);
}

static int fake_prepare(void* context, void* delegate) {
    (void) context; (void) delegate;
    pthread_mutex_lock(&fake_mutex);
    n_prepare++;
    pthread_mutex_unlock(&fake_mutex);
    return 0; /* kTfLiteOk, no node replaced */
}

FAKE_EXPORT void* edgetpu_create_delegate(int type, const char* name,
                                          const struct fake_option* options, size_t num_options) {
    pthread_mutex_lock(&fake_mutex);
    last_type = type;
    snprintf(last_name, sizeof last_name, "%s", name != NULL ? name : "(null)");
    last_options[0] = '\0';
    for (size_t i = 0; i < num_options; i++) {
        size_t used = strlen(last_options);
        snprintf(last_options + used, sizeof last_options - used, "%s%s=%s", i > 0 ? ";" : "",
                 options[i].name, options[i].value);
    }
    int fail = fake_fail_create();
    if (!fail) n_create++;
    pthread_mutex_unlock(&fake_mutex);
    if (fail) return NULL;
    fake_tflite_delegate* d = calloc(1, sizeof *d);
    if (d != NULL) d->Prepare = fake_prepare;
    return d;
}

FAKE_EXPORT void edgetpu_free_delegate(void* delegate) {
    if (delegate == NULL) return;
    pthread_mutex_lock(&fake_mutex);
    n_free_delegate++;
    pthread_mutex_unlock(&fake_mutex);
    free(delegate);
}

FAKE_EXPORT void edgetpu_verbosity(int verbosity) {
    pthread_mutex_lock(&fake_mutex);
    last_verbosity = verbosity;
    pthread_mutex_unlock(&fake_mutex);
}

FAKE_EXPORT const char* edgetpu_version(void) {
    return "BuildLabel(qat4j-fake-edgetpu test double), RuntimeVersion(14)";
}

/*
 * Commands: "stats" -> "list=.. free_devices=.. create=.. free_delegate=.. prepare=.. verbosity=..
 * type=.. name=.. options=k=v;k=v"; "reset" clears counters and overrides; "devices=SPEC" sets the
 * device list; "fail_create=0|1" toggles create failure. Unknown commands answer "error".
 */
FAKE_EXPORT const char* fake_edgetpu_control(const char* command) {
    pthread_mutex_lock(&fake_mutex);
    snprintf(control_answer, sizeof control_answer, "ok");
    if (strcmp(command, "stats") == 0) {
        snprintf(control_answer, sizeof control_answer,
                 "list=%d free_devices=%d create=%d free_delegate=%d prepare=%d verbosity=%d "
                 "type=%d name=%s options=%s", n_list, n_free_devices, n_create, n_free_delegate,
                 n_prepare, last_verbosity, last_type, last_name, last_options);
    } else if (strcmp(command, "reset") == 0) {
        n_list = n_free_devices = n_create = n_free_delegate = n_prepare = 0;
        last_verbosity = last_type = -1;
        last_name[0] = last_options[0] = control_devices[0] = '\0';
        control_fail_create = -1;
    } else if (strncmp(command, "devices=", 8) == 0) {
        snprintf(control_devices, sizeof control_devices, "%s", command + 8);
    } else if (strncmp(command, "fail_create=", 12) == 0) {
        control_fail_create = command[12] == '1';
    } else {
        snprintf(control_answer, sizeof control_answer, "error: unknown command");
    }
    pthread_mutex_unlock(&fake_mutex);
    return control_answer;
}
