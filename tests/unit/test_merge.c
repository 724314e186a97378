/* run/merge.c (the all row of several hosts) and the ssh destinations of
 * run/remote.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "merge.h"
#include "remote.h"

/* One host's output: a row with the given counts, values lo..hi (ns, step
 * 1000) in nintervals intervals of one second each. */
static void host_out(struct client_output *o, double msgs, double gp, const char *errs, int64_t lo,
                     int64_t hi, size_t nintervals, double start_wall)
{
    memset(o, 0, sizeof(*o));
    result_init(&o->result);
    snprintf(o->result.step, sizeof(o->result.step), "rr");
    snprintf(o->result.proto, sizeof(o->result.proto), "tcp");
    o->result.messages = msgs;
    o->result.goodput_bps = gp;
    o->result.conns = 2;
    o->result.errors = 1;
    o->result.duration_s = 2;
    o->result.rtt_us = 40;
    snprintf(o->result.errors_by_class, sizeof(o->result.errors_by_class), "%s", errs);
    assert_int_equal(hist_init_default(&o->lat), 0);
    assert_int_equal(hist_init_default(&o->connect), 0);
    o->start_wall_s = start_wall;
    o->intervals = calloc(nintervals, sizeof(*o->intervals));
    if (nintervals)
        assert_non_null(o->intervals);
    o->nintervals = nintervals;
    for (size_t i = 0; i < nintervals; i++) {
        struct client_interval *iv = &o->intervals[i];
        assert_int_equal(hist_init_default(&iv->lat), 0);
        iv->t_start_s = (double)i;
        iv->t_end_s = (double)i + 1;
        iv->goodput_bps = gp;
        iv->msgs_per_s = msgs / 2;
    }
    for (int64_t v = lo, k = 0; v <= hi; v += 1000, k++) {
        assert_true(hist_record(&o->lat, v));
        if (nintervals)
            assert_true(hist_record(&o->intervals[(size_t)k % nintervals].lat, v));
    }
}

static void test_error_classes_summed(void **state)
{
    (void)state;
    char d[256] = "connect=1 read=2";
    merge_error_classes(d, sizeof(d), "read=3 timeout=4");
    assert_string_equal(d, "connect=1 read=5 timeout=4");
    char e[256] = "";
    merge_error_classes(e, sizeof(e), "reset=7");
    assert_string_equal(e, "reset=7");
    merge_error_classes(e, sizeof(e), "");
    assert_string_equal(e, "reset=7");
}

static void test_all_row(void **state)
{
    (void)state;
    struct client_output a, b, c, all;
    host_out(&a, 100, 1e6, "connect=1", 10000, 200000, 2, 1000.0);
    host_out(&b, 300, 3e6, "connect=2 read=1", 150000, 900000, 2, 1000.5);
    host_out(&c, 999, 9e9, "", 1000, 2000, 0, 1000.0);
    struct merge_host mh[3] = {{"h1", &a, 0.0, true}, {"h2", &b, 0.5, true}, {"h3", &c, 0, false}};
    char err[256];
    assert_int_equal(merge_outputs(mh, 3, &all, err, sizeof(err)), 0);
    struct test_result *r = &all.result;
    assert_string_equal(r->host, "all");
    assert_string_equal(r->hosts, "2/3"); /* the failed host is counted, not summed */
    assert_true(r->messages == 400 && r->goodput_bps == 4e6 && r->conns == 4 && r->errors == 2);
    assert_string_equal(r->errors_by_class, "connect=3 read=1");
    assert_true(isnan(r->rtt_us)); /* one connection's figure: no sum across hosts */
    /* The exact merge: one histogram with every host's values. */
    struct hist one;
    assert_int_equal(hist_init_default(&one), 0);
    assert_int_equal(hist_add_grow(&one, &a.lat), 0);
    assert_int_equal(hist_add_grow(&one, &b.lat), 0);
    assert_int_equal(all.lat.total_count, one.total_count);
    assert_true(r->lat_p50_us == (double)hist_value_at_percentile(&one, 50) / 1000);
    assert_true(r->lat_p99_us == (double)hist_value_at_percentile(&one, 99) / 1000);
    assert_true(r->lat_max_us == (double)hist_max(&one) / 1000);
    /* Averaged medians would be wrong: this one is not. */
    double avg = ((double)hist_value_at_percentile(&a.lat, 50) +
                  (double)hist_value_at_percentile(&b.lat, 50)) /
                 2000;
    assert_true(fabs(r->lat_p50_us - avg) > 1);
    /* Intervals of one index summed; b's clock is 0.5 s ahead, so its
     * start (1000.5 on its clock) is 1000.0 on the reference's. */
    assert_int_equal(all.nintervals, 2);
    assert_true(all.start_wall_s == 1000.0);
    assert_true(all.intervals[0].t_start_s == 0 && all.intervals[1].t_end_s == 2);
    assert_true(all.intervals[0].goodput_bps == 4e6);
    assert_int_equal(all.intervals[0].lat.total_count + all.intervals[1].lat.total_count,
                     one.total_count);
    hist_close(&one);
    client_output_close(&all);
    client_output_close(&a);
    client_output_close(&b);
    client_output_close(&c);
}

/* WebSocket with permessage-deflate: the wire ratio weighed by each host's
 * payload; hosts that disagree on whether the server took it, "mixed". */
static void test_ws_deflate_merged(void **state)
{
    (void)state;
    struct client_output a, b, all;
    host_out(&a, 100, 1e6, "", 1000, 2000, 0, 1000.0);
    host_out(&b, 300, 3e6, "", 1000, 2000, 0, 1000.0);
    snprintf(a.result.ws_deflate, sizeof(a.result.ws_deflate), "on");
    snprintf(b.result.ws_deflate, sizeof(b.result.ws_deflate), "on");
    a.result.ws_wire_ratio = 0.01;
    b.result.ws_wire_ratio = 0.05;
    struct merge_host mh[2] = {{"h1", &a, 0, true}, {"h2", &b, 0, true}};
    char err[256];
    assert_int_equal(merge_outputs(mh, 2, &all, err, sizeof(err)), 0);
    assert_string_equal(all.result.ws_deflate, "on");
    assert_true(fabs(all.result.ws_wire_ratio - (0.01 * 1 + 0.05 * 3) / 4) < 1e-12);
    client_output_close(&all);
    snprintf(b.result.ws_deflate, sizeof(b.result.ws_deflate), "declined");
    b.result.ws_wire_ratio = 1;
    assert_int_equal(merge_outputs(mh, 2, &all, err, sizeof(err)), 0);
    assert_string_equal(all.result.ws_deflate, "mixed");
    client_output_close(&all);
    client_output_close(&a);
    client_output_close(&b);
}

/* probe = udp|tcp on host o: n round trips of v ns each in its idle and
 * loaded histograms and in one probe interval, its row's columns its own. */
static void host_probe(struct client_output *o, int64_t idle, int64_t v, uint64_t n, double loss)
{
    assert_int_equal(hist_init_default(&o->probe_idle), 0);
    assert_int_equal(hist_init_default(&o->probe_load), 0);
    o->probe_iv = calloc(1, sizeof(*o->probe_iv));
    assert_non_null(o->probe_iv);
    o->nprobe_iv = 1;
    o->probe_start_wall_s = o->start_wall_s - 0.5;
    o->probe_iv[0].t_end_s = 3;
    assert_int_equal(hist_init_default(&o->probe_iv[0].lat), 0);
    for (uint64_t i = 0; i < n; i++) {
        assert_true(hist_record(&o->probe_idle, idle));
        assert_true(hist_record(&o->probe_load, v));
        assert_true(hist_record(&o->probe_iv[0].lat, v));
    }
    o->result.probe_idle_p50_us = (double)idle / 1000;
    o->result.probe_p50_us = o->result.probe_p99_us = o->result.probe_max_us = (double)v / 1000;
    o->result.probe_loss_pct = loss;
}

static void test_probe_merged(void **state)
{
    (void)state;
    struct client_output a, b, all;
    host_out(&a, 100, 1e6, "", 10000, 20000, 2, 1000.0);
    host_out(&b, 100, 1e6, "", 10000, 20000, 2, 1000.0);
    host_probe(&a, 50000, 100000, 100, 0);
    host_probe(&b, 70000, 300000, 100, 50); /* 100 answered of 200 sent */
    struct merge_host mh[2] = {{"h1", &a, 0, true}, {"h2", &b, 0, true}};
    char err[256];
    assert_int_equal(merge_outputs(mh, 2, &all, err, sizeof(err)), 0);
    const struct test_result *r = &all.result;
    /* From the summed histograms: half the round trips took 300 us. */
    assert_true(fabs(r->probe_p50_us - 100) < 0.1);
    assert_true(fabs(r->probe_p99_us - 300) < 0.3);
    assert_true(fabs(r->probe_max_us - 300) < 0.3);
    assert_true(fabs(r->probe_idle_p50_us - 50) < 0.1);
    assert_true(fabs(r->probe_loss_pct - 100.0 / 3) < 1e-9); /* 100 lost of 300 sent */
    /* The probe's series summed on its own, kept out of the load's. */
    assert_int_equal(all.nprobe_iv, 1);
    assert_int_equal(all.probe_iv[0].lat.total_count, 200);
    assert_string_equal(all.probe_iv[0].lat.tag, "probe");
    assert_true(all.probe_start_wall_s == 999.5);
    assert_int_equal(all.lat.total_count, a.lat.total_count + b.lat.total_count);
    /* Per interval: the probe interval whose middle (1001.0) falls in it. */
    assert_true(isnan(all.intervals[0].probe_p50_us));
    assert_true(fabs(all.intervals[1].probe_p50_us - 100) < 0.1);
    client_output_close(&all);
    /* No host probed: the columns stay empty. */
    client_output_close(&b);
    host_out(&b, 100, 1e6, "", 10000, 20000, 2, 1000.0);
    mh[0].out = &b;
    mh[1].ok = false;
    assert_int_equal(merge_outputs(mh, 2, &all, err, sizeof(err)), 0);
    assert_true(isnan(all.result.probe_p50_us) && isnan(all.result.probe_loss_pct));
    assert_int_equal(all.nprobe_iv, 0);
    client_output_close(&all);
    client_output_close(&a);
    client_output_close(&b);
}

static void test_no_host_ok(void **state)
{
    (void)state;
    struct client_output a, all;
    host_out(&a, 1, 1, "", 1000, 1000, 0, 0);
    struct merge_host mh[1] = {{"h1", &a, 0, false}};
    char err[256] = "";
    assert_int_equal(merge_outputs(mh, 1, &all, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no host"));
    client_output_close(&all);
    client_output_close(&a);
}

static void test_ssh_destinations(void **state)
{
    (void)state;
    char dest[64], port[8], err[200];
    assert_int_equal(remote_parse_one("ssh://bench@load2:2222", dest, sizeof(dest), port,
                                      sizeof(port), err, sizeof(err)),
                     0);
    assert_string_equal(dest, "bench@load2");
    assert_string_equal(port, "2222");
    assert_int_equal(
        remote_parse_one("ssh://load1", dest, sizeof(dest), port, sizeof(port), err, sizeof(err)),
        0);
    assert_string_equal(dest, "load1");
    assert_string_equal(port, "");
    /* A destination of ~/.ssh/config is passed as it is. */
    assert_int_equal(
        remote_parse_one("lab-a", dest, sizeof(dest), port, sizeof(port), err, sizeof(err)), 0);
    assert_string_equal(dest, "lab-a");
    static const char *const bad[] = {"ssh://h:0", "ssh://h:70000", "ssh://h:22x", "ssh://",
                                      "ssh://:22", "ssh://h/path",  "two words",   ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_int_equal(
            remote_parse_one(bad[i], dest, sizeof(dest), port, sizeof(port), err, sizeof(err)), -1);
        assert_true(err[0] != '\0');
    }
}

static void test_host_list(void **state)
{
    (void)state;
    struct remote_set s;
    char err[300];
    assert_int_equal(remote_parse_hosts(&s, "ssh://a, ssh://root@a:2200,b", err, sizeof(err)), 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.h[0].name, "a");
    assert_string_equal(s.h[1].name, "a-2200"); /* two on one host: the port tells them apart */
    assert_string_equal(s.h[1].dest, "root@a");
    assert_string_equal(s.h[2].name, "b");
    const char *args[20];
    snprintf(s.ssh_config, sizeof(s.ssh_config), "cfg");
    int n = remote_ssh_args(&s, &s.h[1], "netrig x", args);
    assert_string_equal(args[0], "ssh");
    assert_string_equal(args[1], "-F");
    assert_string_equal(args[n - 2], "root@a");
    assert_string_equal(args[n - 1], "netrig x");
    bool port = false;
    for (int i = 0; i + 1 < n; i++)
        port |= strcmp(args[i], "-p") == 0 && strcmp(args[i + 1], "2200") == 0;
    assert_true(port);
    remote_close(&s);
    assert_int_equal(remote_parse_hosts(&s, "ssh://a, ssh://b:x", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "ssh://b:x"));
    remote_close(&s);
    assert_int_equal(remote_parse_hosts(&s, " , ", err, sizeof(err)), -1);
    remote_close(&s);
}

static void test_shell_word(void **state)
{
    (void)state;
    char cmd[128] = "";
    remote_put_word(cmd, sizeof(cmd), "/opt/net rig");
    remote_put_word(cmd, sizeof(cmd), "it's");
    assert_string_equal(cmd, "'/opt/net rig' 'it'\\''s'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_classes_summed),
        cmocka_unit_test(test_all_row),
        cmocka_unit_test(test_ws_deflate_merged),
        cmocka_unit_test(test_probe_merged),
        cmocka_unit_test(test_no_host_ok),
        cmocka_unit_test(test_ssh_destinations),
        cmocka_unit_test(test_host_list),
        cmocka_unit_test(test_shell_word),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
