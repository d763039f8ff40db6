/* log — see log.h. One line per message: UTC time, level, text. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../platform/pal.h"

static log_level_t current = LOG_INFO;
static const char *const names[] = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"};

void log_set_level(log_level_t level) { current = level; }
log_level_t log_get_level(void) { return current; }
int log_enabled(log_level_t level) { return level >= current; }
const char *log_level_name(log_level_t level) { return names[level]; }

int log_level_parse(const char *name)
{
    for (int i = 0; i < 5; i++) {
        size_t n = strlen(names[i]);
        if (strlen(name) != n) continue;
        size_t k = 0;
        while (k < n && (name[k] | 0x20) == (names[i][k] | 0x20)) k++;
        if (k == n) return i;
    }
    return -1;
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm); no OS time calls. */
static void civil(long long days, int *y, int *m, int *d)
{
    days += 719468;
    long long era = (days >= 0 ? days : days - 146096) / 146097;
    long long doe = days - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void log_msg(log_level_t level, const char *fmt, ...)
{
    if (level < current) return;
    char line[1024];
    int64_t ms = pal_wall_ms();
    long long secs = ms / 1000;
    int y, mo, d;
    civil(secs / 86400, &y, &mo, &d);
    long long sod = secs % 86400;
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02lld:%02lld:%02lld.%03dZ %-8s ", y, mo, d,
                     sod / 3600, sod / 60 % 60, sod % 60, (int)(ms % 1000), names[level]);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof line) vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line);
}
