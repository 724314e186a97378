#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "scenario.h"

static struct scenario parse_ok(const char *text)
{
    struct scenario sc;
    char err[512] = "";
    int rc = scenario_parse(&sc, "dir/t.ini", text, err, sizeof(err));
    if (rc != 0)
        fail_msg("unexpected error: %s", err);
    return sc;
}

/* Parses text that must fail and checks the whole message. */
static void expect_error(const char *text, const char *msg)
{
    struct scenario sc;
    char err[512] = "";
    assert_int_equal(scenario_parse(&sc, "t.ini", text, err, sizeof(err)), -1);
    assert_string_equal(err, msg);
    assert_null(sc.steps);
    assert_int_equal(sc.nsteps, 0);
}

static void test_inheritance(void **state)
{
    (void)state;
    struct scenario sc = parse_ok("; comment\n"
                                  "[global]\n"
                                  "duration = 2s\n"
                                  "size = 4k\n"
                                  "proto = udp\n"
                                  "\n"
                                  "[a]\n"
                                  "size = 64\n"
                                  "[b]\n"
                                  "  mode = rr   ; indented, inline comment\n"
                                  "conns=3\n");
    assert_string_equal(sc.name, "t");
    assert_int_equal(sc.nsteps, 2);
    const struct scenario_step *a = &sc.steps[0], *b = &sc.steps[1];
    assert_string_equal(a->name, "a");
    assert_string_equal(a->params, "");
    assert_int_equal(a->line, 7);
    assert_int_equal(a->cfg.size, 64);
    assert_int_equal(a->cfg.duration_ns, 2000000000ULL);
    assert_int_equal(a->cfg.proto, PROTO_UDP);
    assert_int_equal(a->cfg.mode, MODE_STREAM);
    assert_int_equal(a->repeat, 1);
    assert_string_equal(b->name, "b");
    assert_int_equal(b->cfg.size, 4096);
    assert_int_equal(b->cfg.mode, MODE_RR);
    assert_int_equal(b->cfg.conns, 3);
    assert_int_equal(b->cfg.warmup_ns, 500000000ULL); /* table default */
    assert_false(scenario_step_has_peer(b));
    assert_non_null(strstr(sc.text, "conns=3"));
    scenario_close(&sc);
}

static void test_keys_before_section_are_global(void **state)
{
    (void)state;
    struct scenario sc = parse_ok("size = 1k\n[x]\n[y]\nsize=2k\n");
    assert_int_equal(sc.nsteps, 2);
    assert_int_equal(sc.steps[0].cfg.size, 1024);
    assert_int_equal(sc.steps[1].cfg.size, 2048);
    scenario_close(&sc);
}

/* Editors on Windows save UTF-8 with a byte order mark: the first section
 * must not vanish into [global] behind it. */
static void test_bom_skipped(void **state)
{
    (void)state;
    struct scenario sc = parse_ok("\xEF\xBB\xBF[tcp]\n"
                                  "size = 64\n"
                                  "[udp]\n"
                                  "proto = udp\n");
    assert_int_equal(sc.nsteps, 2);
    assert_string_equal(sc.steps[0].name, "tcp");
    assert_int_equal(sc.steps[0].line, 1);
    assert_int_equal(sc.steps[0].cfg.size, 64);
    assert_string_equal(sc.steps[1].name, "udp");
    assert_int_equal(sc.steps[1].cfg.size, 1024);
    scenario_close(&sc);
    /* Only at the start: elsewhere it is not whitespace. */
    expect_error("[a]\n\xEF\xBB\xBFsize = 1\n", "t.ini:2: unknown key '\xEF\xBB\xBFsize'");
}

static void test_sweep_and_cross_product(void **state)
{
    (void)state;
    struct scenario sc = parse_ok("[global]\nrepeat = 3\nconns = 1, 4\n"
                                  "[tcp-stream]\nsize = 64,1k,64k\n"
                                  "[udp]\nproto=udp\nconns=2\n");
    assert_int_equal(sc.nsteps, 7);
    /* The first key is the outer loop: conns, then size. */
    const char *names[] = {"tcp-stream conns=1 size=64",
                           "tcp-stream conns=1 size=1k",
                           "tcp-stream conns=1 size=64k",
                           "tcp-stream conns=4 size=64",
                           "tcp-stream conns=4 size=1k",
                           "tcp-stream conns=4 size=64k",
                           "udp"};
    uint64_t sizes[] = {64, 1024, 65536, 64, 1024, 65536, 1024};
    uint32_t conns[] = {1, 1, 1, 4, 4, 4, 2};
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(sc.steps[i].name, names[i]);
        assert_int_equal(sc.steps[i].cfg.size, sizes[i]);
        assert_int_equal(sc.steps[i].cfg.conns, conns[i]);
        assert_int_equal(sc.steps[i].repeat, 3);
    }
    assert_string_equal(sc.steps[4].params, "conns=4 size=1k");
    assert_string_equal(sc.steps[4].group, "tcp-stream");
    assert_string_equal(sc.steps[4].file, "tcp-stream_conns_4_size_1k");
    scenario_close(&sc);
}

static void test_units(void **state)
{
    (void)state;
    struct scenario sc = parse_ok("[s]\nsize=1m\nresp_size=2k\nduration=250ms\nwarmup=1m\n"
                                  "rate=50mbit\nlink_rate=1gbit\n"
                                  "[r]\nmode=rate\nrate=20k/s\ntimeout=500us\n");
    const struct netrig_config *s = &sc.steps[0].cfg, *r = &sc.steps[1].cfg;
    assert_int_equal(s->size, 1048576);
    assert_int_equal(s->resp_size, 2048);
    assert_int_equal(s->duration_ns, 250000000ULL);
    assert_int_equal(s->warmup_ns, 60000000000ULL);
    assert_true(s->rate_bps == 50e6 && s->rate_per_s == 0);
    assert_true(s->link_rate_bps == 1e9);
    assert_int_equal(r->mode, MODE_RATE);
    assert_true(r->rate_per_s == 20000 && r->rate_bps == 0);
    assert_int_equal(r->timeout_ns, 500000ULL);
    scenario_close(&sc);
}

static void test_lists_kept_whole(void **state)
{
    (void)state;
    struct scenario sc = parse_ok("[global]\nheader = Accept: a, b\n"
                                  "[h]\nproto=http\nurl=http://127.0.0.1:1/x\ncpu = 0,1\n"
                                  "header = X-A: 1\n");
    assert_int_equal(sc.nsteps, 1);
    const struct netrig_config *c = &sc.steps[0].cfg;
    assert_string_equal(c->cpu, "0,1");
    assert_int_equal(c->nheaders, 2);
    assert_string_equal(c->headers[0], "Accept: a, b");
    assert_string_equal(c->headers[1], "X-A: 1");
    assert_true(scenario_step_has_peer(&sc.steps[0]));
    scenario_close(&sc);
}

static void test_describe_and_file_name(void **state)
{
    (void)state;
    struct scenario sc = parse_ok("[x]\nproto=udp\nsize=4k\n");
    char d[512];
    scenario_step_describe(&sc.steps[0], d, sizeof(d));
    assert_string_equal(d, "proto=udp mode=stream size=4096 duration=5s");
    scenario_close(&sc);
    char f[16];
    scenario_file_name("a b/c=d:e", f, sizeof(f));
    assert_string_equal(f, "a_b_c_d_e");
    scenario_file_name("..", f, sizeof(f));
    assert_string_equal(f, "_.");
    scenario_file_name("0123456789abcdefghij", f, sizeof(f));
    assert_string_equal(f, "0123456789abcde");
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("[a]\nszie = 4k\n", "t.ini:2: unknown key 'szie' (did you mean 'size'?)");
    expect_error("[a]\nxyzzyplugh = 4\n", "t.ini:2: unknown key 'xyzzyplugh'");
    expect_error("[a]\n\nsize = 12q\n",
                 "t.ini:3: bad value '12q' for size: expected a size such as 1500, 4k or 1m");
    expect_error("[a]\nsize = 64, 12q\n",
                 "t.ini:2: bad value '12q' for size: expected a size such as 1500, 4k or 1m");
    expect_error("[a]\nconns = 0\n", "t.ini:2: value '0' for conns is out of range (1 to 100000)");
    expect_error(
        "[a]\nproto = sctp\n",
        "t.ini:2: bad value 'sctp' for proto: expected tcp, udp, http, tls, https, ws or wss");
    expect_error("[a]\nsize = 1k,,2k\n", "t.ini:2: empty value in the list for size");
    expect_error("[a]\nsize = 1k,2k,1k\n",
                 "t.ini:2: value '1k' appears twice in the list for size");
    expect_error("[a]\nrepeat = 2,3\n", "t.ini:2: repeat takes one number, not a list");
    expect_error("[a]\nsize = 1k\nmode = rr\nsize = 2k\n",
                 "t.ini:4: key 'size' given twice in [a] (first at line 2)");
    expect_error("[a]\ncsv = x.csv\n",
                 "t.ini:2: key 'csv' is not for scenario files: netrig run writes the results");
    expect_error("[a]\n[b]\n[a]\n", "t.ini:3: section [a] appears twice (first at line 1)");
    expect_error("[global]\n[global]\n[a]\n",
                 "t.ini:2: section [global] appears twice (first at line 1)");
    expect_error("[ ]\n", "t.ini:1: empty section name");
    expect_error("[a]\nthis is not a key\n",
                 "t.ini:2: syntax error: expected [section] or key = value");
    expect_error("[a\nsize=1\n", "t.ini:1: syntax error: expected [section] or key = value");
    expect_error("[global]\nsize = 1k\n",
                 "t.ini: no steps: add a section such as [tcp-stream] after [global]");
    expect_error("", "t.ini: no steps: add a section such as [tcp-stream] after [global]");
    /* The first error in the file wins, whatever its kind. */
    expect_error("[a]\nsize = x\nszie = 1\n",
                 "t.ini:2: bad value 'x' for size: expected a size such as 1500, 4k or 1m");
}

static void test_step_errors(void **state)
{
    (void)state;
    expect_error("[global]\nmode = rate\n[a]\n",
                 "t.ini:2: [a] mode rate needs key 'rate' in transactions per second "
                 "(rate = 20000/s)");
    expect_error("[a]\nmode = rate\nrate = 10mbit\n",
                 "t.ini:2: [a] mode rate needs key 'rate' in transactions per second "
                 "(rate = 20000/s)");
    expect_error("[a]\nmode = rr\necho = true\n",
                 "t.ini:3: [a] echo = true needs key 'server' (an echo server is never embedded)");
    expect_error("[a]\nverify = yes\n", "t.ini:2: [a] verify = true needs key 'cafile'");
    expect_error("[a]\nproto = udp\nmode = crr\n",
                 "t.ini:1: [a] mode crr needs a connection: not available for udp");
    expect_error("[a]\nsize = 1,2,3,4,5,6,7,8,9,10\nconns = 1,2,3,4,5,6,7,8,9,10\n"
                 "threads = 1,2,3,4,5,6,7,8,9,10\npipeline = 1,2,3,4,5,6,7,8,9,10,11\n",
                 "t.ini:1: [a] the lists expand to more than 10000 steps");
    expect_error("[a b]\n[a_b]\n",
                 "t.ini:2: steps 'a b' and 'a_b' would share the file name 'a_b'");
}

static void test_long_lines(void **state)
{
    (void)state;
    char text[600];
    int n = snprintf(text, sizeof(text), "[a]\nurl = http://127.0.0.1:1/");
    memset(text + n, 'x', 300);
    snprintf(text + n + 300, sizeof(text) - (size_t)n - 300, "\nsize=1\n");
    struct scenario sc;
    char err[512];
    assert_int_equal(scenario_parse(&sc, "t.ini", text, err, sizeof(err)), -1);
    assert_string_equal(err, "t.ini:2: line is longer than 197 characters");
    char name[200] = "[";
    memset(name + 1, 'n', 70);
    strcpy(name + 71, "]\n");
    assert_int_equal(scenario_parse(&sc, "t.ini", name, err, sizeof(err)), -1);
    assert_string_equal(err, "t.ini:1: section name 'nnnnnnnnnnnnnnnnnnnn...' is longer than 63 "
                             "characters");
}

static void test_load(void **state)
{
    (void)state;
    char path[] = "/tmp/netrig-scenario-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "[global]\nduration=1s\n[x]\nsize=2,3\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct scenario sc;
    char err[512];
    assert_int_equal(scenario_load(&sc, path, err, sizeof(err)), 0);
    assert_int_equal(sc.nsteps, 2);
    assert_string_equal(sc.text, text);
    assert_string_equal(sc.file, path);
    scenario_close(&sc);
    unlink(path);
    assert_int_equal(scenario_load(&sc, path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "No such file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inheritance),
        cmocka_unit_test(test_keys_before_section_are_global),
        cmocka_unit_test(test_bom_skipped),
        cmocka_unit_test(test_sweep_and_cross_product),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_lists_kept_whole),
        cmocka_unit_test(test_describe_and_file_name),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_step_errors),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
