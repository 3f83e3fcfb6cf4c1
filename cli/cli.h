/*
 * ferryctl: a client of the daemons' JSON API and nothing else. It owns no
 * routing state; it fetches one document per command over a daemon's Unix
 * socket (cli/http.c), and either prints it raw (--json) or turns one array
 * of it into an aligned table (cli/table.c) chosen from the command table
 * (cli/commands.c). Every public name starts with cli_ because ferryctl is
 * linked beside the daemons' libraries.
 */
#ifndef FERRY_CLI_H
#define FERRY_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct json_object;

/* --- http.c: one GET over a Unix socket ---------------------------------- */

struct cli_response {
	int status;  /* HTTP status code */
	char *body;  /* NUL-terminated, malloc'd */
	size_t body_len;
};

/*
 * GET path from the daemon listening on sock_path (HTTP/1.0: the daemon
 * closes when done). Returns 0, or -errno with a one-line reason in err:
 * -ENOENT / -ECONNREFUSED mean the daemon is not running, -ETIMEDOUT that it
 * did not answer within timeout_ms, -EPROTO a response that is not HTTP.
 */
int cli_http_get(const char *sock_path, const char *path, int timeout_ms,
		 struct cli_response *resp, char *err, size_t errlen);
/*
 * Splits a raw HTTP response (status line, headers, body; chunked or not).
 * -EAGAIN while incomplete: a body without length is complete only at_eof.
 */
int cli_http_parse(const char *raw, size_t len, bool at_eof, struct cli_response *resp);
void cli_response_free(struct cli_response *resp);
/* Appends s to buf (of size len, NUL-terminated) %-encoded for a query string. */
int cli_url_encode(const char *s, char *buf, size_t len);

/* --- table.c: JSON arrays as aligned text tables ------------------------- */

enum cli_col_kind {
	CLI_COL_TEXT,     /* string or number as is */
	CLI_COL_LABEL,    /* MPLS label: null "-", 3 "imp-null" */
	CLI_COL_DURATION, /* seconds as [Nd]HH:MM:SS */
	CLI_COL_LIST,     /* array joined with ","; objects' values joined by " " */
	CLI_COL_BOOL,     /* "yes" / "no" */
	CLI_COL_MARK,     /* true as "*", else empty */
};

struct cli_column {
	const char *header;
	const char *key;
	enum cli_col_kind kind;
};

/* Formats one JSON value (NULL = key absent) as a cell. Returns buf. */
const char *cli_cell_format(struct json_object *v, enum cli_col_kind kind, char *buf,
			    size_t len);
/*
 * Prints rows (a JSON array of objects) as a table with a header line;
 * empty prints the header and "(none)". Returns 0 or -EINVAL when rows is
 * not an array.
 */
int cli_table_print(FILE *out, struct json_object *rows, const struct cli_column *cols,
		    size_t ncols);

/* --- commands.c: what each command asks and prints ----------------------- */

struct cli_command;
typedef int (*cli_print_fn)(FILE *out, const struct cli_command *cmd, struct json_object *doc);

struct cli_command {
	const char *words[2];         /* "bgp", "neighbors" */
	const char *arg_name;         /* optional argument, e.g. "VRF"; NULL: none */
	const char *arg_query;        /* the query parameter it becomes, e.g. "vrf" */
	const char *daemon;           /* "bgpd": the socket is <run_dir>/bgpd.sock */
	const char *path;             /* "/neighbors" */
	const char *array_key;        /* the array of the document to tabulate */
	const struct cli_column *cols;
	size_t ncols;
	cli_print_fn print;           /* NULL: cli_print_table */
	const char *help;
};

extern const struct cli_command cli_commands[];
extern const size_t cli_n_commands;

/* Finds the command named by the words; NULL when none matches. */
const struct cli_command *cli_command_find(const char *w1, const char *w2);
/* The default printer: doc[array_key] as a table of cmd->cols. */
int cli_print_table(FILE *out, const struct cli_command *cmd, struct json_object *doc);

#endif
