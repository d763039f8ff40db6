/* libFuzzer target for rotki's snapshot CSV files (db/snapshots.c: snapshot_csv_next_row,
 * snapshot_csv_split, and the field parsers the import applies to a balances row). The first
 * byte picks a read size of 1..64 bytes; the rest is the file. Read in those small pieces and
 * in one 64 KiB read, the file must give the same records, fields and line numbers (records
 * straddle reads in the first); fields never outgrow their record; a field re-quoted the way
 * Python's csv writes it splits back to itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/json.h"
#include "db/snapshots.h"
#include "platform/pal.h"

#include "tests/fuzz/fuzz_pal.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_snapshot_csv: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)
#define MAX_RECORDS 256

static char path[64];

typedef struct {
    int status;              /* 0 end of file, -1 failed */
    int n;
    char *rec[MAX_RECORDS];  /* copies */
    size_t len[MAX_RECORDS];
    uint64_t line[MAX_RECORDS];
} records_t;

static void read_all(size_t chunk, records_t *out)
{
    snapshot_import_job_t *j = calloc(1, sizeof *j);
    MUST(j);
    snapshot_csv_t *c = &j->csv[SNAPSHOT_BALANCES];
    MUST(pal_file_open(path, PAL_F_READ, (pal_file_t **)&c->file) == PAL_OK);
    c->chunk = alloc_get(ALLOC_DB, SNAPSHOT_CHUNK);
    MUST(c->chunk);
    c->chunk_size = chunk;
    j->job.budget = 1 << 30;
    out->n = 0;
    char *rec;
    size_t n;
    int r;
    while (out->n < MAX_RECORDS && (r = snapshot_csv_next_row(j, SNAPSHOT_BALANCES, &rec, &n)) == 1) {
        MUST(n > 0 && n <= SNAPSHOT_MAX_RECORD && rec[n - 1] != '\n'); /* quoted fields may hold line breaks */
        out->rec[out->n] = malloc(n);
        MUST(out->rec[out->n]);
        memcpy(out->rec[out->n], rec, n);
        out->len[out->n] = n;
        out->line[out->n] = c->rec_line;
        out->n++;
    }
    if (out->n < MAX_RECORDS) {
        MUST(r == 0 || r == DB_JOB_EFAIL);
        if (r != 0) MUST(j->message[0] && j->failure == SNAPSHOT_FAIL_INPUT);
        out->status = r == 0 ? 0 : -1;
    } else {
        out->status = 1;
    }
    snapshot_import_job_clear(j);
    free(j);
}

static void check_fields(char *rec, size_t n)
{
    char *copy = malloc(n + 1);
    MUST(copy);
    memcpy(copy, rec, n);
    snapshot_field_t f[8];
    int nf = snapshot_csv_split(copy, n, f, 8);
    MUST(nf >= 1);
    for (int i = 0; i < nf && i < 8; i++) MUST(f[i].p >= copy && f[i].p + f[i].n <= copy + n);
    if (nf <= 8) { /* written back as Python's csv would, split again: the same fields */
        char *w = malloc(2 * n + 3 * (size_t)nf + 1);
        MUST(w);
        size_t o = 0;
        for (int i = 0; i < nf; i++) {
            if (i) w[o++] = ',';
            int q = f[i].n == 0 ? 0 : memchr(f[i].p, ',', f[i].n) || memchr(f[i].p, '"', f[i].n) || memchr(f[i].p, '\r', f[i].n);
            if (q) w[o++] = '"';
            for (size_t k = 0; k < f[i].n; k++) {
                if (f[i].p[k] == '"') w[o++] = '"';
                w[o++] = f[i].p[k];
            }
            if (q) w[o++] = '"';
        }
        snapshot_field_t g[8];
        MUST(snapshot_csv_split(w, o, g, 8) == nf);
        for (int i = 0; i < nf; i++) MUST(g[i].n == f[i].n && !memcmp(g[i].p, f[i].p, f[i].n));
        free(w);
    }
    /* the values of a balances row */
    if (nf >= 5) {
        int64_t ts;
        char amount[128];
        if (snapshot_parse_timestamp(f[0].p, f[0].n, &ts) == 0) MUST(ts >= 0);
        char cat = snapshot_category_code(f[1].p, f[1].n);
        MUST(cat == 0 || snapshot_category_name(cat));
        char loc = snapshot_location_code(f[2].p, f[2].n);
        if (loc) MUST(snapshot_location_name(loc) && snapshot_name_eq(snapshot_location_name(loc), f[2].p, f[2].n));
        json_normalize_amount(f[3].p, f[3].n, amount, sizeof amount);
    }
    free(copy);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_pal_init();
    snprintf(path, sizeof path, "/tmp/pipit-fuzz-csv-%d", (int)getpid());
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    FILE *f = fopen(path, "wb");
    MUST(f && fwrite(data + 1, 1, size - 1, f) == size - 1 && fclose(f) == 0);
    records_t a, b;
    read_all(0, &a);
    read_all(data[0] % 64 + 1, &b);
    MUST(a.status == b.status && a.n == b.n);
    for (int i = 0; i < a.n; i++) {
        MUST(a.len[i] == b.len[i] && !memcmp(a.rec[i], b.rec[i], a.len[i]) && a.line[i] == b.line[i]);
        check_fields(a.rec[i], a.len[i]);
        free(a.rec[i]);
        free(b.rec[i]);
    }
    return 0;
}
