/* pal_fault — the fault-injecting PAL of the reliability tests (make build/linux-faults/pipit).
 *
 * platform/pal_fault.c, built with -DPIPIT_PAL_FAULTS in place of pal_posix.c, wraps the POSIX
 * PAL and the socket calls libwebsockets makes (linked with --wrap=connect,recv,send,accept) so
 * that they fail on purpose by a seeded schedule; db/vfs_fault.c does the same for SQLite's file
 * I/O and the allocator asks pal_fault_alloc() before each allocation. Nothing here exists in a
 * normal build.
 *
 *   PIPIT_FAULT_SEED=N            turns injection on (without it nothing ever fails)
 *   PIPIT_FAULT_RATE=P            probability of a fault per call, every class (default 0.02)
 *   PIPIT_FAULT_RATE_<CLASS>=P    one class's own (class names below, upper case)
 *   PIPIT_FAULT_SKIP_<CLASS>=N    the class's first N calls never fail (faults start later)
 *   PIPIT_FAULT_ALLOC_NTH=N       the Nth allocation after start-up fails (once)
 *   PIPIT_FAULT_STACKS=1          prints the stack of each refused allocation
 *
 * Every injected fault is logged once at debug level and counted (GET /api/1/metrics:
 * pipit_faults_injected_total{class=…}). */
#ifndef PIPIT_PAL_FAULT_H
#define PIPIT_PAL_FAULT_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    PAL_FAULT_CONNECT = 0, /* outbound connect refused, or reset at its first read/write */
    PAL_FAULT_RECV,        /* socket read: short, EINTR, EAGAIN (outbound: also a reset) */
    PAL_FAULT_SEND,        /* socket write: short, EINTR, EAGAIN (outbound: also a reset) */
    PAL_FAULT_POLL,        /* the loop's wait interrupted (EINTR) */
    PAL_FAULT_FILE,        /* pal file open/read/write fails (EIO) or reads short */
    PAL_FAULT_FSYNC,       /* pal_file_sync fails */
    PAL_FAULT_DISK_FULL,   /* pal file writes and SQLite writes/truncates: ENOSPC / SQLITE_FULL */
    PAL_FAULT_DB_WRITE,    /* SQLite xWrite/xTruncate: SQLITE_IOERR */
    PAL_FAULT_DB_SYNC,     /* SQLite xSync: SQLITE_IOERR_FSYNC */
    PAL_FAULT_CLOCK,       /* wall clock jumps up to an hour either way; monotonic up to 1 s ahead */
    PAL_FAULT_WORKER,      /* a worker thread fails to start */
    PAL_FAULT_ALLOC,       /* the allocator refuses (PIPIT_FAULT_ALLOC_NTH, or its rate) */
    PAL_FAULT_CLASS_COUNT
} pal_fault_class_t;

/* 1 when this call of class c is to fail (counted and logged); draws from the seeded schedule. */
int pal_fault_hit(pal_fault_class_t c);
/* A number from the schedule for shaping a fault (how short a read is, how far a clock jumps). */
uint64_t pal_fault_draw(void);
uint64_t pal_fault_count(pal_fault_class_t c);
const char *pal_fault_class_name(pal_fault_class_t c);
/* The allocator's hook: 1 when this allocation (of an alloc_tag_t, size bytes) is to fail.
 * With PIPIT_FAULT_STACKS set, each failed allocation's stack is printed (ASan builds). */
int pal_fault_alloc(int tag, size_t size);

#endif
