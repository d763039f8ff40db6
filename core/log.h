/* log — levelled logging to stderr (the journal on a Pi, the console elsewhere). */
#ifndef PIPIT_LOG_H
#define PIPIT_LOG_H

/* printf-style checking; mingw's plain "printf" means Microsoft's rules (no %zu), so name the
 * C99 ones its vsnprintf really follows */
#if defined(__MINGW32__)
#define PIPIT_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#elif defined(__GNUC__)
#define PIPIT_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define PIPIT_PRINTF(fmt, args)
#endif

typedef enum { LOG_DEBUG = 0, LOG_INFO, LOG_WARNING, LOG_ERROR, LOG_CRITICAL } log_level_t;

void log_set_level(log_level_t level);
log_level_t log_get_level(void);
/* rotki's names, any case: debug, info, warning, error, critical. -1 if unknown. */
int log_level_parse(const char *name);
const char *log_level_name(log_level_t level); /* upper case, as rotki's /info shows */
int log_enabled(log_level_t level);

PIPIT_PRINTF(2, 3)
void log_msg(log_level_t level, const char *fmt, ...);

#define log_debug(...) do { if (log_enabled(LOG_DEBUG)) log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
