/* prep.c: the implementation of prep.h, the text of the status codes. */
#include "prep.h"

const char *
prep_strerror(prep_status st)
{
	switch (st) {
	case PREP_OK:
		return "success";
	case PREP_END:
		return "end of input";
	case PREP_ERR_NOMEM:
		return "out of memory";
	case PREP_ERR_IO:
		return "I/O error";
	case PREP_ERR_ARG:
		return "invalid argument";
	case PREP_ERR_QUOTE:
		return "stray quote in unquoted field";
	case PREP_ERR_UNCLOSED_QUOTE:
		return "unclosed quote at end of input";
	case PREP_ERR_FIELD_TOO_LONG:
		return "field longer than --max-field";
	case PREP_ERR_TOO_MANY_FIELDS:
		return "too many fields in record";
	case PREP_ERR_RAGGED:
		return "wrong number of fields";
	case PREP_ERR_HEADER_MISMATCH:
		return "header differs from the first input's";
	case PREP_ERR_NO_HEADER:
		return "no header record";
	case PREP_ERR_GZIP:
		return "corrupt or truncated gzip data";
	case PREP_ERR_COLUMN:
		return "unknown column";
	case PREP_ERR_VALUE:
		return "value cannot be read";
	case PREP_ERR_UTF8:
		return "invalid UTF-8";
	case PREP_ERR_KEY:
		return "unusable key";
	case PREP_ERR_AUTH:
		return "token failed authentication";
	case PREP_ERR_NOT_FOUND:
		return "value not found";
	case PREP_ERR_RANGE:
		return "number out of range";
	case PREP_ERR_LIMIT:
		return "resource limit reached";
	case PREP_ERR_BUDGET:
		return "privacy budget exhausted";
	case PREP_ERR_BUDGET_CHANGED:
		return "budget differs from the ledger's";
	case PREP_ERR_NOT_REGULAR:
		return "exists and is not a regular file";
	case PREP_ERR_MEMORY:
		return "the tables would hold more than --max-memory";
	case PREP_ERR_LEGACY_TOKEN:
		return "legacy token without column binding";
	case PREP_ERR_CRYPTO:
		return "cryptographic library failure";
	}
	return "unknown error";
}
