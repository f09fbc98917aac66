/* log.h — one-line structured logs to stderr (key=value, UTC timestamps). */
#ifndef TF_LOG_H
#define TF_LOG_H
void tf_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
extern int tf_log_quiet; /* set by tests/CLI to silence info lines */
#endif
