/*
 * The state file (state.h). Text, so an operator can read what vrfmgr will
 * come back with:
 *
 *   ferry-vrfmgr-state 1
 *   vrf 1 A
 *   label 100 used 0 per-vrf A
 *   label 102 used 0 per-ce A ce-a1 10.1.1.2
 *   label 103 held 1764230000 per-prefix A 192.168.7.0/24
 *
 * Loading trusts nothing: every field is parsed and checked, a bad line is
 * skipped (and logged) rather than stopping vrfmgr, since the worst a lost
 * line does is give one route a new label.
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

/* "label N used|held SINCE KIND VRF ..." */
static int label_line(struct label_alloc *la, char *const *w, int nw)
{
	struct label_key k;
	uint32_t label, since;
	enum label_state st;
	int rc;

	if (nw < 6 || u32_parse(w[1], MPLS_LABEL_MAX, &label) < 0 ||
	    u32_parse(w[3], UINT32_MAX, &since) < 0 || key_parse(w + 4, nw - 4, &k) < 0)
		return -EINVAL;
	if (strcmp(w[2], "used") == 0)
		st = LABEL_RESERVED;
	else if (strcmp(w[2], "held") == 0)
		st = LABEL_HELD;
	else
		return -EINVAL;
	rc = label_restore(la, label, &k, st, since);
	/* Outside a range that changed since: simply not ours any more. */
	return rc == -ERANGE ? 0 : rc;
}

static int vrf_line(struct state_vrf_id **ids, size_t *n, char *const *w, int nw)
{
	struct state_vrf_id *v;
	uint32_t id;

	if (nw != 3 || u32_parse(w[1], UINT32_MAX, &id) < 0 || id == 0 ||
	    strlen(w[2]) >= sizeof(v->name))
		return -EINVAL;
	v = realloc(*ids, (*n + 1) * sizeof(**ids));
	if (v == NULL)
		return -ENOMEM;
	*ids = v;
	v += (*n)++;
	memset(v, 0, sizeof(*v));
	v->id = id;
	memcpy(v->name, w[2], strlen(w[2]) + 1);
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

static int state_parse(FILE *f, const char *path, struct label_alloc *la,
		       struct state_vrf_id **ids, size_t *n_ids)
{
	char line[512], *w[8];
	unsigned lineno = 0, bad = 0;
	int nw, rc;

	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		nw = split(line, w, 8);
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
		if (nw > 8)
			rc = -EINVAL;
		else if (strcmp(w[0], "label") == 0)
			rc = label_line(la, w, nw);
		else if (strcmp(w[0], "vrf") == 0)
			rc = vrf_line(ids, n_ids, w, nw);
		else
			rc = -EINVAL;
		if (rc == -ENOMEM)
			return rc;
		if (rc < 0 && bad++ < 5)
			log_warnx("%s: line %u skipped (%s)", path, lineno,
				  rc == -EEXIST ? "label or key given twice" : "malformed");
	}
	return ferror(f) ? -EIO : 0;
}

int state_load(const char *path, struct label_alloc *la, struct state_vrf_id **ids,
	       size_t *n_ids)
{
	FILE *f = fopen(path, "r");
	int rc;

	*ids = NULL;
	*n_ids = 0;
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		log_warn("cannot read %s", path);
		return rc;
	}
	rc = state_parse(f, path, la, ids, n_ids);
	fclose(f);
	if (rc < 0)
		log_warnx("%s: %s", path, strerror(-rc));
	/* What was just loaded is what the file says: nothing to write back yet. */
	la->dirty = false;
	return rc;
}

static void key_write(FILE *f, const struct label_key *k)
{
	char b[PREFIX4_STRLEN];

	fprintf(f, "%s %s", kinds[k->kind], k->vrf);
	if (k->kind == LABEL_KIND_CE)
		fprintf(f, " %s %s", k->ifname, ipv4_format(k->gateway, b));
	else if (k->kind == LABEL_KIND_PREFIX)
		fprintf(f, " %s", prefix4_format(&k->prefix, b));
	fputc('\n', f);
}

static void state_write(FILE *f, const struct vrf_table *t)
{
	const struct label_alloc *la = &t->labels;

	fprintf(f, "%s %d\n", STATE_MAGIC, STATE_VERSION);
	for (size_t i = 0; i < t->n_vrfs; i++)
		if (t->vrfs[i].cfg != NULL)
			fprintf(f, "vrf %u %s\n", t->vrfs[i].id, t->vrfs[i].cfg->name);
	for (size_t i = 0; i < la->n; i++) {
		const struct label_entry *e = la->v[i];

		if (e->key.kind < LABEL_KIND_VRF || e->key.kind > LABEL_KIND_PREFIX)
			continue;
		/* A reserved label was in use before the restart: still "used" until released. */
		fprintf(f, "label %u %s %" PRId64 " ", e->label,
			e->state == LABEL_HELD ? "held" : "used",
			e->state == LABEL_HELD ? e->since : (int64_t)0);
		key_write(f, &e->key);
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
