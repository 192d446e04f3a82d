/* C test of the TFLite log formatter: formatting through the reporter, drain semantics, the 8 KiB
 * cap with its marker, and concurrent reports. Exits non-zero on the first failed check; runs
 * natively and under qemu-aarch64. */
#include "tflite_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*reporter_fn)(void* user, const char* format, va_list args);

static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { \
    fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

/* Calls the reporter the way TFLite does: with a va_list built by a variadic caller. */
static void say(qat4j_log* log, const char* format, ...) {
    reporter_fn report = (reporter_fn) qat4j_log_reporter();
    va_list args;
    va_start(args, format);
    report(log, format, args);
    va_end(args);
}

static void test_format_and_drain(void) {
    qat4j_log* log = qat4j_log_new();
    char out[QAT4J_LOG_CAP];
    CHECK(log != NULL);
    say(log, "Didn't find op for builtin opcode '%s' version '%d'", "FULLY_CONNECTED", 99);
    say(log, "tensor %d: %.2f", 3, 0.5);
    size_t n = qat4j_log_drain(log, out, sizeof out);
    const char* want = "Didn't find op for builtin opcode 'FULLY_CONNECTED' version '99'\ntensor 3: 0.50\n";
    CHECK(strcmp(out, want) == 0);
    CHECK(n == strlen(want));
    CHECK(qat4j_log_drain(log, out, sizeof out) == 0 && out[0] == '\0');
    say(NULL, "ignored %d", 1);
    say(log, NULL);
    CHECK(qat4j_log_drain(log, out, sizeof out) == 0);
    qat4j_log_free(log);
    qat4j_log_free(NULL);
}

static void test_small_output_buffer(void) {
    qat4j_log* log = qat4j_log_new();
    char out[8];
    say(log, "%s", "0123456789");
    CHECK(qat4j_log_drain(log, out, sizeof out) == 7 && strcmp(out, "0123456") == 0);
    CHECK(qat4j_log_drain(log, out, sizeof out) == 0);
    CHECK(qat4j_log_drain(log, out, 0) == 0 && qat4j_log_drain(log, NULL, 4) == 0);
    CHECK(qat4j_log_drain(NULL, out, sizeof out) == 0 && out[0] == '\0');
    qat4j_log_free(log);
}

static void test_cap(void) {
    qat4j_log* log = qat4j_log_new();
    static char out[2 * QAT4J_LOG_CAP];
    for (int i = 0; i < 1000; i++) say(log, "message %04d of a long run of TFLite errors", i);
    size_t n = qat4j_log_drain(log, out, sizeof out);
    size_t mark = strlen(QAT4J_LOG_TRUNCATED);
    CHECK(n < QAT4J_LOG_CAP && n > QAT4J_LOG_CAP - 64);
    CHECK(strncmp(out, "message 0000 of", 15) == 0);
    CHECK(n >= mark && strcmp(out + n - mark, QAT4J_LOG_TRUNCATED) == 0);
    CHECK(out[n - mark - 1] == '\n');
    CHECK(strstr(out, "message 0999") == NULL);
    /* drained: accepts messages again */
    say(log, "after %s", "drain");
    CHECK(qat4j_log_drain(log, out, sizeof out) == 12 && strcmp(out, "after drain\n") == 0);
    /* one message larger than the cap is cut, not dropped */
    static char big[3 * QAT4J_LOG_CAP];
    memset(big, 'x', sizeof big - 1);
    say(log, "%s", big);
    n = qat4j_log_drain(log, out, sizeof out);
    CHECK(n < QAT4J_LOG_CAP && out[0] == 'x' && strcmp(out + n - mark, QAT4J_LOG_TRUNCATED) == 0);
    qat4j_log_free(log);
}

enum { THREADS = 4, PER_THREAD = 500 };

static void* spam(void* log) {
    for (int i = 0; i < PER_THREAD; i++) say(log, "t%d", i % 10);
    return NULL;
}

static void test_threads(void) {
    qat4j_log* log = qat4j_log_new();
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) CHECK(pthread_create(&t[i], NULL, spam, log) == 0);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    static char out[QAT4J_LOG_CAP];
    size_t n = qat4j_log_drain(log, out, sizeof out);
    size_t lines = 0;
    for (size_t i = 0; i < n; i++) lines += out[i] == '\n';
    /* every "tN\n" line is whole: 3 bytes each, nothing interleaved */
    CHECK(n == 3 * lines && lines == THREADS * PER_THREAD);
    qat4j_log_free(log);
}

int main(void) {
    test_format_and_drain();
    test_small_output_buffer();
    test_cap();
    test_threads();
    if (failures == 0) printf("tflite_log_test: all checks passed\n");
    return failures == 0 ? 0 : 1;
}
