/*
 * Prometheus text exposition format 0.0.4 for GET /metrics: what a metric
 * line looks like, in one place, so the daemons only say which numbers
 * they have. Written with jw_raw into the same buffer the API sends.
 */
#include <stdio.h>
#include <string.h>

#include "common/api.h"

void api_prom_begin(const struct api_request *req)
{
	api_set_content_type(req, "text/plain; version=0.0.4; charset=utf-8");
}

static void puts_raw(struct jw *w, const char *s)
{
	jw_raw(w, s, strlen(s));
}

void api_prom_family(struct jw *w, const char *name, const char *type, const char *help)
{
	puts_raw(w, "# HELP ");
	puts_raw(w, name);
	jw_raw(w, " ", 1);
	puts_raw(w, help);
	puts_raw(w, "\n# TYPE ");
	puts_raw(w, name);
	jw_raw(w, " ", 1);
	puts_raw(w, type);
	jw_raw(w, "\n", 1);
}

/* A label value: backslash, double quote and newline escaped. */
static void label_value(struct jw *w, const char *v)
{
	for (const char *p = v; *p != '\0'; p++) {
		if (*p == '\\' || *p == '"')
			jw_raw(w, "\\", 1);
		if (*p == '\n')
			jw_raw(w, "\\n", 2);
		else
			jw_raw(w, p, 1);
	}
}

static void label(struct jw *w, const char *k, const char *v, bool first)
{
	if (!first)
		jw_raw(w, ",", 1);
	puts_raw(w, k);
	jw_raw(w, "=\"", 2);
	label_value(w, v != NULL ? v : "");
	jw_raw(w, "\"", 1);
}

void api_prom_sample(struct jw *w, const char *name, const char *k1, const char *v1,
		     const char *k2, const char *v2, uint64_t value)
{
	char num[24], *p = num + sizeof(num);

	puts_raw(w, name);
	if (k1 != NULL || k2 != NULL) {
		jw_raw(w, "{", 1);
		if (k1 != NULL)
			label(w, k1, v1, true);
		if (k2 != NULL)
			label(w, k2, v2, k1 == NULL);
		jw_raw(w, "}", 1);
	}
	do {
		*--p = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0);
	*--p = ' ';
	jw_raw(w, p, (size_t)(num + sizeof(num) - p));
	jw_raw(w, "\n", 1);
}

void api_prom_sample_f(struct jw *w, const char *name, double value)
{
	char num[330]; /* " %.3f\n" of any double, DBL_MAX's 309 digits included */
	int n = snprintf(num, sizeof(num), " %.3f\n", value);

	puts_raw(w, name);
	jw_raw(w, num, (size_t)n);
}

void api_prom_metric(struct jw *w, const char *name, const char *type, const char *help,
		     uint64_t value)
{
	api_prom_family(w, name, type, help);
	api_prom_sample(w, name, NULL, NULL, NULL, NULL, value);
}

void api_prom_metric_f(struct jw *w, const char *name, const char *type, const char *help,
		       double value)
{
	api_prom_family(w, name, type, help);
	api_prom_sample_f(w, name, value);
}
