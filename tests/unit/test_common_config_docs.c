/*
 * docs/config.md against the loader: every key each object of the file
 * accepts is in the reference (a row of its table with a type and a default,
 * or a key of the inline object its row shows), and every key the reference
 * lists is one the loader accepts. The loader's own list comes from its
 * refusal of an unknown key ("unknown key (want one of a, b, c)"), so a key
 * added to an allowed-keys list without a line in the docs fails here.
 * Run from the repository's top directory, as every unit test is.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "test_common_config.h"

#define DOC "docs/config.md"
#define MAXK 32
#define KEYLEN 32

struct keys {
	size_t n;
	char k[MAXK][KEYLEN];
};

static void keys_add(struct keys *ks, const char *s, size_t len)
{
	cr_assert(ks->n < MAXK && len > 0 && len < KEYLEN, "key \"%.*s\"", (int)len, s);
	memcpy(ks->k[ks->n], s, len);
	ks->k[ks->n++][len] = '\0';
}

static bool keys_has(const struct keys *ks, const char *k)
{
	for (size_t i = 0; i < ks->n; i++)
		if (strcmp(ks->k[i], k) == 0)
			return true;
	return false;
}

/* The keys the loader accepts where json puts "zz_unknown". */
static struct keys parser_keys(const char *json)
{
	static const char want[] = "unknown key (want one of ";
	struct ferry_config cfg;
	struct keys ks = { 0 };
	char err[1024];
	const char *p, *end;

	cr_assert_eq(config_load_string(json, "t.json", &cfg, err, sizeof(err)), -1, "%s", json);
	p = strstr(err, want);
	cr_assert_not_null(p, "no key list in: %s", err);
	p += sizeof(want) - 1;
	end = strchr(p, ')');
	cr_assert_not_null(end, "%s", err);
	while (p < end) {
		size_t len = strcspn(p, ",)");
		keys_add(&ks, p, len);
		p += len;
		p += strspn(p, ", ");
	}
	return ks;
}

static char *doc_text(void)
{
	FILE *f = fopen(DOC, "r");
	static char buf[256 * 1024];
	size_t n;

	cr_assert_not_null(f, "cannot open %s (run from the repository's top directory)", DOC);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Start of the nth (from 0) key table after heading, or NULL. */
static const char *doc_table(const char *doc, const char *heading, int nth)
{
	const char *p = strstr(doc, heading), *next;

	cr_assert_not_null(p, "%s: no heading \"%s\"", DOC, heading);
	next = strstr(p + 1, "\n## ");
	for (int i = 0; (p = strstr(p, "\n| key |")) != NULL; i++, p++) {
		if (next && p > next)
			return NULL;
		if (i == nth)
			return p + 1;
	}
	return NULL;
}

/* Copies cell col (from 0) of the table row at line into out. */
static void row_cell(const char *line, int col, char *out, size_t len)
{
	const char *p = line + 1, *end;
	size_t n;

	for (int i = 0; i < col; i++) {
		p = strchr(p, '|');
		cr_assert(p && p < strchr(line, '\n'), "row has no column %d: %.60s", col, line);
		p++;
	}
	end = strchr(p, '|');
	cr_assert_not_null(end);
	p += strspn(p, " ");
	n = (size_t)(end - p);
	while (n > 0 && p[n - 1] == ' ')
		n--;
	cr_assert_lt(n, len);
	memcpy(out, p, n);
	out[n] = '\0';
}

/* The rows of a key table: their keys, each row with a type and a default. */
static struct keys table_keys(const char *table, const char *where)
{
	struct keys ks = { 0 };
	char key[64], type[4096], dflt[4096];
	const char *line = strchr(table, '\n') + 1; /* past the header */

	line = strchr(line, '\n') + 1; /* past |---| */
	for (; line[0] == '|'; line = strchr(line, '\n') + 1) {
		row_cell(line, 0, key, sizeof(key));
		row_cell(line, 1, type, sizeof(type));
		row_cell(line, 2, dflt, sizeof(dflt));
		cr_assert(key[0] == '`' && key[strlen(key) - 1] == '`', "%s: key cell %s", where, key);
		cr_assert(type[0] != '\0' && dflt[0] != '\0', "%s: %s has no type or default", where,
			  key);
		keys_add(&ks, key + 1, strlen(key) - 2);
	}
	return ks;
}

/* The row of key in a table (its start), failing when there is none. */
static const char *table_row(const char *table, const char *key)
{
	char want[KEYLEN + 8];
	const char *p;

	snprintf(want, sizeof(want), "\n| `%s` |", key);
	p = strstr(table, want);
	cr_assert_not_null(p, "%s: no row for %s", DOC, key);
	return p + 1;
}

/* The quoted keys of the first { ... } on a table row: { "min", "max" }. */
static struct keys inline_keys(const char *row)
{
	struct keys ks = { 0 };
	const char *p = strchr(row, '{'), *end;

	cr_assert(p && p < strchr(row, '\n'), "no { ... } on row %.60s", row);
	end = strchr(p, '}');
	for (p = strchr(p, '"'); p && p < end; p = strchr(p, '"')) {
		const char *q = strchr(p + 1, '"');
		const char *after = q + 1 + strspn(q + 1, " ");

		if (*after == ':' || *after == ',' || *after == '}')
			keys_add(&ks, p + 1, (size_t)(q - p - 1));
		p = q + 1;
	}
	return ks;
}

static void same_keys(const struct keys *parser, const struct keys *doc, const char *where)
{
	for (size_t i = 0; i < parser->n; i++)
		cr_expect(keys_has(doc, parser->k[i]), "%s: the loader takes %s; %s does not list it",
			  where, parser->k[i], DOC);
	for (size_t i = 0; i < doc->n; i++)
		cr_expect(keys_has(parser, doc->k[i]), "%s: %s lists %s; the loader refuses it",
			  where, DOC, doc->k[i]);
	cr_expect_eq(parser->n, doc->n, "%s: %zu keys in the loader, %zu in %s", where, parser->n,
		     doc->n, DOC);
}

#define Z "\"zz_unknown\":1"
#define NB "{\"address\":\"10.255.0.2\",\"remote_as\":1"

/* an object of the file: where an unknown key is put, and its table in the docs */
struct object_case {
	const char *where, *json, *heading;
	int nth;
};

static const struct object_case objects[] = {
	{ "top level", "{" R "," Z "}", "## Top level", 0 },
	{ "router", "{\"router\":{\"name\":\"p\",\"router_id\":\"1.1.1.1\",\"asn\":1," Z "}}",
	  "## `router`", 0 },
	{ "bgp", "{" R ",\"bgp\":{" Z "}}", "## `bgp`", 0 },
	{ "a neighbor", "{" R ",\"bgp\":{\"neighbors\":[" NB "," Z "}]}}", "## `bgp`", 1 },
	{ "a VRF", "{" R ",\"vrfs\":[" VRF_A "," Z "}]}", "## `vrfs`", 0 },
	{ "a static route", "{" R ",\"vrfs\":[" VRF_A ",\"static_routes\":[{" Z "}]}]}",
	  "## `vrfs`", 1 },
	{ "an LSP", "{" R ",\"lsps\":[{" Z "}]}", "## `lsps`", 0 },
	{ "fwd", "{" R ",\"fwd\":{" Z "}}", "## `fwd`", 0 },
	{ "an LFIB entry", "{" R ",\"fwd\":{\"mode\":\"lsr\",\"lfib\":[{" Z "}]}}", "## `fwd`", 1 },
	{ "api", "{" R ",\"api\":{" Z "}}", "## `api`", 0 },
};

/* an object shown inline on its parent's row: { "min", "max" } */
struct inline_case {
	const char *where, *json, *heading;
	int nth;
	const char *row;
};

static const struct inline_case inlines[] = {
	{ "router.label_range",
	  "{\"router\":{\"name\":\"p\",\"router_id\":\"1.1.1.1\",\"asn\":1,\"label_range\":{" Z "}}}",
	  "## `router`", 0, "label_range" },
	{ "bgp.graceful_restart", "{" R ",\"bgp\":{\"graceful_restart\":{" Z "}}}", "## `bgp`", 0,
	  "graceful_restart" },
	{ "a neighbor's max_prefix",
	  "{" R ",\"bgp\":{\"neighbors\":[" NB ",\"max_prefix\":{" Z "}}]}}", "## `bgp`", 1,
	  "max_prefix" },
	{ "a VRF's interface", "{" R ",\"vrfs\":[{\"name\":\"A\",\"rd\":\"1:1\",\"interfaces\":[{" Z
	  "}]}]}", "## `vrfs`", 0, "interfaces" },
	{ "a core interface", "{" R ",\"fwd\":{\"core_interfaces\":[{" Z "}]}}", "## `fwd`", 0,
	  "core_interfaces" },
	{ "api.ports", "{" R ",\"api\":{\"ports\":{" Z "}}}", "## `api`", 0, "ports" },
	{ "api.tls", "{" R ",\"api\":{\"tls\":{" Z "}}}", "## `api`", 0, "tls" },
};

Test(config_docs, every_object_table_matches_the_loader)
{
	const char *doc = doc_text();

	for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
		const struct object_case *o = &objects[i];
		const char *table = doc_table(doc, o->heading, o->nth);
		struct keys parser = parser_keys(o->json), documented;

		cr_assert_not_null(table, "%s: no key table %d under %s", o->where, o->nth,
				   o->heading);
		documented = table_keys(table, o->where);
		same_keys(&parser, &documented, o->where);
	}
}

Test(config_docs, every_inline_object_matches_the_loader)
{
	const char *doc = doc_text();

	for (size_t i = 0; i < sizeof(inlines) / sizeof(inlines[0]); i++) {
		const struct inline_case *c = &inlines[i];
		const char *table = doc_table(doc, c->heading, c->nth);
		struct keys parser = parser_keys(c->json), documented;

		cr_assert_not_null(table, "%s: no key table under %s", c->where, c->heading);
		documented = inline_keys(table_row(table, c->row));
		same_keys(&parser, &documented, c->where);
	}
}

/* The checker itself: a key the docs lack is found (not a pass by accident). */
Test(config_docs, a_missing_key_is_noticed)
{
	struct keys parser = parser_keys("{" R ",\"api\":{\"tls\":{" Z "}}}");
	struct keys documented = inline_keys("| `tls` | object { \"cert\" } | none | x |\n");

	cr_assert_eq(parser.n, 2);
	cr_assert(keys_has(&parser, "key") && !keys_has(&documented, "key"));
}
