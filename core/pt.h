/* pt — protothreads: stackless threads written as straight-line code.
 *
 * Local continuations are switch/case based (__LINE__ labels), which gcc, clang, mingw and
 * MSVC all compile. The rules that come with them:
 *  - locals do not survive a wait: keep state in the thread's struct;
 *  - a wait may only appear in the protothread function itself, never in a helper it calls
 *    (spawn a child protothread instead);
 *  - no `switch` statement of your own may span a wait (the continuation is a case label);
 *  - at most one wait per source line.
 */
#ifndef PIPIT_PT_H
#define PIPIT_PT_H

typedef struct {
    unsigned int lc; /* 0 = start; otherwise the line of the wait to resume at */
} pt_t;

enum { PT_WAITING = 0, PT_YIELDED = 1, PT_EXITED = 2, PT_ENDED = 3 };

#define PT_INIT(pt) ((pt)->lc = 0)
#define PT_THREAD(name_args) int name_args

#define PT_BEGIN(pt)                                                                                   \
    {                                                                                                  \
        int pt_yielded_ = 1;                                                                           \
        (void)pt_yielded_;                                                                             \
        switch ((pt)->lc) {                                                                            \
        case 0:

#define PT_END(pt)                                                                                     \
    }                                                                                                  \
    PT_INIT(pt);                                                                                       \
    return PT_ENDED;                                                                                   \
    }

#if defined(__GNUC__) && __GNUC__ >= 7 || defined(__clang__)
#define PT_FALLTHROUGH_ __attribute__((fallthrough))
#else
#define PT_FALLTHROUGH_ ((void)0)
#endif

#define PT_SET_(pt)                                                                                    \
    (pt)->lc = __LINE__;                                                                               \
    PT_FALLTHROUGH_;                                                                                   \
    case __LINE__:

/* Parks the thread until cond holds when it is next run. */
#define PT_WAIT_UNTIL(pt, cond)                                                                        \
    do {                                                                                               \
        PT_SET_(pt)                                                                                    \
        if (!(cond)) return PT_WAITING;                                                                \
    } while (0)

#define PT_WAIT_WHILE(pt, cond) PT_WAIT_UNTIL((pt), !(cond))

/* Gives the other ready threads a turn, then continues. */
#define PT_YIELD(pt)                                                                                   \
    do {                                                                                               \
        pt_yielded_ = 0;                                                                               \
        PT_SET_(pt)                                                                                    \
        if (pt_yielded_ == 0) return PT_YIELDED;                                                       \
    } while (0)

#define PT_YIELD_UNTIL(pt, cond)                                                                       \
    do {                                                                                               \
        pt_yielded_ = 0;                                                                               \
        PT_SET_(pt)                                                                                    \
        if (pt_yielded_ == 0 || !(cond)) return PT_YIELDED;                                            \
    } while (0)

#define PT_SCHEDULE(f) ((f) < PT_EXITED)

/* Runs a child protothread to completion; `thread` is the call that runs it once. */
#define PT_WAIT_THREAD(pt, thread) PT_WAIT_WHILE((pt), PT_SCHEDULE(thread))
#define PT_SPAWN(pt, child, thread)                                                                    \
    do {                                                                                               \
        PT_INIT((child));                                                                              \
        PT_WAIT_THREAD((pt), (thread));                                                                \
    } while (0)

#define PT_RESTART(pt)                                                                                 \
    do {                                                                                               \
        PT_INIT(pt);                                                                                   \
        return PT_WAITING;                                                                             \
    } while (0)

#define PT_EXIT(pt)                                                                                    \
    do {                                                                                               \
        PT_INIT(pt);                                                                                   \
        return PT_EXITED;                                                                              \
    } while (0)

#endif
