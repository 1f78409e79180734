/* Unit tests of libprep/json.c: the rule for numbers, sticky failures. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* The text of {"v": x} made with the rule for numbers. */
static void
assert_number(double v, const char *want)
{
	json_t *o = json_object();
	int ok = 1;
	char *t;

	prep_json_set(o, "v", prep_json_number(v), &ok);
	cr_assert_eq(prep_json_text(o, ok, &t), PREP_OK);
	cr_assert_str_eq(t, want);
	free(t);
}

Test(json, numbers)
{
	assert_number(3, "{\"v\":3}\n");
	assert_number(-0.0, "{\"v\":0}\n");
	assert_number(0.25, "{\"v\":0.25}\n");
	/* 1/3 with 15 significant digits */
	assert_number(1.0 / 3, "{\"v\":0.333333333333333}\n");
	assert_number(9007199254740991.0, "{\"v\":9007199254740991}\n");
	/* 2^53 and beyond: a real, not an integer that may not be exact */
	assert_number(9007199254740992.0, "{\"v\":9.00719925474099e15}\n");
	assert_number(NAN, "{\"v\":null}\n");
}

Test(json, strings_made_valid)
{
	json_t *o = json_object();
	int ok = 1;
	char *t;

	prep_json_set(o, "a", prep_json_string("ok\"", 3), &ok);
	/* 0xff is no UTF-8: U+FFFD in its place; a NUL is kept, escaped */
	prep_json_set(o, "b", prep_json_string("x\xffy", 3), &ok);
	prep_json_set(o, "c", prep_json_string("n\0m", 3), &ok);
	/* a key is cut at a NUL and made valid */
	prep_json_setn(o,
		       "k\xfe"
		       "ey\0tail",
		       8, json_integer(1), &ok);
	cr_assert_eq(prep_json_text(o, ok, &t), PREP_OK);
	cr_assert_str_eq(t, "{\"a\":\"ok\\\"\",\"b\":\"x\xef\xbf\xbdy\","
			    "\"c\":\"n\\u0000m\",\"k\xef\xbf\xbd"
			    "ey\":1}\n");
	free(t);
}

/* One failure anywhere: no document, and nothing leaks (ASan). */
Test(json, failure_is_sticky)
{
	json_t *o = json_object(), *a = json_array();
	int ok = 1;
	char *t = (char *)"x";

	prep_json_append(a, json_integer(1), &ok);
	prep_json_append(a, NULL, &ok); /* as when json_integer fails */
	cr_assert_eq(ok, 0);
	prep_json_append(a, json_integer(2), &ok);
	prep_json_set(o, "a", a, &ok);
	prep_json_set(NULL, "x", json_integer(3), &ok);
	prep_json_append(NULL, json_integer(4), &ok);
	cr_assert_eq(prep_json_text(o, ok, &t), PREP_ERR_NOMEM);
	cr_assert_null(t);
}

Test(json, order_kept_and_compact)
{
	json_t *o = json_object(), *a = json_array();
	int ok = 1;
	char *t;

	prep_json_set(o, "z", json_true(), &ok);
	prep_json_append(a, prep_json_number(1.5), &ok);
	prep_json_append(a, json_null(), &ok);
	prep_json_set(o, "a", a, &ok);
	cr_assert_eq(prep_json_text(o, ok, &t), PREP_OK);
	cr_assert_str_eq(t, "{\"z\":true,\"a\":[1.5,null]}\n");
	free(t);
}

Test(json, uint_reader)
{
	json_t *seven = json_integer(7), *neg = json_integer(-1),
	       *real = json_real(7.0), *str = json_string("7");
	uint64_t v = 0;

	cr_assert_eq(prep_json_uint(seven, 7, 7, &v), 0);
	cr_assert_eq(v, 7);
	cr_assert_eq(prep_json_uint(seven, 8, 100, &v), -1);
	cr_assert_eq(prep_json_uint(seven, 0, 6, &v), -1);
	cr_assert_eq(prep_json_uint(neg, 0, UINT64_MAX, &v), -1);
	cr_assert_eq(prep_json_uint(real, 0, UINT64_MAX, &v), -1);
	cr_assert_eq(prep_json_uint(str, 0, UINT64_MAX, &v), -1);
	cr_assert_eq(prep_json_uint(NULL, 0, UINT64_MAX, &v), -1);
	cr_assert_eq(v, 7);
	json_decref(seven);
	json_decref(neg);
	json_decref(real);
	json_decref(str);
}

Test(json, only_keys)
{
	static const char *const keys[] = {"p", "registers"};
	json_t *o = json_pack("{s:i, s:s}", "p", 4, "registers", "");

	cr_assert(prep_json_only_keys(o, keys, 2));
	cr_assert_not(prep_json_only_keys(o, keys, 1));
	json_object_set_new(o, "extra", json_null());
	cr_assert_not(prep_json_only_keys(o, keys, 2));
	json_decref(o);
	o = json_object();
	cr_assert(prep_json_only_keys(o, keys, 2));
	json_decref(o);
}
