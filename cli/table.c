/*
 * Aligned text tables from JSON arrays. A table is described by columns
 * (header, key, how to show the value), so adding a command is adding a
 * column list, not formatting code. Cells are formatted once into a matrix
 * so every column can be as wide as its widest cell. A key the daemon did
 * not send shows as "-": ferryctl must keep working against an older or
 * newer daemon.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli/cli.h"

#define CLI_CELL_MAX 512

static const char *fmt_duration(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s >= 86400)
		snprintf(buf, len, "%" PRId64 "d%02d:%02d:%02d", s / 86400, (int)(s % 86400 / 3600),
			 (int)(s % 3600 / 60), (int)(s % 60));
	else
		snprintf(buf, len, "%02d:%02d:%02d", (int)(s / 3600), (int)(s % 3600 / 60),
			 (int)(s % 60));
	return buf;
}

/* Plain text of a scalar; containers as their JSON. */
static const char *fmt_text(struct json_object *v, char *buf, size_t len)
{
	const char *s;

	if (!v)
		s = "-";
	else if (json_object_is_type(v, json_type_string))
		s = json_object_get_string(v);
	else
		s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	snprintf(buf, len, "%s", s && *s ? s : "-");
	return buf;
}

/* Appends text to buf with sep unless buf is empty; truncates quietly. */
static void append(char *buf, size_t len, const char *sep, const char *text)
{
	size_t n = strlen(buf);

	if (n > 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s", sep);
	if (n < len)
		snprintf(buf + n, len - n, "%s", text);
}

/* One item of a list: a string or number as is, an object's values joined by " ". */
static const char *fmt_item(struct json_object *e, char *item, size_t len)
{
	char one[CLI_CELL_MAX];

	if (!json_object_is_type(e, json_type_object))
		return fmt_text(e, item, len);
	item[0] = '\0';
	json_object_object_foreach(e, key, val)
	{
		(void)key;
		append(item, len, " ", fmt_text(val, one, sizeof(one)));
	}
	return item;
}

/*
 * ["a","b"] -> "a,b"; [{"name":"x","address":"y"},..] -> "x y, ...". At
 * most max items, and only whole ones: the rest is counted ("a,b,+9 more"),
 * never cut mid-item (a VRF name cut short reads as another VRF's).
 */
static const char *fmt_list(struct json_object *v, char *buf, size_t len, size_t max)
{
	char item[CLI_CELL_MAX], more[32];
	size_t i, n;
	const char *sep = ",";

	if (!json_object_is_type(v, json_type_array))
		return fmt_text(v, buf, len);
	buf[0] = '\0';
	n = json_object_array_length(v);
	for (i = 0; i < n && i < max; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		size_t used = strlen(buf), need;

		if (json_object_is_type(e, json_type_object))
			sep = ", ";
		fmt_item(e, item, sizeof(item));
		/* room for this item, and for saying how many follow if any do */
		need = (used ? strlen(sep) : 0) + strlen(item) +
		       (i + 1 < n ? (size_t)snprintf(more, sizeof(more), "%s+%zu more", sep,
						     n - i - 1) : 0);
		if (used + need >= len)
			break;
		append(buf, len, sep, item);
	}
	if (i < n) {
		snprintf(more, sizeof(more), "+%zu more", n - i);
		append(buf, len, sep, more);
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "-");
	return buf;
}

struct json_object *cli_json_get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o != NULL && json_object_is_type(o, json_type_object))
		json_object_object_get_ex(o, key, &v);
	return v != NULL && json_object_is_type(v, json_type_null) ? NULL : v;
}

const char *cli_json_str(struct json_object *o, const char *key)
{
	struct json_object *v = cli_json_get(o, key);

	return v != NULL ? json_object_get_string(v) : NULL;
}

const char *cli_json_text(struct json_object *o, const char *key)
{
	const char *s = cli_json_str(o, key);

	return s != NULL ? s : "-";
}

const char *cli_lfib_action_text(const char *action)
{
	if (action != NULL && strcmp(action, "pop-lookup") == 0)
		return "pop_lookup";
	if (action != NULL && strcmp(action, "pop-forward") == 0)
		return "pop_forward";
	return action;
}

const char *cli_cell_format(struct json_object *v, enum cli_col_kind kind, char *buf, size_t len)
{
	int is_num = v && (json_object_is_type(v, json_type_int));

	if (!v || json_object_is_type(v, json_type_null)) {
		/* a duration that has not begun: a session never up */
		snprintf(buf, len, "%s", kind == CLI_COL_MARK ? "" : kind == CLI_COL_DURATION ? "never" : "-");
		return buf;
	}
	switch (kind) {
	case CLI_COL_LABEL:
		if (is_num && json_object_get_int64(v) == 3)
			snprintf(buf, len, "imp-null");
		else
			fmt_text(v, buf, len);
		return buf;
	case CLI_COL_DURATION:
		return is_num ? fmt_duration(json_object_get_int64(v), buf, len)
			      : fmt_text(v, buf, len);
	case CLI_COL_LIST:
		return fmt_list(v, buf, len, SIZE_MAX);
	case CLI_COL_LIST_SHORT:
		return fmt_list(v, buf, len, CLI_LIST_SHORT_MAX);
	case CLI_COL_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return fmt_text(v, buf, len);
		snprintf(buf, len, "%s", json_object_get_boolean(v) ? "yes" : "no");
		return buf;
	case CLI_COL_MARK:
		snprintf(buf, len, "%s", json_object_get_boolean(v) ? "*" : "");
		return buf;
	case CLI_COL_ACTION:
		if (!json_object_is_type(v, json_type_string))
			return fmt_text(v, buf, len);
		snprintf(buf, len, "%s", cli_lfib_action_text(json_object_get_string(v)));
		return buf;
	case CLI_COL_TEXT:
		break;
	}
	return fmt_text(v, buf, len);
}

static void print_row(FILE *out, char **cells, const size_t *width, size_t ncols)
{
	size_t c;

	for (c = 0; c < ncols; c++) {
		const char *s = cells[c] ? cells[c] : "?"; /* strdup failed */

		if (c + 1 < ncols)
			fprintf(out, "%-*s  ", (int)width[c], s);
		else
			fprintf(out, "%s", s);
	}
	fputc('\n', out);
}

int cli_table_print(FILE *out, struct json_object *rows, const struct cli_column *cols,
		    size_t ncols)
{
	char buf[CLI_CELL_MAX], **cells;
	size_t nrows, r, c, *width;
	struct json_object *v;

	if (!json_object_is_type(rows, json_type_array))
		return -EINVAL;
	nrows = json_object_array_length(rows);
	cells = calloc((nrows + 1) * ncols, sizeof(*cells));
	width = calloc(ncols, sizeof(*width));
	if (!cells || !width) {
		free(cells);
		free(width);
		return -ENOMEM;
	}
	for (c = 0; c < ncols; c++)
		cells[c] = strdup(cols[c].header);
	for (r = 0; r < nrows; r++) {
		struct json_object *row = json_object_array_get_idx(rows, r);

		for (c = 0; c < ncols; c++) {
			if (!json_object_is_type(row, json_type_object) ||
			    !json_object_object_get_ex(row, cols[c].key, &v))
				v = NULL;
			cells[(r + 1) * ncols + c] =
				strdup(cli_cell_format(v, cols[c].kind, buf, sizeof(buf)));
		}
	}
	for (r = 0; r < (nrows + 1) * ncols; r++) {
		if (!cells[r])
			cells[r] = strdup("?");
		if (cells[r] && strlen(cells[r]) > width[r % ncols])
			width[r % ncols] = strlen(cells[r]);
	}
	for (r = 0; r <= nrows; r++)
		print_row(out, cells + r * ncols, width, ncols);
	if (nrows == 0)
		fprintf(out, "(none)\n");
	for (r = 0; r < (nrows + 1) * ncols; r++)
		free(cells[r]);
	free(cells);
	free(width);
	return 0;
}

void cli_fields_print(FILE *out, struct json_object *obj, const struct cli_column *cols,
		      size_t ncols, int indent)
{
	char buf[CLI_CELL_MAX];
	size_t width = 0, c;
	struct json_object *v;

	for (c = 0; c < ncols; c++)
		if (strlen(cols[c].header) > width)
			width = strlen(cols[c].header);
	for (c = 0; c < ncols; c++) {
		if (!json_object_is_type(obj, json_type_object) ||
		    !json_object_object_get_ex(obj, cols[c].key, &v))
			v = NULL;
		fprintf(out, "%*s%-*s  %s\n", indent, "", (int)width + 1, cols[c].header,
			cli_cell_format(v, cols[c].kind, buf, sizeof(buf)));
	}
}
