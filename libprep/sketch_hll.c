/*
 * sketch_hll.c: the HyperLogLog sketch of sketch_hll.h.
 *
 * Registers are one byte each, in one block charged to the memory budget.
 * The estimate is Heule et al.'s linear counting below their threshold and
 * Ertl's improved estimator above it (the header says why); the JSON form
 * is the registers in base64, decoded strictly so that only the canonical
 * text of a sketch is accepted.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "memcap.h"
#include "siphash.h"
#include "sketch_hll.h"

struct prep_hll {
	unsigned p;
	size_t m;     /* 2^p registers */
	uint8_t *reg; /* m bytes, each 0 to 65 - p */
};

/* The fixed key: the ASCII bytes "prep-hll-sketch1" (sketch_hll.h). */
static const prep_siphash_key hll_key = {0x6c6c682d70657270ULL,
					 0x31686374656b732dULL};

/*
 * Heule et al. 2013, appendix: the largest linear counting estimate
 * still used, for p = 4 .. 18.
 */
static const double lc_threshold[] = {10,    20,    40,	   80,	   220,
				      400,   900,   1800,  3100,   6500,
				      11500, 20000, 50000, 120000, 350000};

prep_status
prep_hll_new(unsigned p, prep_hll **out)
{
	prep_hll *h;
	prep_status st;

	*out = NULL;
	if (p < PREP_HLL_MIN_P || p > PREP_HLL_MAX_P)
		return PREP_ERR_ARG;
	if ((h = malloc(sizeof *h)) == NULL)
		return PREP_ERR_NOMEM;
	h->p = p;
	h->m = (size_t)1 << p;
	if ((h->reg = prep_memcap_calloc(h->m, 1, &st)) == NULL) {
		free(h);
		return st != PREP_OK ? st : PREP_ERR_NOMEM;
	}
	*out = h;
	return PREP_OK;
}

void
prep_hll_free(prep_hll *h)
{
	if (h == NULL)
		return;
	prep_memcap_free(h->reg, h->m);
	free(h);
}

void
prep_hll_add_hash(prep_hll *h, uint64_t hash)
{
	size_t i = (size_t)(hash >> (64 - h->p));
	uint64_t w = hash << h->p; /* the other 64 - p bits, then zeros */
	unsigned rank = 65 - h->p;

	if (w != 0)
		rank = (unsigned)__builtin_clzll(w) + 1;
	if (h->reg[i] < rank)
		h->reg[i] = (uint8_t)rank;
}

void
prep_hll_add(prep_hll *h, const void *data, size_t len)
{
	prep_hll_add_hash(h, prep_siphash13(&hll_key, len ? data : "", len));
}

prep_status
prep_hll_merge(prep_hll *into, const prep_hll *from)
{
	size_t i;

	if (into->p != from->p)
		return PREP_ERR_ARG;
	for (i = 0; i < into->m; i++)
		if (into->reg[i] < from->reg[i])
			into->reg[i] = from->reg[i];
	return PREP_OK;
}

/*
 * Ertl's sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1), for the registers at
 * 0 (x = their share, below 1); summed until the terms stop changing it.
 */
static double
ertl_sigma(double x)
{
	double y = 1, z = x, prev;

	do {
		x *= x;
		prev = z;
		z += x * y;
		y += y;
	} while (z != prev);
	return z;
}

/*
 * Ertl's tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3, for the
 * registers at the top value (x = 1 - their share).
 */
static double
ertl_tau(double x)
{
	double y = 1, z, prev;

	if (x == 0 || x == 1)
		return 0;
	z = 1 - x;
	do {
		x = sqrt(x);
		prev = z;
		y *= 0.5;
		z -= (1 - x) * (1 - x) * y;
	} while (z != prev);
	return z / 3;
}

/*
 * Flajolet et al. 2007, figure 3: the constant alpha_m of the estimate
 * alpha_m m^2 / sum 2^-M[j]. Ertl writes alpha_inf = 1 / (2 ln 2), its
 * limit; with m = 16 that would leave the estimate 7% high.
 */
static double
alpha(size_t m)
{
	if (m == 16)
		return 0.673;
	if (m == 32)
		return 0.697;
	if (m == 64)
		return 0.709;
	return 0.7213 / (1 + 1.079 / (double)m);
}

double
prep_hll_estimate(const prep_hll *h)
{
	double c[66], m = (double)h->m, z, lc;
	unsigned q = 64 - h->p, k;
	size_t i;

	memset(c, 0, sizeof c);
	for (i = 0; i < h->m; i++)
		c[h->reg[i]]++;
	if (c[0] == m)
		return 0;
	/* Heule et al. 2013, figure 6: linear counting while it is small */
	if (c[0] > 0) {
		lc = m * log(m / c[0]);
		if (lc <= lc_threshold[h->p - PREP_HLL_MIN_P])
			return lc;
	}
	/* Ertl 2017, the improved estimator: alpha_inf m^2 / z */
	z = m * ertl_tau(1 - c[q + 1] / m);
	for (k = q; k >= 1; k--)
		z = 0.5 * (z + c[k]);
	z += m * ertl_sigma(c[0] / m);
	/* every register at the top value: past what 64 bits can count */
	if (z == 0)
		return 0x1p64;
	return alpha(h->m) * m * m / z;
}

double
prep_hll_std_error(const prep_hll *h)
{
	return 1.04 / sqrt((double)h->m);
}

unsigned
prep_hll_p(const prep_hll *h)
{
	return h->p;
}

/* ---- base64 (RFC 4648 §4), padded ---- */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* n bytes as 4 * ceil(n / 3) characters and a NUL, into out. */
static void
b64_encode(const uint8_t *b, size_t n, char *out)
{
	size_t i;
	uint32_t v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
		*out++ = b64_alphabet[v >> 18];
		*out++ = b64_alphabet[v >> 12 & 63];
		*out++ = b64_alphabet[v >> 6 & 63];
		*out++ = b64_alphabet[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)b[i] << 16;
		*out++ = b64_alphabet[v >> 18];
		*out++ = b64_alphabet[v >> 12 & 63];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8;
		*out++ = b64_alphabet[v >> 18];
		*out++ = b64_alphabet[v >> 12 & 63];
		*out++ = b64_alphabet[v >> 6 & 63];
		*out++ = '=';
	}
	*out = '\0';
}

static int
b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/*
 * Decode s[0..len), which must be exactly the encoding of n bytes as
 * b64_encode writes it (length, padding, and zero bits after the last
 * byte: one text per register block), into out. 0, or -1.
 */
static int
b64_decode(const char *s, size_t len, uint8_t *out, size_t n)
{
	size_t i, o = 0, pad = n % 3 ? 3 - n % 3 : 0;
	uint32_t v;
	int d, j;

	if (len != (n + 2) / 3 * 4)
		return -1;
	for (i = 0; i < len; i += 4) {
		v = 0;
		for (j = 0; j < 4; j++) {
			if (i + 4 == len && j >= 4 - (int)pad) {
				if (s[i + (size_t)j] != '=')
					return -1;
				d = 0;
			} else if ((d = b64_value(
					(unsigned char)s[i + (size_t)j])) < 0) {
				return -1;
			}
			v = v << 6 | (uint32_t)d;
		}
		for (j = 0; j < 3 && o < n; j++)
			out[o++] = (uint8_t)(v >> (16 - 8 * j));
		if (i + 4 == len && (v & ((1U << (8 * pad)) - 1)) != 0)
			return -1; /* bits after the last byte must be 0 */
	}
	return 0;
}

json_t *
prep_hll_to_json(const prep_hll *h)
{
	json_t *o = json_object();
	char *text = malloc((h->m + 2) / 3 * 4 + 1);
	int ok = o != NULL;

	if (text == NULL) {
		json_decref(o);
		return NULL;
	}
	b64_encode(h->reg, h->m, text);
	prep_json_set(o, "p", json_integer((json_int_t)h->p), &ok);
	prep_json_set(o, "registers", json_string(text), &ok);
	free(text);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

prep_status
prep_hll_from_json(const json_t *j, prep_hll **out, const char **why)
{
	static const char *const keys[] = {"p", "registers"};
	const char *dummy;
	json_t *jp, *jr;
	json_int_t p;
	prep_hll *h;
	prep_status st;
	size_t i;

	*out = NULL;
	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (!json_is_object(j)) {
		*why = "not an object";
		return PREP_ERR_VALUE;
	}
	if (!prep_json_only_keys(j, keys, 2)) {
		*why = "unknown key";
		return PREP_ERR_VALUE;
	}
	jp = json_object_get(j, "p");
	jr = json_object_get(j, "registers");
	if (!json_is_integer(jp)) {
		*why = "p is not an integer";
		return PREP_ERR_VALUE;
	}
	p = json_integer_value(jp);
	if (p < PREP_HLL_MIN_P || p > PREP_HLL_MAX_P) {
		*why = "p is not in [4, 18]";
		return PREP_ERR_VALUE;
	}
	if (!json_is_string(jr)) {
		*why = "registers is not a string";
		return PREP_ERR_VALUE;
	}
	if ((st = prep_hll_new((unsigned)p, &h)) != PREP_OK)
		return st;
	if (json_string_length(jr) != (h->m + 2) / 3 * 4) {
		*why = "registers: not 2^p bytes";
		prep_hll_free(h);
		return PREP_ERR_VALUE;
	}
	if (b64_decode(json_string_value(jr), json_string_length(jr), h->reg,
		       h->m) != 0) {
		*why = "registers: not canonical base64";
		prep_hll_free(h);
		return PREP_ERR_VALUE;
	}
	for (i = 0; i < h->m; i++)
		if (h->reg[i] > 65 - h->p) {
			*why = "register above 65 - p";
			prep_hll_free(h);
			return PREP_ERR_VALUE;
		}
	*out = h;
	return PREP_OK;
}
