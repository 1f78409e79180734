/*
 * profile_partial.c: a profile as the state of a partial and back
 * (profile.h, man5/prep-partial.5, "profile").
 *
 * A profile is mergeable already: its document (profile_json.c) is the
 * state, whole, so that `jq .state` of a partial is a profile that
 * drift(1) and profile --merge read. The partial's options repeat the
 * document's and add what a run's command line gives that shapes the
 * rows' counts or the verdict without being in the document: the most
 * groups (a merge past them fails as the whole run would) and the values
 * that mean missing (parts read with other ones count other cells as
 * empty, and their merge would be no run's profile).
 */
#include <string.h>

#include "json.h"
#include "partial.h"
#include "profile_impl.h"

prep_status
prep_profile_partial(const prep_profile *p, const prep_missing *missing,
		     json_t **options, json_t **state)
{
	json_t *s = prep_profile_to_json(p), *o;
	int ok = s != NULL;

	*options = *state = NULL;
	o = ok ? json_deep_copy(json_object_get(s, "options")) : NULL;
	ok = o != NULL;
	prep_json_set(o, "max_groups", json_integer((json_int_t)p->max_groups),
		      &ok);
	prep_json_set(o, "missing", prep_partial_missing(missing), &ok);
	if (!ok) {
		json_decref(o);
		json_decref(s);
		return PREP_ERR_NOMEM;
	}
	*options = o;
	*state = s;
	return PREP_OK;
}

prep_status
prep_profile_from_partial(const json_t *options, const json_t *state,
			  prep_profile **out, const char **why)
{
	json_t *doc_opts;
	prep_profile *p;
	prep_status st;
	long long version;
	uint64_t mg;
	int same;

	*out = NULL;
	*why = NULL;
	if (!json_is_object(options) ||
	    prep_json_uint(json_object_get(options, "max_groups"), 1,
			   PREP_PROFILE_MAX_MAX_GROUPS, &mg) != 0 ||
	    !prep_partial_missing_ok(json_object_get(options, "missing"))) {
		*why = "bad max_groups or missing option";
		return PREP_ERR_VALUE;
	}
	st = prep_profile_from_json(state, &p, &version, why);
	if (st != PREP_OK)
		return st;
	/* the options, less the two of the run's, are the document's */
	if ((doc_opts = json_deep_copy(options)) == NULL) {
		prep_profile_free(p);
		return PREP_ERR_NOMEM;
	}
	(void)json_object_del(doc_opts, "max_groups");
	(void)json_object_del(doc_opts, "missing");
	same = json_equal(doc_opts, json_object_get(state, "options"));
	json_decref(doc_opts);
	if (!same) {
		prep_profile_free(p);
		*why = "options are not the profile's";
		return PREP_ERR_VALUE;
	}
	if (p->gset.n > mg) {
		prep_profile_free(p);
		*why = "more groups than its max_groups";
		return PREP_ERR_VALUE;
	}
	p->max_groups = (size_t)mg;
	p->gset.max = (size_t)mg;
	*out = p;
	return PREP_OK;
}
