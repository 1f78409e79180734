/*
 * kanon_partial.c: kanon --levels on an input cut into parts
 * (man5/prep-partial.5, kanon(1)).
 *
 * A recoding applied by --levels needs nothing of the rows but the table
 * of their distinct quasi-identifier tuples with counts (and sensitive
 * counts), the same table kcheck's partials hold (classes_state.h): the
 * loss metrics come from the tuples' values and the hierarchies, the
 * checks from the counts. --partial writes a part's table; --merge adds
 * the tables up and recodes them as one run would, writing the merged
 * state for the second pass; --state recodes the merged table again and
 * writes one part's rows released as the whole run releases them. The
 * merged table is in canonical order, as a single run's is
 * (kanon_read_input), so every figure is the same to the last bit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "kanon_run.h"

/* --levels COL=L,... as an object {COL: L}: the same levels, any order. */
static json_t *
levels_json(const char *levels)
{
	json_t *o = json_object();
	char *list = strdup(levels), *item, *save = NULL, *eq;
	int ok = o != NULL && list != NULL;

	for (item = ok ? strtok_r(list, ",", &save) : NULL; item;
	     item = strtok_r(NULL, ",", &save)) {
		if ((eq = strrchr(item, '=')) == NULL)
			cli_usage_error(&cli, "--levels takes COL=L,...");
		*eq = '\0';
		if (json_object_get(o, item) != NULL)
			cli_usage_error(&cli, "--levels %s given twice", item);
		prep_json_setn(o, item, strlen(item),
			       json_integer((json_int_t)cli_parse_count(
				   &cli, "--levels", eq + 1, 0, 1000000)),
			       &ok);
	}
	free(list);
	if (!ok) {
		json_decref(o);
		cli_fatal(&cli, "out of memory");
	}
	return o;
}

/* A hierarchy's digest, as hex. */
static json_t *
hierarchy_digest(const char *path)
{
	prep_hierarchy *h = kanon_load_hierarchy(path);
	unsigned char d[32];
	char hex[65];
	prep_status st = prep_hierarchy_digest(h, d);
	size_t i;

	prep_hierarchy_free(h);
	if (st != PREP_OK)
		cli_fatal_status(&cli, st, path);
	for (i = 0; i < 32; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return json_string(hex);
}

/*
 * What shapes the state or the verdict (kanon(1), man5/prep-partial.5):
 * the checks' options, --max-suppress, each --hierarchy (by its column
 * as given, the SHA-256 of its content: the files may lie elsewhere on
 * each machine) and --levels.
 */
static json_t *
options_json(const struct options *o)
{
	json_t *j = cli_checks_options(&cli, &o->k), *h = json_object();
	int ok = h != NULL;
	size_t i;

	prep_json_set(j, "max_suppress", prep_json_number(o->k.p.max_suppress),
		      &ok);
	for (i = 0; i < o->nhier; i++) {
		if (json_object_get(h, o->hier[i].col) != NULL)
			cli_usage_error(&cli, "--hierarchy %s given twice",
					o->hier[i].col);
		prep_json_setn(h, o->hier[i].col, strlen(o->hier[i].col),
			       hierarchy_digest(o->hier[i].path), &ok);
	}
	prep_json_set(j, "hierarchy", h, &ok);
	prep_json_set(j, "levels", levels_json(o->levels), &ok);
	if (!ok)
		cli_fatal(&cli, "out of memory");
	return j;
}

void
kanon_write_partial(const struct options *o, const struct input *in)
{
	prep_classes_names names;
	prep_classes *empty = NULL;
	prep_status st;

	memset(&names, 0, sizeof names);
	if (in->classes == NULL) {
		/* no header at all (--allow-empty): no columns, no rows */
		st = prep_classes_new(NULL, 0, -1, 0, &empty);
		if (st != PREP_OK)
			cli_fatal_status(&cli, st, "classes");
	} else {
		cli_checks_names(&cli, in->qi, in->nqi,
				 prep_classes_sensitive(in->classes), &names);
	}
	cli_state_write(&cli, options_json(o), empty ? empty : in->classes,
			&names, 0);
	prep_classes_names_free(&names);
	prep_classes_free(empty);
}

/*
 * The QIs of a merged table: their names (taken from names), and each
 * --hierarchy on its QI, by the name the state gives it.
 */
static void
bind_by_name(const struct options *o, struct input *in,
	     prep_classes_names *names)
{
	size_t i, j;

	in->nqi = names->nqi;
	kanon_input_alloc(in);
	for (j = 0; j < in->nqi; j++)
		in->names[j] = names->qi[j];
	/* the names are the input's now */
	free(names->qi);
	names->qi = NULL;
	for (i = 0; i < o->nhier; i++) {
		const char *col = o->hier[i].col;

		for (j = 0; j < in->nqi; j++)
			if (strlen(col) == in->names[j].len &&
			    memcmp(col, in->names[j].data, in->names[j].len) ==
				0)
				break;
		if (j == in->nqi)
			cli_usage_error(&cli,
					"--hierarchy %s: not the name of a "
					"quasi-identifier of the partials "
					"(with --merge, columns are named as "
					"the header names them)",
					col);
		if (in->hier[j])
			cli_usage_error(&cli, "--hierarchy %s given twice",
					col);
		in->hier[j] = kanon_load_hierarchy(o->hier[i].path);
		in->hier_path[j] = o->hier[i].path;
	}
}

int
kanon_merge(const struct options *o, int nfiles, char **files, double start)
{
	json_t *opts = options_json(o);
	prep_partial *p = cli_partials_load(&cli, files, (size_t)nfiles, opts);
	prep_classes_names names, state_names;
	struct input in;
	int status;

	memset(&in, 0, sizeof in);
	in.mark = -1;
	in.classes = cli_checks_merge(&cli, p, files, (size_t)nfiles,
				      o->k.max_classes, &names);
	cli_partials_free(p, (size_t)nfiles);
	if (names.qi == NULL) {
		/* the whole input had not even a header (--allow-empty) */
		if (!o->report_only)
			cli_state_write(&cli, opts, in.classes, &names, 1);
		else
			json_decref(opts);
		kanon_audit(o, &in, NULL);
		prep_classes_free(in.classes);
		prep_classes_names_free(&names);
		return 0;
	}
	/* the state written keeps the names the input takes over */
	state_names = names;
	state_names.qi = malloc(names.nqi * sizeof *names.qi + 1);
	if (state_names.qi == NULL)
		cli_fatal(&cli, "out of memory");
	memcpy(state_names.qi, names.qi, names.nqi * sizeof *names.qi);
	in.state_names = &state_names;
	bind_by_name(o, &in, &names);
	status = kanon_finish(o, &in, start, opts);
	free(state_names.qi);
	free((char *)names.sensitive.data);
	kanon_input_free(&in);
	return status;
}

int
kanon_state(const struct options *o, int nfiles, char **files, double start)
{
	json_t *opts = options_json(o);
	prep_partial *p = cli_state_load(&cli, o->state, opts);
	char *state_file[1];
	prep_classes_names names, own;
	prep_classes *classes;
	struct input in;
	long si;
	int status;

	state_file[0] = (char *)o->state;
	classes =
	    cli_checks_merge(&cli, p, state_file, 1, o->k.max_classes, &names);
	cli_partials_free(p, 1);
	json_decref(opts);
	si = kanon_bind_input(o, nfiles, files, &in);
	if (si == -2 || names.qi == NULL) {
		if (si != -2 || names.qi != NULL)
			cli_fatal(&cli,
				  "%s: a state of other columns than this "
				  "input's (one of them has no header)",
				  o->state);
		/* an empty part of an empty input: an empty output */
		cli_open_output(&cli);
		cli_finish(&cli);
		kanon_audit(o, &in, NULL);
		prep_classes_free(classes);
		return 0;
	}
	cli_checks_names(&cli, in.qi, in.nqi, si, &own);
	if (!cli_checks_same_names(&names, &own))
		cli_fatal(&cli,
			  "%s: a state of other columns than this input's "
			  "(quasi-identifiers or sensitive column)",
			  o->state);
	prep_classes_names_free(&own);
	prep_classes_names_free(&names);
	in.classes = classes;
	status = kanon_finish(o, &in, start, NULL);
	kanon_input_free(&in);
	cli_close_input(&cli);
	return status;
}
