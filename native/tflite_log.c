/* qat4j TFLite log formatter: see tflite_log.h. */
#include "tflite_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK_LEN (sizeof QAT4J_LOG_TRUNCATED - 1)
/* Messages fill text[0, LIMIT) so that a '\n', the marker and the NUL always fit after them. */
#define LIMIT (QAT4J_LOG_CAP - MARK_LEN - 2)

struct qat4j_log {
    pthread_mutex_t mutex;
    size_t len; /* bytes of text before the NUL */
    int full;   /* a message did not fit: the marker is written and later messages are dropped */
    char text[QAT4J_LOG_CAP];
};

qat4j_log* qat4j_log_new(void) {
    struct qat4j_log* log = calloc(1, sizeof *log);
    if (log != NULL && pthread_mutex_init(&log->mutex, NULL) != 0) {
        free(log);
        return NULL;
    }
    return log;
}

void qat4j_log_free(qat4j_log* log) {
    if (log == NULL) return;
    pthread_mutex_destroy(&log->mutex);
    free(log);
}

size_t qat4j_log_drain(qat4j_log* log, char* out, size_t cap) {
    if (log == NULL || out == NULL || cap == 0) return 0;
    pthread_mutex_lock(&log->mutex);
    size_t n = log->len < cap - 1 ? log->len : cap - 1;
    memcpy(out, log->text, n);
    out[n] = '\0';
    log->len = 0;
    log->full = 0;
    log->text[0] = '\0';
    pthread_mutex_unlock(&log->mutex);
    return n;
}

/* Ends the text with the truncation marker on a line of its own. Caller holds the mutex. */
static void mark_full(struct qat4j_log* log) {
    if (log->len > 0 && log->text[log->len - 1] != '\n') log->text[log->len++] = '\n';
    memcpy(log->text + log->len, QAT4J_LOG_TRUNCATED, MARK_LEN + 1);
    log->len += MARK_LEN;
    log->full = 1;
}

/* Formats one message plus '\n' after the text. Caller holds the mutex. */
static void append(struct qat4j_log* log, const char* format, va_list args) {
    if (log->full) return;
    size_t room = LIMIT - log->len; /* bytes for the message and its '\n' */
    if (room <= 1) {
        mark_full(log);
        return;
    }
    char* dst = log->text + log->len;
    int n = vsnprintf(dst, room, format, args);
    if (n < 0) {
        *dst = '\0'; /* encoding error: drop the message */
    } else if ((size_t) n < room) {
        dst[n] = '\n';
        log->len += (size_t) n + 1;
        log->text[log->len] = '\0';
    } else {
        log->len += room - 1; /* vsnprintf kept room - 1 bytes of the message */
        mark_full(log);
    }
}

/* The reporter TFLite calls: user is the qat4j_log*, format/args are TFLite's printf arguments. */
static void report(void* user, const char* format, va_list args) {
    struct qat4j_log* log = user;
    if (log == NULL || format == NULL) return;
    pthread_mutex_lock(&log->mutex);
    append(log, format, args);
    pthread_mutex_unlock(&log->mutex);
}

void* qat4j_log_reporter(void) {
    /* POSIX guarantees a function pointer round-trips through void* (dlsym relies on it). */
    return (void*) report;
}
