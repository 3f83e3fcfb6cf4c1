/*
 * vrfmgr/state.c and the restart path of vrf_table_init_state: labels and
 * VRF ids survive a restart (in a temporary run directory), routes gone
 * since the last run leave their labels held down, a VRF that comes back
 * with another RD gets none of its predecessor's labels, the file is
 * replaced atomically, and a damaged file costs at most the lines that are
 * damaged.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test_vrfmgr_fixture.h"
#include "vrfmgr/state.h"

static char dir[64], path[128];

static void setup(void)
{
	log_init("test", LOG_LVL_ERR);
	snprintf(dir, sizeof(dir), "/tmp/ferry-state-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, VRFMGR_STATE_FILE);
}

static void teardown(void)
{
	char tmp[160];

	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	rmdir(dir);
}

TestSuite(state, .init = setup, .fini = teardown);

#define ROUTER "\"router\": { \"name\": \"pe9\", \"router_id\": \"10.255.0.9\", \"asn\": 65000," \
	       "  \"label_range\": { \"min\": 300, \"max\": 399 } }"
#define VRF_A "{ \"name\": \"A\", \"rd\": \"65000:1\", \"export_rts\": [\"65000:1\"]," \
	      "  \"interfaces\": [ { \"name\": \"a0\", \"address\": \"10.1.0.1/24\" } ] }"
#define VRF_B "{ \"name\": \"B\", \"rd\": \"65000:2\", \"export_rts\": [\"65000:2\"]," \
	      "  \"interfaces\": [ { \"name\": \"b0\", \"address\": \"10.2.0.1/24\" } ] }"
#define STATIC(p, nh) "{ \"prefix\": \"" p "\", \"next_hop\": \"" nh "\", \"interface\": \"p0\" }"
#define VRF_P(statics) "{ \"name\": \"P\", \"rd\": \"65000:3\", \"export_rts\": [\"65000:3\"]," \
		       "  \"label_mode\": \"per-prefix\"," \
		       "  \"interfaces\": [ { \"name\": \"p0\", \"address\": \"10.3.0.1/24\" } ]," \
		       "  \"static_routes\": [ " statics " ] }"

/* One vrfmgr run: start from the state file, then stop (saving it). */
struct run {
	struct ferry_config cfg;
	struct vrf_table t;
};

/* The table built from the file, as vrfmgr has it before it is up. */
static void run_init(struct run *r, const char *json)
{
	fx_load(&r->cfg, json);
	cr_assert_eq(vrf_table_init_state(&r->t, &r->cfg, NULL, path), 0);
}

/* Up: vrfmgr saves at once. */
static void run_start(struct run *r, const char *json)
{
	run_init(r, json);
	cr_assert_eq(vrf_table_save(&r->t), 0);
}

static void run_stop(struct run *r)
{
	cr_assert_eq(vrf_table_save(&r->t), 0);
	vrf_table_free(&r->t);
	config_free(&r->cfg);
}

static uint32_t exp_label(struct vrf_table *t, const char *vrf, const char *p)
{
	struct vrf_prefix *vp = fx_vp(t, vrf, p);

	return vp != NULL && vp->exp_label != NULL ? vp->exp_label->label : MPLS_LABEL_NONE;
}

static char *slurp(void)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	cr_assert_not_null(f, "%s missing", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

Test(state, first_start_writes_labels_and_ids)
{
	struct run r;
	char tmp[160];

	run_init(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "," VRF_B "] }");
	cr_assert_eq(vrf_by_name(&r.t, "A")->label, 300);
	cr_assert_eq(vrf_by_name(&r.t, "B")->label, 301);
	cr_assert_neq(access(path, F_OK), 0, "written before vrfmgr was up");
	cr_assert_eq(vrf_table_save(&r.t), 0);
	cr_assert_str_eq(slurp(), "ferry-vrfmgr-state 1\n"
				  "vrf 1 A\n"
				  "vrf 2 B\n"
				  "rd A 65000:1\n"
				  "rd B 65000:2\n"
				  "label 300 used 0 per-vrf A\n"
				  "lfib 300 65000:1\n"
				  "label 301 used 0 per-vrf B\n"
				  "lfib 301 65000:2\n");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	cr_assert_neq(access(tmp, F_OK), 0, "the temporary file was renamed away");
	run_stop(&r);
}

/*
 * A start that fails after building its VRFs (vrfmgr.ipc held by a running
 * vrfmgr, the API's TLS files missing) frees the table without saving: the
 * file stays the last run's, not this config's view (B's labels held down,
 * P's new ones "used").
 */
Test(state, failed_start_leaves_the_file_as_it_was)
{
	struct run r;
	char before[4096];

	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "," VRF_B "] }");
	run_stop(&r);
	snprintf(before, sizeof(before), "%s", slurp());
	run_init(&r, "{" ROUTER ", \"vrfs\": [" VRF_P(STATIC("10.20.0.0/16", "10.3.0.2")) "] }");
	cr_assert(r.t.labels.dirty, "this run's labels differ from the file's");
	vrf_table_free(&r.t);
	config_free(&r.cfg);
	cr_assert_str_eq(slurp(), before);
}

Test(state, restart_keeps_labels_and_ids_whatever_the_order)
{
	struct run r;

	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "," VRF_B "] }");
	run_stop(&r);
	/* B now comes first: without the state it would be id 1, label 300. */
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_B "," VRF_A "] }");
	cr_assert_eq(vrf_by_name(&r.t, "A")->label, 300);
	cr_assert_eq(vrf_by_name(&r.t, "B")->label, 301);
	cr_assert_eq(vrf_by_name(&r.t, "A")->id, 1);
	cr_assert_eq(vrf_by_name(&r.t, "B")->id, 2);
	run_stop(&r);
}

Test(state, new_vrf_gets_a_free_id_and_label)
{
	struct run r;

	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "," VRF_B "] }");
	run_stop(&r);
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_P(STATIC("10.20.0.0/16", "10.3.0.2")) ","
		      VRF_B "] }");
	/* B keeps 2/301; P takes the lowest free id (A's 1 is forgotten) and labels past
	 * A's 300, which is held down: A may still be in remote PEs' tables. */
	cr_assert_eq(vrf_by_name(&r.t, "B")->id, 2);
	cr_assert_eq(vrf_by_name(&r.t, "B")->label, 301);
	cr_assert_eq(vrf_by_name(&r.t, "P")->id, 1);
	cr_assert_eq(label_lookup(&r.t.labels, 300)->state, LABEL_HELD);
	cr_assert_gt(label_held_for(&r.t.labels, label_lookup(&r.t.labels, 300)), 55);
	cr_assert_eq(exp_label(&r.t, "P", "10.3.0.0/24"), 302);
	cr_assert_eq(exp_label(&r.t, "P", "10.20.0.0/16"), 303);
	run_stop(&r);
}

Test(state, unchanged_prefixes_keep_their_labels_across_a_restart)
{
	struct run r;

	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_P(STATIC("10.20.0.0/16", "10.3.0.2") ","
		      STATIC("10.21.0.0/16", "10.3.0.2") "," STATIC("10.22.0.0/16", "10.3.0.3")) "] }");
	cr_assert_eq(exp_label(&r.t, "P", "10.3.0.0/24"), 300);
	cr_assert_eq(exp_label(&r.t, "P", "10.20.0.0/16"), 301);
	cr_assert_eq(exp_label(&r.t, "P", "10.21.0.0/16"), 302);
	cr_assert_eq(exp_label(&r.t, "P", "10.22.0.0/16"), 303);
	run_stop(&r);
	/* 10.21 is gone, 10.19 is new and sorts first: a fresh start would shift every label. */
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_P(STATIC("10.19.0.0/16", "10.3.0.2") ","
		      STATIC("10.20.0.0/16", "10.3.0.2") "," STATIC("10.22.0.0/16", "10.3.0.3")) "] }");
	cr_assert_eq(exp_label(&r.t, "P", "10.3.0.0/24"), 300);
	cr_assert_eq(exp_label(&r.t, "P", "10.20.0.0/16"), 301);
	cr_assert_eq(exp_label(&r.t, "P", "10.22.0.0/16"), 303);
	cr_assert_eq(exp_label(&r.t, "P", "10.19.0.0/16"), 304, "302 is held down for 10.21");
	cr_assert_eq(label_lookup(&r.t.labels, 302)->state, LABEL_HELD);
	run_stop(&r);
	/* The hold-down survives a restart too, and 10.21 coming back gets 302 again. */
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_P(STATIC("10.21.0.0/16", "10.3.0.2")) "] }");
	cr_assert_eq(exp_label(&r.t, "P", "10.21.0.0/16"), 302);
	cr_assert_eq(label_lookup(&r.t.labels, 301)->state, LABEL_HELD);
	run_stop(&r);
}

Test(state, damaged_lines_are_skipped)
{
	struct run r;
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs("ferry-vrfmgr-state 1\n"
	      "vrf 7 B\n"
	      "vrf 0 A\n"                          /* id 0 */
	      "label 999 used 0 per-vrf A\n"       /* outside the range: dropped quietly */
	      "label 305 used 0 per-vrf B\n"
	      "label 306 used 0 per-vrf B\n"       /* key twice */
	      "label 307 used 0 per-ce A\n"        /* truncated */
	      "label 308 lost 0 per-vrf A\n"       /* unknown state */
	      "label 309 used 0 per-prefix A 10.0.0.1/24\n" /* host bits */
	      "garbage\n",
	      f);
	fclose(f);
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "," VRF_B "] }");
	cr_assert_eq(vrf_by_name(&r.t, "B")->id, 7);
	cr_assert_eq(vrf_by_name(&r.t, "B")->label, 305);
	cr_assert_eq(vrf_by_name(&r.t, "A")->id, 1);
	cr_assert_eq(vrf_by_name(&r.t, "A")->label, 300);
	run_stop(&r);
}

Test(state, another_version_is_ignored)
{
	struct run r;
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs("ferry-vrfmgr-state 2\nlabel 305 used 0 per-vrf B\n", f);
	fclose(f);
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "," VRF_B "] }");
	cr_assert_eq(vrf_by_name(&r.t, "B")->label, 301);
	run_stop(&r);
	cr_assert_not_null(strstr(slurp(), "label 301 used 0 per-vrf B\n"), "rewritten as v1");
}

Test(state, ce_labels_round_trip)
{
	struct run r;
	const char *json = "{" ROUTER ", \"vrfs\": [ { \"name\": \"C\", \"rd\": \"65000:4\","
			   "  \"export_rts\": [\"65000:4\"], \"label_mode\": \"per-ce\","
			   "  \"interfaces\": [ { \"name\": \"p0\", \"address\": \"10.3.0.1/24\" } ],"
			   "  \"static_routes\": [ " STATIC("10.20.0.0/16", "10.3.0.2") " ] } ] }";

	run_start(&r, json);
	cr_assert_str_eq(slurp(), "ferry-vrfmgr-state 1\n"
				  "vrf 1 C\n"
				  "rd C 65000:4\n"
				  "label 300 used 0 per-ce C p0 0.0.0.0\n"
				  "lfib 300 65000:4 p0 0.0.0.0\n"
				  "label 301 used 0 per-ce C p0 10.3.0.2\n"
				  "lfib 301 65000:4 p0 10.3.0.2\n");
	run_stop(&r);
	run_start(&r, json);
	cr_assert_eq(exp_label(&r.t, "C", "10.20.0.0/16"), 301);
	run_stop(&r);
}

#define TIGHT_ROUTER "\"router\": { \"name\": \"pe9\", \"router_id\": \"10.255.0.9\", \"asn\": 65000," \
		     "  \"label_range\": { \"min\": 300, \"max\": 301 } }"
#define VRF_C "{ \"name\": \"C\", \"rd\": \"65000:5\", \"export_rts\": [\"65000:5\"]," \
	      "  \"interfaces\": [ { \"name\": \"c0\", \"address\": \"10.5.0.1/24\" } ] }"

static int64_t a_minute_on(void)
{
	return (int64_t)time(NULL) + 61;
}

/*
 * C replaces A across a restart, in a range with room for two: A's label is
 * the last run's (held down from the start, remote PEs may still use it),
 * B has the other. vrfmgr starts all the same (it refused to: "no label
 * left") and C gets 300 once A's hold-down is over.
 */
Test(state, a_vrf_replacing_one_across_a_restart_waits_for_its_label)
{
	struct run r;

	run_start(&r, "{" TIGHT_ROUTER ", \"vrfs\": [" VRF_A "," VRF_B "] }");
	run_stop(&r);
	run_start(&r, "{" TIGHT_ROUTER ", \"vrfs\": [" VRF_C "," VRF_B "] }");
	cr_assert_eq(vrf_by_name(&r.t, "B")->label, 301);
	cr_assert_eq(vrf_by_name(&r.t, "C")->label, MPLS_LABEL_NONE, "300 is A's, held down");
	cr_assert_eq(label_lookup(&r.t.labels, 300)->state, LABEL_HELD);
	r.t.labels.clock = a_minute_on;
	vrf_table_labels_tick(&r.t);
	cr_assert_eq(vrf_by_name(&r.t, "C")->label, 300);
	run_stop(&r);
	cr_assert_not_null(strstr(slurp(), "label 300 used 0 per-vrf C\n"));
}

/* The file as a vrfmgr before "lfib" lines wrote it, at the wall clock's now. */
static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * An older vrfmgr's file (no lfib lines) loads as before: the labels in
 * use come back, a held one stays held for the rest of its time but out of
 * fwd (nothing says what it did there). The file written back says what
 * fwd's entries are.
 */
Test(state, a_file_without_lfib_lines_still_loads)
{
	char text[512];
	struct label_entry *e;
	struct run r;

	snprintf(text, sizeof(text),
		 "ferry-vrfmgr-state 1\n"
		 "vrf 1 A\n"
		 "vrf 2 B\n"
		 "label 300 used 0 per-vrf A\n"
		 "label 301 used 0 per-vrf B\n"
		 "label 302 held %lld per-prefix A 10.9.0.0/16\n",
		 (long long)time(NULL) - 10);
	write_file(text);
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "," VRF_B "] }");
	cr_assert_eq(vrf_by_name(&r.t, "A")->label, 300);
	cr_assert_eq(vrf_by_name(&r.t, "B")->label, 301);
	e = label_lookup(&r.t.labels, 302);
	cr_assert(e != NULL && e->state == LABEL_HELD && !e->programmed);
	cr_assert_geq(label_held_for(&r.t.labels, e), 49);
	run_stop(&r);
	cr_assert_not_null(strstr(slurp(), "label 300 used 0 per-vrf A\nlfib 300 65000:1\n"));
	cr_assert_not_null(strstr(slurp(), "per-prefix A 10.9.0.0/16\n"));
	cr_assert_null(strstr(slurp(), "lfib 302"), "302 is not in fwd");
}

/*
 * A damaged lfib line costs that label's entry in fwd, nothing more: the
 * label stays held down (and its key's). An lfib line for a label not
 * loaded is moot; given twice, the first counts.
 */
Test(state, damaged_lfib_lines_are_skipped)
{
	char text[1024];
	long long held = (long long)time(NULL) - 10;
	struct run r;
	struct label_entry *e;
	uint32_t gw;

	snprintf(text, sizeof(text),
		 "ferry-vrfmgr-state 1\n"
		 "vrf 1 A\n"
		 "label 300 used 0 per-vrf A\n"
		 "lfib 300 65000:1 a0 10.1.0.2\n"            /* per-vrf popping to a CE */
		 "label 302 held %lld per-prefix A 10.9.0.0/16\n"
		 "lfib 302 65000 a0 10.1.0.2\n"              /* not an RD */
		 "label 303 held %lld per-ce A a0 10.1.0.2\n"
		 "lfib 303 65000:1\n"                        /* per-ce without its CE */
		 "label 304 held %lld per-prefix A 10.8.0.0/16\n"
		 "lfib 304 65000:1 a0 10.1.0.3\n"
		 "lfib 304 65000:1 a0 10.1.0.4\n"            /* twice: the first counts */
		 "label 305 held %lld per-prefix A 10.7.0.0/16\n"
		 "lfib 305 65000:1 a0 10.1.0.300\n"          /* not an address */
		 "label 306 held %lld per-prefix A 10.6.0.0/16\n"
		 "lfib 306 65000:1 a0 10.1.0.2 extra\n"      /* a word too many */
		 "lfib 399 65000:1\n",                       /* no label 399: moot */
		 held, held, held, held, held);
	write_file(text);
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "] }");
	cr_assert_eq(vrf_by_name(&r.t, "A")->label, 300);
	for (uint32_t l = 302; l <= 306; l++) {
		e = label_lookup(&r.t.labels, l);
		cr_assert(e != NULL && e->state == LABEL_HELD, "label %u still held down", l);
		cr_assert_eq(e->programmed, l == 304, "label %u", l);
	}
	e = label_lookup(&r.t.labels, 304);
	cr_assert_eq(ipv4_parse("10.1.0.3", &gw), 0);
	cr_assert_eq(e->nh->ipc.gateway, gw, "popping to the first line's CE");
	cr_assert_str_eq(e->nh->ipc.ifname, "a0");
	run_stop(&r);
	cr_assert_not_null(strstr(slurp(), "lfib 304 65000:1 a0 10.1.0.3\n"));
}

#define VRF_AB "{ \"name\": \"Ab\", \"rd\": \"65000:5\", \"export_rts\": [\"65000:5\"]," \
	       "  \"interfaces\": [ { \"name\": \"c0\", \"address\": \"10.5.0.1/24\" } ] }"

/*
 * A file cut short (its last line without its newline, which vrfmgr ends
 * every line with) can read as another line: "per-vrf Ab" cut to
 * "per-vrf A" gives Ab's label, which remote PEs send for Ab's routes, to
 * A (added since). That line is skipped: A gets a label of its own.
 */
Test(state, a_line_cut_short_at_the_end_of_the_file_is_skipped)
{
	struct run r;

	write_file("ferry-vrfmgr-state 1\n"
		   "vrf 1 Ab\n"
		   "label 300 used 0 per-vrf A"); /* was "per-vrf Ab\n" */
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_AB "," VRF_A "] }");
	cr_assert_neq(vrf_by_name(&r.t, "A")->label, 300, "A took Ab's label from a cut line");
	run_stop(&r);
}

/*
 * A line longer than any vrfmgr writes is skipped whole, not read as two:
 * the words past the reader's buffer are no line of their own.
 */
Test(state, an_overlong_line_is_skipped_whole)
{
	char text[2048];
	long long held = (long long)time(NULL) - 10;
	struct run r;
	int n;

	n = snprintf(text, sizeof(text),
		     "ferry-vrfmgr-state 1\n"
		     "vrf 1 A\n"
		     "label 302 held %lld per-prefix A 10.9.0.0/16",
		     held);
	memset(text + n, ' ', 600);
	snprintf(text + n + 600, sizeof(text) - (size_t)n - 600,
		 "lfib 302 65000:1 a0 10.1.0.2\n"
		 "label 303 held %lld per-prefix A 10.8.0.0/16\n",
		 held);
	write_file(text);
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "] }");
	cr_assert_null(label_lookup(&r.t.labels, 302), "a part of an overlong line was loaded");
	cr_assert_not_null(label_lookup(&r.t.labels, 303), "the line after it was lost");
	run_stop(&r);
}

/* A, now with RD 65000:9: a VRF re-created under A's name (a new tenant, maybe). */
#define VRF_A9 "{ \"name\": \"A\", \"rd\": \"65000:9\", \"export_rts\": [\"65000:9\"]," \
	       "  \"interfaces\": [ { \"name\": \"a0\", \"address\": \"10.1.0.1/24\" } ] }"
#define VRF_A8 "{ \"name\": \"A\", \"rd\": \"65000:8\", \"export_rts\": [\"65000:8\"]," \
	       "  \"interfaces\": [ { \"name\": \"a0\", \"address\": \"10.1.0.1/24\" } ] }"

/* Label l is held down, retired (never claimed again), out of fwd. */
static void assert_retired(struct vrf_table *t, uint32_t l)
{
	const struct label_entry *e = label_lookup(&t->labels, l);

	cr_assert_not_null(e, "label %u is free", l);
	cr_assert(e->state == LABEL_HELD && !e->programmed, "label %u", l);
	cr_assert(label_key_retired(&e->key), "label %u may be claimed again", l);
}

/*
 * vrfmgr restarts into a config where A has another RD: the new A gets a
 * new label; the old A's stays reserved (given to nothing) through the
 * hold-down, also across a second restart, and is free after it. The file
 * says A's RD, and that the old label is retired.
 */
Test(state, a_restart_with_another_rd_gives_the_vrf_a_new_label)
{
	const char *json = "{" ROUTER ", \"vrfs\": [" VRF_A9 "," VRF_B "] }";
	char want[64];
	struct run r;

	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "," VRF_B "] }");
	cr_assert_not_null(strstr(slurp(), "rd A 65000:1\n"));
	run_stop(&r);
	run_start(&r, json);
	cr_assert_eq(vrf_by_name(&r.t, "A")->label, 302, "300 was the old A's");
	cr_assert_eq(vrf_by_name(&r.t, "B")->label, 301);
	assert_retired(&r.t, 300);
	snprintf(want, sizeof(want), "label 300 retired %lld per-vrf A\n",
		 (long long)label_lookup(&r.t.labels, 300)->since);
	cr_assert_not_null(strstr(slurp(), want), "%s", slurp());
	cr_assert_not_null(strstr(slurp(), "rd A 65000:9\n"));
	cr_assert_not_null(strstr(slurp(), "label 302 used 0 per-vrf A\nlfib 302 65000:9\n"));
	run_stop(&r);
	run_start(&r, json);
	cr_assert_eq(vrf_by_name(&r.t, "A")->label, 302);
	assert_retired(&r.t, 300);
	r.t.labels.clock = a_minute_on;
	vrf_table_labels_tick(&r.t);
	cr_assert_null(label_lookup(&r.t.labels, 300), "free once its hold-down is over");
	run_stop(&r);
	cr_assert_null(strstr(slurp(), "label 300 "));
}

/* With the same RD it is the same VRF: its label back across the restart, nothing retired. */
Test(state, a_restart_with_the_same_rd_keeps_the_label)
{
	struct run r;

	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "," VRF_B "] }");
	run_stop(&r);
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "," VRF_B "] }");
	cr_assert_eq(vrf_by_name(&r.t, "A")->label, 300);
	run_stop(&r);
	cr_assert_null(strstr(slurp(), "retired"));
}

/*
 * A is gone at one restart (its label held down), back under its name at
 * the next: with another RD it is another VRF and gets a new label (the
 * file kept the RD of the A that left); with its RD, its label.
 */
Test(state, a_vrf_gone_and_back_with_another_rd_gets_a_new_label)
{
	struct run r;

	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "," VRF_B "] }");
	run_stop(&r);
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_B "] }");
	cr_assert_not_null(strstr(slurp(), "rd A 65000:1\n"), "A's RD, A being gone");
	run_stop(&r);
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A9 "," VRF_B "] }");
	cr_assert_eq(vrf_by_name(&r.t, "A")->label, 302);
	assert_retired(&r.t, 300);
	run_stop(&r);
}

Test(state, a_vrf_gone_and_back_with_its_rd_gets_its_label)
{
	struct run r;

	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "," VRF_B "] }");
	run_stop(&r);
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_B "] }");
	run_stop(&r);
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "," VRF_B "] }");
	cr_assert_eq(vrf_by_name(&r.t, "A")->label, 300);
	run_stop(&r);
}

/*
 * A re-created twice within one hold-down (65000:1, :9, :8): both
 * predecessors' labels are retired, under the same name; both load again
 * after a restart and stay given to nothing.
 */
Test(state, a_vrf_re_created_twice_keeps_both_old_labels_reserved)
{
	const char *json = "{" ROUTER ", \"vrfs\": [" VRF_A8 "," VRF_B "] }";
	struct run r;

	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A "," VRF_B "] }");
	run_stop(&r);
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A9 "," VRF_B "] }");
	run_stop(&r);
	run_start(&r, json);
	cr_assert_eq(vrf_by_name(&r.t, "A")->label, 303);
	assert_retired(&r.t, 300);
	assert_retired(&r.t, 302);
	run_stop(&r);
	run_start(&r, json);
	cr_assert_eq(vrf_by_name(&r.t, "A")->label, 303);
	assert_retired(&r.t, 300);
	assert_retired(&r.t, 302);
	run_stop(&r);
}

/*
 * A file from before rd lines: a VRF's RD is the one its lfib lines give
 * (A: 65000:1, re-created with 65000:9 since: a new label). A VRF with no
 * lfib line either (B: its label held, out of fwd) keeps its label, as
 * before: nothing says its RD changed.
 */
Test(state, an_older_file_gives_the_rd_in_its_lfib_lines)
{
	char text[512];
	struct run r;

	snprintf(text, sizeof(text),
		 "ferry-vrfmgr-state 1\n"
		 "vrf 1 A\n"
		 "vrf 2 B\n"
		 "label 300 used 0 per-vrf A\n"
		 "lfib 300 65000:1\n"
		 "label 301 held %lld per-vrf B\n",
		 (long long)time(NULL) - 10);
	write_file(text);
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A9 "," VRF_B "] }");
	cr_assert_eq(vrf_by_name(&r.t, "A")->label, 302);
	assert_retired(&r.t, 300);
	cr_assert_eq(vrf_by_name(&r.t, "B")->label, 301);
	run_stop(&r);
}

/* Damaged rd and retired lines cost those lines only. */
Test(state, damaged_rd_and_retired_lines_are_skipped)
{
	char text[768];
	long long held = (long long)time(NULL) - 10;
	struct run r;

	snprintf(text, sizeof(text),
		 "ferry-vrfmgr-state 1\n"
		 "vrf 1 A\n"
		 "vrf 2 B\n"
		 "rd A 65000\n"                              /* not an RD: A's RD unknown */
		 "rd B\n"                                    /* no RD */
		 "rd Bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 65000:2\n" /* name too long */
		 "label 300 used 0 per-vrf A\n"
		 "label 301 used 0 per-vrf B\n"
		 "label 302 retired %lld per-vrf A\n"
		 "label 303 retired %lld per-vrf A\n"        /* the same retired key: fine */
		 "label 304 retired x per-vrf A\n"           /* not a time */
		 "label 305 retired 0 per-ce A a0\n",        /* truncated */
		 held, held);
	write_file(text);
	run_start(&r, "{" ROUTER ", \"vrfs\": [" VRF_A9 "," VRF_B "] }");
	cr_assert_eq(vrf_by_name(&r.t, "A")->label, 300, "no word on A's RD: as before");
	cr_assert_eq(vrf_by_name(&r.t, "B")->label, 301);
	assert_retired(&r.t, 302);
	assert_retired(&r.t, 303);
	cr_assert_geq(label_held_for(&r.t.labels, label_lookup(&r.t.labels, 302)), 49);
	cr_assert_null(label_lookup(&r.t.labels, 304));
	cr_assert_null(label_lookup(&r.t.labels, 305));
	run_stop(&r);
}
