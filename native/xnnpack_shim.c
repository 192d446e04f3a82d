/* qat4j XNNPACK helper: see xnnpack_shim.h. */
#include "xnnpack_shim.h"
#include "glibc_compat.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The options struct of tensorflow/lite/delegates/xnnpack/xnnpack_delegate.h in TFLite 2.20,
 * declared here because the bytedeco jars ship no headers. Field names and order are TFLite's;
 * 56 bytes on LP64 (checked against the disassembly of TfLiteXNNPackDelegateOptionsDefault in
 * the x86-64 and arm64 libjnitensorflowlite.so: flags at 8, weight_cache_file_descriptor = -1
 * at 40, 56 bytes cleared). */
struct TfLiteXNNPackDelegateWeightsCache;
typedef struct {
    int32_t num_threads;
    uint32_t runtime_flags; /* XNNPACK runtime flags, not the delegate's feature flags below */
    uint32_t flags;
    struct TfLiteXNNPackDelegateWeightsCache* weights_cache;
    bool handle_variable_ops;
    const char* weight_cache_file_path;
    int weight_cache_file_descriptor;
    void* weight_cache_provider;
} TfLiteXNNPackDelegateOptions;

#if defined(__LP64__)
_Static_assert(sizeof(TfLiteXNNPackDelegateOptions) == 56, "TFLite 2.20 XNNPACK options are 56 bytes on LP64");
_Static_assert(offsetof(TfLiteXNNPackDelegateOptions, weight_cache_file_descriptor) == 40, "fd at 40");
#endif

/* TFLITE_XNNPACK_DELEGATE_FLAG_QS8 / _QU8 / _FORCE_FP16 */
enum { FLAG_QS8 = 0x1, FLAG_QU8 = 0x2, FLAG_FORCE_FP16 = 0x4 };

typedef TfLiteXNNPackDelegateOptions (*defaults_fn)(void);
typedef void* (*create_fn)(const TfLiteXNNPackDelegateOptions*);
typedef void (*delete_fn)(void*);

static defaults_fn defaults;
static create_fn create;
static delete_fn destroy;

const char* qat4j_xnnpack_bind(const char* tflite_path) {
    if (defaults != NULL) return NULL;
    if (tflite_path == NULL) return "no TFLite library path";
    void* h = dlopen(tflite_path, RTLD_NOW | RTLD_NOLOAD);
    if (h == NULL) return "the TFLite library is not loaded (dlopen RTLD_NOLOAD failed)";
    /* The handle stays open: TFLite is never unloaded while the JVM runs. */
    defaults_fn d = (defaults_fn) dlsym(h, "TfLiteXNNPackDelegateOptionsDefault");
    create_fn c = (create_fn) dlsym(h, "TfLiteXNNPackDelegateCreate");
    delete_fn x = (delete_fn) dlsym(h, "TfLiteXNNPackDelegateDelete");
    if (d == NULL || c == NULL || x == NULL) {
        return "TfLiteXNNPackDelegateOptionsDefault/Create/Delete are not exported by the loaded TFLite library";
    }
    /* Layout check: 2.20 sets no weight cache file (-1) and no cache objects. */
    TfLiteXNNPackDelegateOptions o = d();
    if (o.weight_cache_file_descriptor != -1 || o.weights_cache != NULL || o.weight_cache_provider != NULL) {
        return "TfLiteXNNPackDelegateOptionsDefault of the loaded TFLite does not have the TFLite 2.20 layout";
    }
    create = c;
    destroy = x;
    defaults = d;
    return NULL;
}

void* qat4j_xnnpack_create(int threads, int qs8, int qu8, int force_fp16) {
    if (defaults == NULL) return NULL;
    TfLiteXNNPackDelegateOptions o = defaults();
    if (threads > 0) o.num_threads = threads;
    o.flags = qs8 ? (o.flags | FLAG_QS8) : (o.flags & ~(uint32_t) FLAG_QS8);
    o.flags = qu8 ? (o.flags | FLAG_QU8) : (o.flags & ~(uint32_t) FLAG_QU8);
    if (force_fp16) o.flags |= FLAG_FORCE_FP16;
    return create(&o);
}

void qat4j_xnnpack_delete(void* delegate) {
    if (destroy != NULL && delegate != NULL) destroy(delegate);
}

int qat4j_xnnpack_default_threads(void) {
    return defaults == NULL ? -1 : defaults().num_threads;
}

int qat4j_xnnpack_default_flags(void) {
    return defaults == NULL ? -1 : (int) defaults().flags;
}
