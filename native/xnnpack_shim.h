/*
 * qat4j XNNPACK helper. TFLite's XNNPACK delegate takes its options as a C struct that
 * TfLiteXNNPackDelegateOptionsDefault() returns by value; the bytedeco preset exports the three
 * functions but binds none of them. This helper fills the struct by field name in C (so the
 * struct-return ABI and the layout are the C compiler's business on every platform) and calls
 * the functions found in the already loaded TFLite JNI library with dlsym.
 *
 * Ownership: qat4j_xnnpack_create returns a delegate the caller frees with qat4j_xnnpack_delete,
 * after every interpreter using it has been deleted. qat4j_xnnpack_bind is idempotent and not
 * thread safe: call it once, under a lock, before the other functions.
 */
#ifndef QAT4J_XNNPACK_SHIM_H
#define QAT4J_XNNPACK_SHIM_H

#ifdef __cplusplus
extern "C" {
#endif

/* Finds TfLiteXNNPackDelegateOptionsDefault/Create/Delete in the TFLite library loaded from
 * tflite_path (dlopen with RTLD_NOLOAD: never loads a second copy) and checks that the defaults
 * it returns have the TFLite 2.20 layout. Returns NULL when XNNPACK is usable, else the reason
 * (a static string). */
const char* qat4j_xnnpack_bind(const char* tflite_path);

/* A new XNNPACK delegate from TFLite's default options with: num_threads when threads > 0
 * (else TFLite's default), the QS8 (signed int8) and QU8 (uint8) flags set when qs8 / qu8 are
 * nonzero and cleared otherwise, FORCE_FP16 set when force_fp16 is nonzero. NULL when not bound
 * or when TFLite refuses. */
void* qat4j_xnnpack_create(int threads, int qs8, int qu8, int force_fp16);

/* Frees a delegate from qat4j_xnnpack_create (NULL is ignored). */
void qat4j_xnnpack_delete(void* delegate);

/* TFLite's default num_threads and flags (diagnostics and tests); -1 when not bound. */
int qat4j_xnnpack_default_threads(void);
int qat4j_xnnpack_default_flags(void);

#ifdef __cplusplus
}
#endif

#endif
