/*
 * The state file (state.h). Text, so an operator can read what vrfmgr will
 * come back with:
 *
 *   ferry-vrfmgr-state 1
 *   vrf 1 A
 *   rd A 10.255.0.1:100
 *   rd C 10.255.0.1:300
 *   label 100 used 0 per-vrf A
 *   lfib 100 10.255.0.1:100
 *   label 101 retired 1764229990 per-vrf A
 *   label 102 used 0 per-ce A ce-a1 10.1.1.2
 *   lfib 102 10.255.0.1:100 ce-a1 10.1.1.2
 *   label 103 held 1764230000 per-prefix A 192.168.7.0/24
 *   lfib 103 10.255.0.1:100 ce-a1 10.1.1.2
 *   label 104 held 1764230000 per-vrf C
 *
 * An "lfib" line follows the label line of each label fwd has an entry
 * for: the RD of its VRF (pop and look up there, per-vrf) and, per-CE and
 * per-prefix, the link and CE it pops to (0.0.0.0: a connected next hop).
 * Its own line, not more words on the label line, so that a file without
 * them (an older vrfmgr's) loads as before, and an older vrfmgr given this
 * one skips only these lines.
 *
 * An "rd" line gives the RD of each VRF name with labels: every VRF's, and
 * that of a VRF gone (C) whose labels are still held down. A restart into
 * a config where the name has another RD is a re-creation: the name's
 * labels are retired (label.h), never the new VRF's. A "retired" label
 * (101: an earlier A's, A re-created since) is held down like a "held"
 * one but claimed by nothing (since 0: it was reserved, held from the
 * start). A file without rd lines (an older vrfmgr's) takes a VRF's RD
 * from its lfib lines; one with none is taken for the same VRF, as
 * before. An older vrfmgr skips rd and retired lines (logged), which
 * frees the retired labels.
 *
 * Loading trusts nothing: every field is parsed and checked, a bad line is
 * skipped (and logged) rather than stopping vrfmgr, since the worst a lost
 * line does is give one route a new label, or leave a held label out of fwd.
 * So is a line not read whole (too long, or cut short by the file's end):
 * part of a line can read as another one.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/label.h"
#include "common/log.h"
#include "vrfmgr/state.h"
#include "vrfmgr/vrf.h"

#define STATE_MAGIC "ferry-vrfmgr-state"
#define STATE_VERSION 1

static const char *const kinds[] = { [LABEL_KIND_VRF] = "per-vrf", [LABEL_KIND_CE] = "per-ce",
				     [LABEL_KIND_PREFIX] = "per-prefix" };

static int kind_parse(const char *s)
{
	for (int k = LABEL_KIND_VRF; k <= LABEL_KIND_PREFIX; k++)
		if (strcmp(s, kinds[k]) == 0)
			return k;
	return -1;
}

/* "per-ce A ce-a1 10.1.1.2" and the like, from the words after the state. */
static int key_parse(char *const *w, int nw, struct label_key *k)
{
	int kind = nw >= 2 ? kind_parse(w[0]) : -1;
	struct prefix4 p;
	uint32_t gw;

	if (kind < 0 || strlen(w[1]) >= sizeof(k->vrf))
		return -1;
	switch (kind) {
	case LABEL_KIND_VRF:
		if (nw != 2)
			return -1;
		label_key_vrf(k, w[1]);
		return 0;
	case LABEL_KIND_CE:
		if (nw != 4 || strlen(w[2]) >= sizeof(k->ifname) || ipv4_parse(w[3], &gw) < 0)
			return -1;
		label_key_ce(k, w[1], w[2], gw);
		return 0;
	default:
		if (nw != 3 || prefix4_parse(w[2], &p) < 0)
			return -1;
		label_key_prefix(k, w[1], &p);
		return 0;
	}
}

static int u32_parse(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* "label N used|held|retired SINCE KIND VRF ..." */
static int label_line(struct label_alloc *la, char *const *w, int nw)
{
	struct label_key k;
	uint32_t label, since;
	enum label_state st;
	int rc;

	if (nw < 6 || u32_parse(w[1], MPLS_LABEL_MAX, &label) < 0 ||
	    u32_parse(w[3], UINT32_MAX, &since) < 0 || key_parse(w + 4, nw - 4, &k) < 0)
		return -EINVAL;
	if (strcmp(w[2], "used") == 0) {
		st = LABEL_RESERVED;
	} else if (strcmp(w[2], "held") == 0) {
		st = LABEL_HELD;
	} else if (strcmp(w[2], "retired") == 0) {
		/* 0: reserved when it was retired, held down from the start like the others */
		st = since != 0 ? LABEL_HELD : LABEL_RESERVED;
		k.kind |= LABEL_KIND_RETIRED;
	} else {
		return -EINVAL;
	}
	rc = label_restore(la, label, &k, st, since);
	/* Outside a range that changed since: simply not ours any more. */
	return rc == -ERANGE ? 0 : rc;
}

/* "rd NAME RD": the RD under which the VRF named NAME had its labels. */
static int rd_line(struct label_alloc *la, char *const *w, int nw)
{
	struct rd rd;

	if (nw != 3 || strlen(w[1]) >= CFG_NAME_MAX || rd_parse(w[2], &rd) < 0)
		return -EINVAL;
	label_vrf_left(la, w[1], &rd);
	return 0;
}

static int vrf_line(struct state_loaded *out, char *const *w, int nw)
{
	struct state_vrf_id *v;
	uint32_t id;

	if (nw != 3 || u32_parse(w[1], UINT32_MAX, &id) < 0 || id == 0 ||
	    strlen(w[2]) >= sizeof(v->name))
		return -EINVAL;
	v = realloc(out->ids, (out->n_ids + 1) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	out->ids = v;
	v += out->n_ids++;
	memset(v, 0, sizeof(*v));
	v->id = id;
	memcpy(v->name, w[2], strlen(w[2]) + 1);
	return 0;
}

/*
 * "lfib N RD" (per-vrf) or "lfib N RD IFNAME GATEWAY": label N's LFIB
 * entry, after N's label line. A label not loaded (its line damaged, said
 * there; outside the range; its hold-down over) makes it moot. Given twice
 * (a hand edit), vrf_label_restore tries each in turn until one holds.
 */
static int lfib_line(const struct label_alloc *la, struct state_loaded *out, char *const *w,
		     int nw)
{
	struct state_lfib m = { 0 }, *v;
	const struct label_entry *e;

	if ((nw != 3 && nw != 5) || u32_parse(w[1], MPLS_LABEL_MAX, &m.label) < 0 ||
	    rd_parse(w[2], &m.rd) < 0)
		return -EINVAL;
	if (nw == 5) {
		if (strlen(w[3]) >= sizeof(m.ifname) || ipv4_parse(w[4], &m.gateway) < 0)
			return -EINVAL;
		memcpy(m.ifname, w[3], strlen(w[3]) + 1);
	}
	if ((e = label_lookup(la, m.label)) == NULL)
		return 0;
	/* pop and look up (per-vrf) or pop to a CE (the others): nothing else */
	if ((label_key_kind(&e->key) == LABEL_KIND_VRF) != (nw == 3))
		return -EINVAL;
	/* Doubling: a per-prefix PE has a line per exported prefix. */
	if (out->n_lfib == out->lfib_cap) {
		size_t cap = out->lfib_cap ? out->lfib_cap * 2 : 64;

		if ((v = realloc(out->lfib, cap * sizeof(*v))) == NULL)
			return -ENOMEM;
		out->lfib = v;
		out->lfib_cap = cap;
	}
	out->lfib[out->n_lfib++] = m;
	return 0;
}

static int split(char *line, char **w, int max)
{
	int n = 0;
	char *save = NULL, *tok;

	for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL && n < max;
	     tok = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = tok;
	return tok != NULL ? max + 1 : n;
}

/*
 * One line of f into buf, without its newline: 1, 0 at the end of the
 * file, or -1 for a line whose words cannot be trusted: longer than buf
 * (the rest of it is read and dropped, not taken for a line of its own),
 * holding a NUL, or cut short by the end of the file (vrfmgr ends every
 * line it writes with a newline; "per-vrf Ab" cut to "per-vrf A" would
 * give Ab's label to A).
 */
static int line_read(FILE *f, char *buf, size_t size)
{
	size_t n = 0;
	bool whole = true;
	int ch;

	while ((ch = getc(f)) != EOF && ch != '\n') {
		if (ch == '\0' || n + 1 >= size)
			whole = false;
		else
			buf[n++] = (char)ch;
	}
	buf[n] = '\0';
	if (ch == EOF && n == 0 && whole)
		return 0;
	return whole && ch != EOF ? 1 : -1;
}

static int state_parse(FILE *f, const char *path, struct label_alloc *la,
		       struct state_loaded *out)
{
	char line[512], *w[8];
	unsigned lineno = 0, bad = 0;
	int nw, rc;

	while ((rc = line_read(f, line, sizeof(line))) != 0) {
		lineno++;
		nw = rc < 0 ? -1 : split(line, w, 8);
		if (lineno == 1) {
			if (nw != 2 || strcmp(w[0], STATE_MAGIC) != 0 ||
			    strcmp(w[1], "1") != 0) {
				log_warnx("%s: not a version %d state file; starting afresh", path,
					  STATE_VERSION);
				return 0;
			}
			continue;
		}
		if (nw == 0)
			continue;
		if (nw < 0)
			rc = -EBADMSG;
		else if (nw > 8)
			rc = -EINVAL;
		else if (strcmp(w[0], "label") == 0)
			rc = label_line(la, w, nw);
		else if (strcmp(w[0], "lfib") == 0)
			rc = lfib_line(la, out, w, nw);
		else if (strcmp(w[0], "vrf") == 0)
			rc = vrf_line(out, w, nw);
		else if (strcmp(w[0], "rd") == 0)
			rc = rd_line(la, w, nw);
		else
			rc = -EINVAL;
		if (rc == -ENOMEM)
			return rc;
		if (rc < 0 && bad++ < 5)
			log_warnx("%s: line %u skipped (%s)", path, lineno,
				  rc == -EEXIST ? "label or key given twice"
				  : rc == -EBADMSG
					  ? "incomplete: over 511 characters, a NUL, or no "
					    "newline at the end of the file"
					  : "malformed");
	}
	return ferror(f) ? -EIO : 0;
}

/*
 * A file without rd lines (an older vrfmgr's): a VRF's RD is the one its
 * labels' LFIB entries popped into. A VRF with neither is taken for the
 * same one (its labels come back, as they did before rd lines).
 */
static void rds_from_lfib(struct label_alloc *la, const struct state_loaded *s)
{
	for (size_t i = 0; i < s->n_lfib; i++) {
		const struct label_entry *e = label_lookup(la, s->lfib[i].label);

		if (e != NULL && !label_key_retired(&e->key) &&
		    label_vrf_left_rd(la, e->key.vrf) == NULL)
			label_vrf_left(la, e->key.vrf, &s->lfib[i].rd);
	}
}

int state_load(const char *path, struct label_alloc *la, struct state_loaded *out)
{
	FILE *f = fopen(path, "r");
	int rc;

	memset(out, 0, sizeof(*out));
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		log_warn("cannot read %s", path);
		return rc;
	}
	rc = state_parse(f, path, la, out);
	fclose(f);
	rds_from_lfib(la, out);
	if (rc < 0)
		log_warnx("%s: %s", path, strerror(-rc));
	/* What was just loaded is what the file says: nothing to write back yet. */
	la->dirty = false;
	return rc;
}

void state_loaded_free(struct state_loaded *s)
{
	free(s->ids);
	free(s->lfib);
	memset(s, 0, sizeof(*s));
}

static void key_write(FILE *f, const struct label_key *k)
{
	char b[PREFIX4_STRLEN];

	fprintf(f, "%s %s", kinds[label_key_kind(k)], k->vrf);
	if (label_key_kind(k) == LABEL_KIND_CE)
		fprintf(f, " %s %s", k->ifname, ipv4_format(k->gateway, b));
	else if (label_key_kind(k) == LABEL_KIND_PREFIX)
		fprintf(f, " %s", prefix4_format(&k->prefix, b));
	fputc('\n', f);
}

/*
 * e's LFIB entry, when fwd has one: its VRF's RD (a programmed label's VRF
 * is there: taking it away takes the entry out) and the CE it pops to.
 */
static void lfib_write(FILE *f, const struct vrf_table *t, const struct label_entry *e)
{
	const struct cfg_vrf *c;
	char rb[RD_STRLEN], ab[IPV4_STRLEN];

	if (!e->programmed || (label_key_kind(&e->key) == LABEL_KIND_VRF) != (e->nh == NULL) ||
	    (c = config_vrf_by_name(t->cfg, e->key.vrf)) == NULL)
		return;
	fprintf(f, "lfib %u %s", e->label, rd_format(&c->rd, rb));
	if (e->nh != NULL)
		fprintf(f, " %s %s", e->nh->ipc.ifname, ipv4_format(e->nh->ipc.gateway, ab));
	fputc('\n', f);
}

struct rds_out {
	FILE *f;
	const struct vrf_table *t;
};

/* A VRF gone, its labels still held down (one there again under its name has its own line). */
static void rd_left_write(void *ctx, const struct label_vrf_rd *l)
{
	const struct rds_out *o = ctx;
	char rb[RD_STRLEN];

	if (config_vrf_by_name(o->t->cfg, l->vrf) == NULL)
		fprintf(o->f, "rd %s %s\n", l->vrf, rd_format(&l->rd, rb));
}

/* Each VRF's RD, and that of each VRF gone whose labels are still held down. */
static void rds_write(FILE *f, const struct vrf_table *t)
{
	struct rds_out o = { f, t };
	char rb[RD_STRLEN];

	for (size_t i = 0; i < t->n_vrfs; i++)
		if (t->vrfs[i].cfg != NULL)
			fprintf(f, "rd %s %s\n", t->vrfs[i].cfg->name,
				rd_format(&t->vrfs[i].cfg->rd, rb));
	label_vrf_left_each(&t->labels, rd_left_write, &o);
}

/* "used" (a reserved label was in use before the restart: still so until released), "held", "retired". */
static const char *state_word(const struct label_entry *e)
{
	if (label_key_retired(&e->key))
		return "retired";
	return e->state == LABEL_HELD ? "held" : "used";
}

static void state_write(FILE *f, const struct vrf_table *t)
{
	const struct label_alloc *la = &t->labels;

	fprintf(f, "%s %d\n", STATE_MAGIC, STATE_VERSION);
	for (size_t i = 0; i < t->n_vrfs; i++)
		if (t->vrfs[i].cfg != NULL)
			fprintf(f, "vrf %u %s\n", t->vrfs[i].id, t->vrfs[i].cfg->name);
	rds_write(f, t);
	for (size_t i = 0; i < la->n; i++) {
		const struct label_entry *e = la->v[i];
		uint32_t kind = label_key_kind(&e->key);

		if (kind < LABEL_KIND_VRF || kind > LABEL_KIND_PREFIX)
			continue;
		fprintf(f, "label %u %s %" PRId64 " ", e->label, state_word(e),
			e->state == LABEL_HELD ? e->since : (int64_t)0);
		key_write(f, &e->key);
		lfib_write(f, t, e);
	}
}

int state_save(const char *path, const struct vrf_table *t)
{
	char tmp[CFG_PATH_MAX + 8];
	FILE *f;
	int fd, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		log_warn("cannot write %s", tmp);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	state_write(f, t);
	if (fflush(f) != 0 || fsync(fd) != 0)
		rc = -errno;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc < 0) {
		log_warnx("cannot save the label state to %s: %s", path, strerror(-rc));
		unlink(tmp);
	}
	return rc;
}
