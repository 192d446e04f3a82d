/*
 * qat4j TFLite log formatter. TFLite's error reporter callback receives a printf format plus a
 * va_list, which only C can expand portably. qat4j_log_reporter() returns a C function with the
 * reporter signature  void report(void* user_data, const char* format, va_list args)  that formats
 * each message (vsnprintf) into the qat4j_log passed as user_data, one line per message; Java
 * drains the text after a failed TFLite call. (va_list stays out of this header: JavaCPP parses it.)
 *
 * Ownership: qat4j_log_new allocates, qat4j_log_free frees; free a log only after every TFLite
 * object reporting into it has been deleted. Thread safety: reports and drains may come from any
 * thread (one mutex per log).
 */
#ifndef QAT4J_TFLITE_LOG_H
#define QAT4J_TFLITE_LOG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of text a log keeps (terminating NUL included); later messages are dropped and the
 * text ends with QAT4J_LOG_TRUNCATED instead. */
#define QAT4J_LOG_CAP 8192
#define QAT4J_LOG_TRUNCATED "[qat4j: TFLite log truncated]\n"

/* Accumulated report text; opaque, only the pointer crosses into Java and TFLite. */
typedef struct qat4j_log qat4j_log;

/* A new empty log; NULL when out of memory. */
qat4j_log* qat4j_log_new(void);

/* Frees a log (NULL is ignored). */
void qat4j_log_free(qat4j_log* log);

/* Copies the accumulated text into out (at most cap - 1 bytes, always NUL-terminated when
 * cap > 0) and clears the log. Returns the number of bytes copied; 0 for a NULL log or out. */
size_t qat4j_log_drain(qat4j_log* log, char* out, size_t cap);

/* Address of the reporter function described above, to pass to TFLite together with a
 * qat4j_log* as user data. */
void* qat4j_log_reporter(void);

#ifdef __cplusplus
}
#endif

#endif
