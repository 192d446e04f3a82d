/*
 * invoke_bench: native baseline for qat4j's binding overhead.
 *
 *   invoke_bench LIB MODEL.tflite [--threads=N] [--xnnpack] [--warmup=N] [--runs=N]
 *
 * LIB is the libjnitensorflowlite.so that JavaCPP extracts for the Java side; it exports the TFLite
 * C API, which this program resolves with dlsym so both sides run the same machine code. Inputs are
 * filled once with fixed pseudo-random bytes (as the Java harness does), then each Invoke is timed
 * alone with CLOCK_MONOTONIC. Output: one "key=value" line with p50/p5/p95/mean in microseconds.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void *(*model_create_fn)(const char *);
typedef void (*model_delete_fn)(void *);
typedef void *(*opts_create_fn)(void);
typedef void (*opts_delete_fn)(void *);
typedef void (*opts_threads_fn)(void *, int32_t);
typedef void (*opts_add_delegate_fn)(void *, void *);
typedef void *(*interp_create_fn)(const void *, const void *);
typedef void (*interp_delete_fn)(void *);
typedef int (*interp_status_fn)(void *);
typedef int32_t (*interp_count_fn)(const void *);
typedef void *(*interp_tensor_fn)(const void *, int32_t);
typedef size_t (*tensor_size_fn)(const void *);
typedef int (*tensor_copy_fn)(void *, const void *, size_t);
typedef const char *(*version_fn)(void);
typedef int (*tensor_type_fn)(const void *);
enum { TFLITE_FLOAT32 = 1 };

/* TfLiteXNNPackDelegateOptions starts with int32 num_threads, uint32 flags; 56 bytes in 2.20.
 * A larger buffer keeps the by-value return safe (both sizes are returned through memory). */
typedef struct { int32_t num_threads; uint32_t flags; unsigned char rest[248]; } xnn_options;
typedef xnn_options (*xnn_defaults_fn)(void);
typedef void *(*xnn_create_fn)(const xnn_options *);
typedef void (*xnn_delete_fn)(void *);

static void *lib;

static void *sym(const char *name) {
  void *p = dlsym(lib, name);
  if (!p) {
    fprintf(stderr, "invoke_bench: symbol %s not found in the TFLite library: %s\n", name, dlerror());
    exit(2);
  }
  return p;
}

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static long arg_long(const char *arg, const char *key, long fallback) {
  size_t n = strlen(key);
  return strncmp(arg, key, n) == 0 ? strtol(arg + n, NULL, 10) : fallback;
}

static void fill_inputs(void *interp) {
  uint32_t state = 1234u;
  int32_t count = ((interp_count_fn)sym("TfLiteInterpreterGetInputTensorCount"))(interp);
  for (int32_t i = 0; i < count; i++) {
    void *t = ((interp_tensor_fn)sym("TfLiteInterpreterGetInputTensor"))(interp, i);
    size_t bytes = ((tensor_size_fn)sym("TfLiteTensorByteSize"))(t);
    unsigned char *buf = malloc(bytes ? bytes : 1);
    /* as qat4j's Java harness: floats uniform in [-1, 1), other types random bytes */
    int is_float = ((tensor_type_fn)sym("TfLiteTensorType"))(t) == TFLITE_FLOAT32;
    for (size_t k = 0; k < bytes; k += is_float ? sizeof(float) : 1) {
      state = state * 1664525u + 1013904223u;
      if (is_float && k + sizeof(float) <= bytes) {
        float f = (float)(state >> 8) / 8388608.0f - 1.0f;
        memcpy(buf + k, &f, sizeof f);
      } else {
        buf[k] = (unsigned char)(state >> 24);
      }
    }
    if (((tensor_copy_fn)sym("TfLiteTensorCopyFromBuffer"))(t, buf, bytes) != 0) {
      fprintf(stderr, "invoke_bench: TfLiteTensorCopyFromBuffer failed on input %d\n", i);
      exit(3);
    }
    free(buf);
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s LIB MODEL.tflite [--threads=N] [--xnnpack] [--warmup=N] [--runs=N]\n", argv[0]);
    return 1;
  }
  long threads = 1, warmup = 10, runs = 100;
  int xnnpack = 0;
  for (int i = 3; i < argc; i++) {
    threads = arg_long(argv[i], "--threads=", threads);
    warmup = arg_long(argv[i], "--warmup=", warmup);
    runs = arg_long(argv[i], "--runs=", runs);
    if (strcmp(argv[i], "--xnnpack") == 0) xnnpack = 1;
  }
  if (runs < 1 || warmup < 0 || threads < 1) {
    fprintf(stderr, "invoke_bench: need runs >= 1, warmup >= 0, threads >= 1\n");
    return 1;
  }
  lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "invoke_bench: cannot open %s: %s\n", argv[1], dlerror());
    return 2;
  }
  void *model = ((model_create_fn)sym("TfLiteModelCreateFromFile"))(argv[2]);
  if (!model) {
    fprintf(stderr, "invoke_bench: TfLiteModelCreateFromFile failed for %s\n", argv[2]);
    return 3;
  }
  void *opts = ((opts_create_fn)sym("TfLiteInterpreterOptionsCreate"))();
  ((opts_threads_fn)sym("TfLiteInterpreterOptionsSetNumThreads"))(opts, (int32_t)threads);
  void *delegate = NULL;
  if (xnnpack) {
    xnn_options o = ((xnn_defaults_fn)sym("TfLiteXNNPackDelegateOptionsDefault"))();
    o.num_threads = (int32_t)threads;
    o.flags |= 0x1u | 0x2u; /* QS8 and QU8, as qat4j's XNNPACK backend */
    delegate = ((xnn_create_fn)sym("TfLiteXNNPackDelegateCreate"))(&o);
    if (!delegate) {
      fprintf(stderr, "invoke_bench: TfLiteXNNPackDelegateCreate returned NULL\n");
      return 3;
    }
    ((opts_add_delegate_fn)sym("TfLiteInterpreterOptionsAddDelegate"))(opts, delegate);
  }
  void *interp = ((interp_create_fn)sym("TfLiteInterpreterCreate"))(model, opts);
  if (!interp || ((interp_status_fn)sym("TfLiteInterpreterAllocateTensors"))(interp) != 0) {
    fprintf(stderr, "invoke_bench: interpreter creation or tensor allocation failed\n");
    return 3;
  }
  fill_inputs(interp);
  interp_status_fn invoke = (interp_status_fn)sym("TfLiteInterpreterInvoke");
  for (long i = 0; i < warmup; i++) invoke(interp);
  double *us = malloc(sizeof(double) * (size_t)runs), sum = 0;
  for (long i = 0; i < runs; i++) {
    double t = now_us();
    if (invoke(interp) != 0) {
      fprintf(stderr, "invoke_bench: TfLiteInterpreterInvoke failed at run %ld\n", i);
      return 4;
    }
    us[i] = now_us() - t;
    sum += us[i];
  }
  qsort(us, (size_t)runs, sizeof(double), cmp_double);
  printf("tflite=%s backend=%s threads=%ld runs=%ld p50_us=%.3f p5_us=%.3f p95_us=%.3f mean_us=%.3f\n",
         ((version_fn)sym("TfLiteVersion"))(), xnnpack ? "XNNPACK" : "BUILTIN", threads, runs,
         us[runs / 2], us[runs * 5 / 100], us[runs * 95 / 100], sum / runs);
  free(us);
  ((interp_delete_fn)sym("TfLiteInterpreterDelete"))(interp);
  if (delegate) ((xnn_delete_fn)sym("TfLiteXNNPackDelegateDelete"))(delegate);
  ((opts_delete_fn)sym("TfLiteInterpreterOptionsDelete"))(opts);
  ((model_delete_fn)sym("TfLiteModelDelete"))(model);
  return 0;
}
