/* vfs_fault — SQLite's file I/O with faults injected (the fault build only, -DPIPIT_PAL_FAULTS).
 *
 * SQLite reads and writes its files through its VFS, not the PAL, so the fault build registers
 * this shim as the default VFS: every file it opens is the default VFS's file, with xWrite,
 * xTruncate and xSync failing on platform/pal_fault.c's schedule (db_write, disk_full, db_sync).
 * A failing write may leave part of its bytes behind, as a dying disk would. */
#if defined(PIPIT_PAL_FAULTS)
#include <string.h>

#include "../platform/pal_fault.h"
#include "db.h"
#include "sqlite.h"

typedef struct {
    sqlite3_file base;  /* our methods */
    sqlite3_file *real; /* the default VFS's file, right after this struct */
} fault_file_t;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs fault_vfs;
static sqlite3_io_methods fault_methods;

static sqlite3_file *real_of(sqlite3_file *f) { return ((fault_file_t *)f)->real; }

static int f_close(sqlite3_file *f)
{
    sqlite3_file *r = real_of(f);
    return r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
}

static int f_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return real_of(f)->pMethods->xRead(real_of(f), buf, n, off);
}

static int f_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    sqlite3_file *r = real_of(f);
    if (pal_fault_hit(PAL_FAULT_DISK_FULL)) {
        int part = n > 1 ? (int)(pal_fault_draw() % (uint64_t)n) : 0;
        if (part) (void)r->pMethods->xWrite(r, buf, part, off);
        return SQLITE_FULL;
    }
    if (pal_fault_hit(PAL_FAULT_DB_WRITE)) return SQLITE_IOERR_WRITE;
    return r->pMethods->xWrite(r, buf, n, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    if (pal_fault_hit(PAL_FAULT_DB_WRITE)) return SQLITE_IOERR_TRUNCATE;
    return real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int f_sync(sqlite3_file *f, int flags)
{
    if (pal_fault_hit(PAL_FAULT_DB_SYNC)) return SQLITE_IOERR_FSYNC;
    return real_of(f)->pMethods->xSync(real_of(f), flags);
}

static int f_size(sqlite3_file *f, sqlite3_int64 *out) { return real_of(f)->pMethods->xFileSize(real_of(f), out); }
static int f_lock(sqlite3_file *f, int l) { return real_of(f)->pMethods->xLock(real_of(f), l); }
static int f_unlock(sqlite3_file *f, int l) { return real_of(f)->pMethods->xUnlock(real_of(f), l); }
static int f_reserved(sqlite3_file *f, int *out) { return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out); }
static int f_control(sqlite3_file *f, int op, void *arg) { return real_of(f)->pMethods->xFileControl(real_of(f), op, arg); }
static int f_sector(sqlite3_file *f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
static int f_device(sqlite3_file *f) { return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)); }
static int f_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
    return real_of(f)->pMethods->xShmMap(real_of(f), pg, sz, ext, pp);
}
static int f_shm_lock(sqlite3_file *f, int off, int n, int fl) { return real_of(f)->pMethods->xShmLock(real_of(f), off, n, fl); }
static void f_shm_barrier(sqlite3_file *f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
static int f_shm_unmap(sqlite3_file *f, int del) { return real_of(f)->pMethods->xShmUnmap(real_of(f), del); }
static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp) { return real_of(f)->pMethods->xFetch(real_of(f), off, n, pp); }
static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p) { return real_of(f)->pMethods->xUnfetch(real_of(f), off, p); }

static int f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    fault_file_t *ff = (fault_file_t *)f;
    ff->real = (sqlite3_file *)(ff + 1);
    memset(ff->real, 0, (size_t)real_vfs->szOsFile);
    int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
    /* SQLite calls xClose only when pMethods is set: mirror the real file's */
    ff->base.pMethods = ff->real->pMethods ? &fault_methods : NULL;
    return rc;
}

static int v_delete(sqlite3_vfs *v, const char *name, int sync) { return real_vfs->xDelete(real_vfs, name, sync); }
static int v_access(sqlite3_vfs *v, const char *name, int fl, int *out) { return real_vfs->xAccess(real_vfs, name, fl, out); }
static int v_full(sqlite3_vfs *v, const char *name, int n, char *out) { return real_vfs->xFullPathname(real_vfs, name, n, out); }
static void *v_dlopen(sqlite3_vfs *v, const char *name) { return real_vfs->xDlOpen(real_vfs, name); }
static void v_dlerror(sqlite3_vfs *v, int n, char *out) { real_vfs->xDlError(real_vfs, n, out); }
static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void) { return real_vfs->xDlSym(real_vfs, h, sym); }
static void v_dlclose(sqlite3_vfs *v, void *h) { real_vfs->xDlClose(real_vfs, h); }
static int v_random(sqlite3_vfs *v, int n, char *out) { return real_vfs->xRandomness(real_vfs, n, out); }
static int v_sleep(sqlite3_vfs *v, int us) { return real_vfs->xSleep(real_vfs, us); }
static int v_time(sqlite3_vfs *v, double *out) { return real_vfs->xCurrentTime(real_vfs, out); }
static int v_lasterr(sqlite3_vfs *v, int n, char *out) { return real_vfs->xGetLastError(real_vfs, n, out); }
static int v_time64(sqlite3_vfs *v, sqlite3_int64 *out) { return real_vfs->xCurrentTimeInt64(real_vfs, out); }

int db_vfs_fault_register(void)
{
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs || real_vfs->iVersion < 2) return SQLITE_ERROR;
    static const sqlite3_io_methods m = {3, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock, f_unlock,
                                         f_reserved, f_control, f_sector, f_device, f_shm_map, f_shm_lock,
                                         f_shm_barrier, f_shm_unmap, f_fetch, f_unfetch};
    fault_methods = m;
    fault_vfs = (sqlite3_vfs){2, (int)sizeof(fault_file_t) + real_vfs->szOsFile, real_vfs->mxPathname, NULL,
                              "pipit-fault", NULL, f_open, v_delete, v_access, v_full, v_dlopen, v_dlerror,
                              v_dlsym, v_dlclose, v_random, v_sleep, v_time, v_lasterr, v_time64,
                              NULL, NULL, NULL};
    return sqlite3_vfs_register(&fault_vfs, 1);
}
#else
typedef int vfs_fault_unused_t; /* not the fault build: nothing here */
#endif
