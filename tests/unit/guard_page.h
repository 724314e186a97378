/* For the parser tests: an arena of GUARD_PAGES readable pages followed by
 * a PROT_NONE page. guard_copy places an input so that its last byte sits
 * just before that page: a read past the end crashes the test. Included
 * after cmocka.h; guard_setup and guard_teardown are the group's. */
#ifndef NETRIG_TEST_GUARD_PAGE_H
#define NETRIG_TEST_GUARD_PAGE_H

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef GUARD_PAGES
#define GUARD_PAGES 1
#endif

static char *guard_arena;
static size_t guard_len; /* the readable bytes before the guard page */

static int guard_setup(void **state)
{
    (void)state;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    guard_len = GUARD_PAGES * page;
    void *m =
        mmap(NULL, guard_len + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return -1;
    guard_arena = m;
    return mprotect(guard_arena + guard_len, page, PROT_NONE);
}

static int guard_teardown(void **state)
{
    (void)state;
    return munmap(guard_arena, guard_len + (size_t)sysconf(_SC_PAGESIZE));
}

/* Copies n bytes of s so that they end at the guard page; returns where. */
static void *guard_copy(const void *s, size_t n)
{
    assert_true(n <= guard_len);
    char *p = guard_arena + guard_len - n;
    memcpy(p, s, n);
    return p;
}

#endif
