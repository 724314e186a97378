#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <cmocka.h>

#include "fileio.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/netrig-fileio-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static size_t count_entries(const char *path)
{
    DIR *d = opendir(path);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void test_atomic_replace(void **state)
{
    (void)state;
    char path[128], err[256], *text;
    size_t len;
    snprintf(path, sizeof(path), "%s/a.json", dir);
    assert_int_equal(fileio_write_atomic(path, "first", 5), 0);
    assert_int_equal(fileio_write_atomic(path, "second!", 7), 0);
    assert_int_equal(fileio_read_all(path, 100, &text, &len, err, sizeof(err)), 0);
    assert_int_equal(len, 7);
    assert_string_equal(text, "second!");
    free(text);
    /* No temporary file is left behind. */
    assert_int_equal(count_entries(dir), 1);
    /* A folder that does not exist: an error, nothing created. */
    snprintf(path, sizeof(path), "%s/no/such/x", dir);
    assert_int_equal(fileio_write_atomic(path, "x", 1), -1);
}

/* A FIFO (or a device) given as a file is refused at once: opening a FIFO
 * for reading blocks until a writer comes, which none ever does. */
static void test_not_regular(void **state)
{
    (void)state;
    char path[128], err[256], *text = NULL;
    size_t len;
    snprintf(path, sizeof(path), "%s/fifo.ini", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    alarm(10); /* a hang fails the test instead of stalling it */
    assert_int_equal(fileio_read_all(path, 100, &text, &len, err, sizeof(err)), -1);
    alarm(0);
    assert_non_null(strstr(err, "not a regular file"));
    assert_int_equal(fileio_read_all("/dev/zero", 100, &text, &len, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/dev/zero: not a regular file"));
}

static void test_append(void **state)
{
    (void)state;
    char path[128], err[256], *text;
    size_t len;
    snprintf(path, sizeof(path), "%s/rows.csv", dir);
    assert_int_equal(fileio_append(path, "a,b\r\n", 5), 0);
    assert_int_equal(fileio_append(path, "1,2\r\n", 5), 0);
    assert_int_equal(fileio_read_all(path, 100, &text, &len, err, sizeof(err)), 0);
    assert_string_equal(text, "a,b\r\n1,2\r\n");
    free(text);
    assert_int_equal(fileio_read_all(path, 4, &text, &len, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "larger than 4 bytes"));
    assert_int_equal(fileio_read_all(dir, 4, &text, &len, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not a regular file"));
}

static void test_mkdirs(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/x/y/z", dir);
    assert_int_equal(fileio_mkdirs(path), 0);
    assert_int_equal(fileio_mkdirs(path), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    snprintf(path, sizeof(path), "%s/file", dir);
    assert_int_equal(fileio_append(path, "x", 1), 0);
    assert_int_equal(fileio_mkdirs(path), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_atomic_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mkdirs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
