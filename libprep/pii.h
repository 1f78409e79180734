/*
 * pii.h: detectors of personal data in free text.
 *
 * Finds e-mail addresses, phone numbers, US social security numbers,
 * payment card numbers, IBANs and IP addresses inside a string, for
 * `anonymize`'s scrub action (replace each by a tag such as "[EMAIL]") and
 * `validate --pii` (any match is a pii-error).  Candidates are found with
 * PCRE2 patterns compiled once (JIT when available) and then checked in C:
 * card numbers by network prefix, length and Luhn digit, IBANs by country
 * length and mod-97, SSNs by area/group/serial, IP addresses with
 * inet_pton(3), phone numbers by how they are written.  pii.c states each
 * rule and its reference.
 *
 * Text is taken as bytes: invalid UTF-8 is never an error (it is simply
 * not part of any match).  A match never starts or ends inside a word of
 * letters or digits, so "abc123-45-6789" and "x4111111111111111y" hold no
 * SSN and no card.
 *
 * A prep_pii handle owns its match buffers: use one handle per thread.
 */
#ifndef PREP_PII_H
#define PREP_PII_H

#include <stddef.h>

#include "prep.h"
#include "buf.h"

enum prep_pii_type {
	PREP_PII_EMAIL = 1 << 0,
	PREP_PII_PHONE = 1 << 1,
	PREP_PII_SSN = 1 << 2,
	PREP_PII_CARD = 1 << 3,
	PREP_PII_IBAN = 1 << 4,
	PREP_PII_IP = 1 << 5,
	PREP_PII_ALL = 0x3f
};

typedef struct prep_pii prep_pii;

/* One match: bytes [start, end) of the text, and its single type bit. */
typedef struct prep_pii_match {
	size_t start, end;
	unsigned type;
} prep_pii_match;

/*
 * Compile the detectors for the types in the mask `types` (a non-empty
 * subset of PREP_PII_ALL, else PREP_ERR_ARG).
 */
prep_status prep_pii_new(unsigned types, prep_pii **out);
void prep_pii_free(prep_pii *p);

/*
 * The first valid match that starts at or after byte `from`: PREP_OK and
 * *m, or PREP_END when there is none.  Bytes before `from` are still read
 * as context (a match must not start inside a word).  When candidates of
 * several types overlap, the earliest start wins; at the same start the
 * longer one, and at the same length the more specific type, in the order
 * email, iban, card, ssn, ip, phone.  PREP_ERR_LIMIT if PCRE2 fails (it
 * should not with these patterns).
 */
prep_status prep_pii_find(prep_pii *p, const char *text, size_t len,
			  size_t from, prep_pii_match *m);

/*
 * Append text to out with every match (as prep_pii_find() would choose
 * them, scanning left to right) replaced by its tag.  *count, when count
 * is not NULL, is the number of matches replaced.  On error (PREP_ERR_LIMIT
 * from the buffer's cap, PREP_ERR_NOMEM) out is left as it was and *count
 * is 0.
 */
prep_status prep_pii_scrub(prep_pii *p, const char *text, size_t len,
			   prep_buf *out, size_t *count);

/*
 * "[EMAIL]" "[PHONE]" "[SSN]" "[CARD]" "[IBAN]" "[IP]" for one type bit;
 * "[PII]" for anything else.
 */
const char *prep_pii_tag(unsigned type);

/*
 * "email" "phone" "ssn" "card" "iban" "ip" for one type bit; "pii" for
 * anything else.
 */
const char *prep_pii_name(unsigned type);

/*
 * Parse a comma-separated list of the names above, or "all" (which may
 * also appear in a list), into a mask.  An unknown or empty name is
 * PREP_ERR_ARG and leaves *types alone; the status does not say which.
 */
prep_status prep_pii_types_parse(const char *list, unsigned *types);

/*
 * 1 if digits[0..n) (ASCII digits only, n >= 2) pass the Luhn check
 * (ISO/IEC 7812-1 annex B), else 0.
 */
int prep_luhn_valid(const char *digits, size_t n);

/*
 * 1 if s[0..n) is a valid IBAN in electronic (compact) form: a country of
 * the IBAN registry, that country's length, check digits 02..98 and
 * remainder 1 under ISO 7064 MOD 97-10.  Letters may be in either case.
 */
int prep_iban_valid(const char *s, size_t n);

#endif
