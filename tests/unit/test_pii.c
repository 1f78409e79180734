/*
 * test_pii.c: unit tests of the PII detectors (libprep/pii.c).
 *
 * Expected values are worked out by hand or with an independent script
 * (Luhn and mod-97 computed separately): every scrub test asserts the exact
 * output string, every find test the exact offsets and type.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pii.h"

static prep_pii *all;

static void
setup_all(void)
{
	cr_assert_eq(prep_pii_new(PREP_PII_ALL, &all), PREP_OK);
}

static void
teardown_all(void)
{
	prep_pii_free(all);
	all = NULL;
}

/* Scrub s with p and return a malloc'd copy of the output. */
static char *
scrub_n(prep_pii *p, const char *s, size_t n, size_t *count)
{
	prep_buf b;
	char *r;

	prep_buf_init(&b, 0);
	cr_assert_eq(prep_pii_scrub(p, s, n, &b, count), PREP_OK);
	r = malloc(b.len + 1);
	cr_assert_not_null(r);
	if (b.len)
		memcpy(r, b.data, b.len);
	r[b.len] = '\0';
	prep_buf_free(&b);
	return r;
}

static void
check_scrub(prep_pii *p, const char *in, const char *want, size_t nwant)
{
	size_t n = 99;
	char *got = scrub_n(p, in, strlen(in), &n);

	cr_expect_str_eq(got, want, "scrub(\"%s\")", in);
	cr_expect_eq(n, nwant, "scrub(\"%s\"): %zu matches, want %zu", in, n,
		     nwant);
	free(got);
}

/* The whole string is one match of `type`. */
static void
check_whole(const char *in, unsigned type)
{
	prep_pii_match m;

	cr_assert_eq(prep_pii_find(all, in, strlen(in), 0, &m), PREP_OK,
		     "no match in \"%s\"", in);
	cr_expect_eq(m.start, 0, "\"%s\": start %zu", in, m.start);
	cr_expect_eq(m.end, strlen(in), "\"%s\": end %zu", in, m.end);
	cr_expect_eq(m.type, type, "\"%s\": type %s", in,
		     prep_pii_name(m.type));
}

/* Nothing at all is found in the string. */
static void
check_none(const char *in)
{
	prep_pii_match m;
	prep_status st = prep_pii_find(all, in, strlen(in), 0, &m);

	cr_expect_eq(st, PREP_END, "\"%s\": found %s at %zu..%zu", in,
		     st == PREP_OK ? prep_pii_name(m.type) : "?",
		     st == PREP_OK ? m.start : 0, st == PREP_OK ? m.end : 0);
}

/* ---- checksums ---- */

Test(luhn, valid_numbers)
{
	cr_expect(prep_luhn_valid("4111111111111111", 16));
	cr_expect(prep_luhn_valid("378282246310005", 15));
	cr_expect(prep_luhn_valid("5555555555554444", 16));
	cr_expect(prep_luhn_valid("1700000000004", 13));
	cr_expect(prep_luhn_valid("00", 2));
	cr_expect(prep_luhn_valid("18", 2));
}

Test(luhn, invalid_numbers)
{
	cr_expect_not(prep_luhn_valid("4111111111111112", 16));
	cr_expect_not(prep_luhn_valid("1700000000000", 13));
	cr_expect_not(prep_luhn_valid("4111 1111", 9));
	cr_expect_not(prep_luhn_valid("0", 1));
	cr_expect_not(prep_luhn_valid("", 0));
	cr_expect_not(prep_luhn_valid(NULL, 0));
	cr_expect_not(prep_luhn_valid("19", 2));
}

Test(iban, valid)
{
	cr_expect(prep_iban_valid("GB82WEST12345698765432", 22));
	cr_expect(prep_iban_valid("gb82west12345698765432", 22));
	cr_expect(prep_iban_valid("DE89370400440532013000", 22));
	cr_expect(prep_iban_valid("NO9386011117947", 15));
	cr_expect(prep_iban_valid("BE68539007547034", 16));
	cr_expect(prep_iban_valid("FR1420041010050500013M02606", 27));
	cr_expect(prep_iban_valid("LC55HEMM000100010012001200023015", 32));
	cr_expect(prep_iban_valid("GB98WEST12345698765435", 22));
}

Test(iban, invalid)
{
	/* one digit changed */
	cr_expect_not(prep_iban_valid("GB82WEST12345698765433", 22));
	cr_expect_not(prep_iban_valid("GB83WEST12345698765432", 22));
	/* right remainder, but check digits 01 are never issued */
	cr_expect_not(prep_iban_valid("GB01WEST12345698765435", 22));
	/* length of another country, unknown country, bad characters */
	cr_expect_not(prep_iban_valid("GB82WEST1234569876543", 21));
	cr_expect_not(prep_iban_valid("US82WEST12345698765432", 22));
	cr_expect_not(prep_iban_valid("GB82 WEST 1234 5698 7654 32", 27));
	cr_expect_not(prep_iban_valid("GB82WEST1234569876543-", 22));
	cr_expect_not(prep_iban_valid("", 0));
	cr_expect_not(prep_iban_valid(NULL, 0));
}

/* ---- names, masks, handles ---- */

Test(types, parse)
{
	unsigned t = 12345;

	cr_expect_eq(prep_pii_types_parse("all", &t), PREP_OK);
	cr_expect_eq(t, PREP_PII_ALL);
	cr_expect_eq(prep_pii_types_parse("email,phone", &t), PREP_OK);
	cr_expect_eq(t, PREP_PII_EMAIL | PREP_PII_PHONE);
	cr_expect_eq(prep_pii_types_parse("ip,ssn,card,iban,ip", &t), PREP_OK);
	cr_expect_eq(t, PREP_PII_IP | PREP_PII_SSN | PREP_PII_CARD |
			    PREP_PII_IBAN);
	cr_expect_eq(prep_pii_types_parse("email,all", &t), PREP_OK);
	cr_expect_eq(t, PREP_PII_ALL);
	t = 7;
	cr_expect_eq(prep_pii_types_parse("", &t), PREP_ERR_ARG);
	cr_expect_eq(prep_pii_types_parse("email,", &t), PREP_ERR_ARG);
	cr_expect_eq(prep_pii_types_parse("mail", &t), PREP_ERR_ARG);
	cr_expect_eq(prep_pii_types_parse("email, phone", &t), PREP_ERR_ARG);
	cr_expect_eq(prep_pii_types_parse("EMAIL", &t), PREP_ERR_ARG);
	cr_expect_eq(prep_pii_types_parse("emails", &t), PREP_ERR_ARG);
	cr_expect_eq(prep_pii_types_parse(NULL, &t), PREP_ERR_ARG);
	cr_expect_eq(t, 7);
}

Test(types, tags_and_names)
{
	cr_expect_str_eq(prep_pii_tag(PREP_PII_EMAIL), "[EMAIL]");
	cr_expect_str_eq(prep_pii_tag(PREP_PII_PHONE), "[PHONE]");
	cr_expect_str_eq(prep_pii_tag(PREP_PII_SSN), "[SSN]");
	cr_expect_str_eq(prep_pii_tag(PREP_PII_CARD), "[CARD]");
	cr_expect_str_eq(prep_pii_tag(PREP_PII_IBAN), "[IBAN]");
	cr_expect_str_eq(prep_pii_tag(PREP_PII_IP), "[IP]");
	cr_expect_str_eq(prep_pii_tag(0), "[PII]");
	cr_expect_str_eq(prep_pii_tag(PREP_PII_ALL), "[PII]");
	cr_expect_str_eq(prep_pii_name(PREP_PII_EMAIL), "email");
	cr_expect_str_eq(prep_pii_name(PREP_PII_PHONE), "phone");
	cr_expect_str_eq(prep_pii_name(PREP_PII_SSN), "ssn");
	cr_expect_str_eq(prep_pii_name(PREP_PII_CARD), "card");
	cr_expect_str_eq(prep_pii_name(PREP_PII_IBAN), "iban");
	cr_expect_str_eq(prep_pii_name(PREP_PII_IP), "ip");
	cr_expect_str_eq(prep_pii_name(64), "pii");
}

Test(handle, bad_arguments)
{
	prep_pii *p = (prep_pii *)&p;
	prep_pii_match m;
	prep_buf b;

	cr_expect_eq(prep_pii_new(0, &p), PREP_ERR_ARG);
	cr_expect_eq(prep_pii_new(0x40, &p), PREP_ERR_ARG);
	cr_expect_eq(prep_pii_new(PREP_PII_ALL, NULL), PREP_ERR_ARG);
	cr_assert_eq(prep_pii_new(PREP_PII_IP, &p), PREP_OK);
	prep_buf_init(&b, 0);
	cr_expect_eq(prep_pii_find(p, NULL, 3, 0, &m), PREP_ERR_ARG);
	cr_expect_eq(prep_pii_find(p, "a", 1, 0, NULL), PREP_ERR_ARG);
	cr_expect_eq(prep_pii_find(NULL, "a", 1, 0, &m), PREP_ERR_ARG);
	cr_expect_eq(prep_pii_scrub(p, NULL, 3, &b, NULL), PREP_ERR_ARG);
	cr_expect_eq(prep_pii_scrub(p, "a", 1, NULL, NULL), PREP_ERR_ARG);
	prep_pii_free(p);
	prep_pii_free(NULL);
}

/* ---- cards ---- */

TestSuite(card, .init = setup_all, .fini = teardown_all);

Test(card, network_numbers)
{
	check_whole("4111 1111 1111 1111", PREP_PII_CARD);
	check_whole("4111111111111111", PREP_PII_CARD);
	check_whole("4111-1111-1111-1111", PREP_PII_CARD);
	check_whole("4222222222222", PREP_PII_CARD);	   /* Visa, 13 */
	check_whole("5555 5555 5555 4444", PREP_PII_CARD); /* Mastercard */
	check_whole("2221000000000009", PREP_PII_CARD);	   /* Mastercard 2 */
	check_whole("3782 822463 10005", PREP_PII_CARD);   /* Amex 4-6-5 */
	check_whole("6011111111111117", PREP_PII_CARD);	   /* Discover */
	check_whole("3530111333300000", PREP_PII_CARD);	   /* JCB */
	check_whole("3056 930902 5904", PREP_PII_CARD);	   /* Diners, 14 */
	check_whole("6759649826438453", PREP_PII_CARD);	   /* Maestro */
	check_whole("6200000000000005", PREP_PII_CARD);	   /* UnionPay */
	check_whole("2200123456789019", PREP_PII_CARD);	   /* Mir */
	check_whole("9792123456789018", PREP_PII_CARD);	   /* Troy */
}

Test(card, rejected)
{
	check_none("4111111111111112");	   /* Luhn fails */
	check_none("4111 1111 1111 1112"); /* nor is it a phone */
	check_none("1234567890123452");	   /* Luhn-valid, no network */
	check_none("1700000000004");	   /* Luhn-valid ms timestamp */
	check_none("1700000000000");
	check_none("41111111111111110000"); /* 20 digits */
	check_none("5555555555554444000");  /* Mastercard has 16 */
	check_none("x4111111111111111y");   /* inside a word */
	check_none("x4111111111111111");
	check_none("4111111111111111y");
	check_none("é4111111111111111");
	check_none("4111 1111-1111 1111");    /* mixed separators */
	check_none("4111  1111  1111  1111"); /* double spaces */
	check_none("4111-1111-1111-1111-22"); /* part of a longer run */
	check_none("1-4111-1111-1111-1111");
}

Test(card, in_text)
{
	check_scrub(all, "card 4111 1111 1111 1111 exp 2025",
		    "card [CARD] exp 2025", 1);
	/* whole groups: the year after it is not part of it */
	check_scrub(all, "4111 1111 1111 1111 2025", "[CARD] 2025", 1);
	/* a failed candidate does not hide the card inside it */
	check_scrub(all, "1234 4111 1111 1111 1111", "1234 [CARD]", 1);
	check_scrub(all, "卡号4111111111111111。", "卡号[CARD]。", 1);
	check_scrub(all, "\"4111111111111111\",\"x\"", "\"[CARD]\",\"x\"", 1);
	check_scrub(all, "№4111111111111111", "№[CARD]", 1);
}

/* ---- IBANs ---- */

TestSuite(iban_find, .init = setup_all, .fini = teardown_all);

Test(iban_find, valid_forms)
{
	check_whole("GB82 WEST 1234 5698 7654 32", PREP_PII_IBAN);
	check_whole("GB82WEST12345698765432", PREP_PII_IBAN);
	check_whole("gb82 west 1234 5698 7654 32", PREP_PII_IBAN);
	check_whole("DE89 3704 0044 0532 0130 00", PREP_PII_IBAN);
	check_whole("NO93 8601 1117 947", PREP_PII_IBAN);
	check_whole("FR14 2004 1010 0505 0001 3M02 606", PREP_PII_IBAN);
	check_whole("LC55 HEMM 0001 0001 0012 0012 0002 3015", PREP_PII_IBAN);
}

Test(iban_find, rejected)
{
	check_none("GB82 WEST 1234 5698 7654 33");
	check_none("GB82WEST12345698765433");
	check_none("GB82 WEST 1234 5698 7654 3");
	check_none("GB82WEST123456987654321"); /* too long */
	check_none("GB82 WEST 1234 5698 7654 321");
	check_none("XGB82WEST12345698765432");
	check_none("ZZ82WEST12345698765432");	  /* no such country */
	check_none("GB82 WEST 12345698 7654 32"); /* not the print form */
	check_none("GB01WEST12345698765435");
}

Test(iban_find, in_text)
{
	/* the country length says where it ends, not the next word */
	check_scrub(all, "BE68 5390 0754 7034 Brussels", "[IBAN] Brussels", 1);
	check_scrub(all, "IBAN: DE89370400440532013000.", "IBAN: [IBAN].", 1);
	check_scrub(all, "(GB82 WEST 1234 5698 7654 32)", "([IBAN])", 1);
}

/* ---- SSNs ---- */

TestSuite(ssn, .init = setup_all, .fini = teardown_all);

Test(ssn, valid)
{
	check_whole("123-45-6789", PREP_PII_SSN);
	check_whole("078-05-1120", PREP_PII_SSN);
	check_whole("899-99-9999", PREP_PII_SSN);
	check_whole("001-01-0001", PREP_PII_SSN);
	check_scrub(all, "SSN: 123-45-6789.", "SSN: [SSN].", 1);
	check_scrub(all, "ref-123-45-6789", "ref-[SSN]", 1);
}

Test(ssn, invalid)
{
	check_none("000-12-3456");
	check_none("666-12-3456");
	check_none("900-12-3456");
	check_none("999-99-9999");
	check_none("123-00-4567");
	check_none("123-45-0000");
	check_none("abc123-45-6789");
	check_none("123-45-6789x");
	check_none("123-45-67890");
	check_none("1123-45-6789");
	check_none("123-45-6789-1");
	check_none("123 45 6789");
	check_none("123456789");
}

/* ---- IP addresses ---- */

TestSuite(ip, .init = setup_all, .fini = teardown_all);

Test(ip, ipv4)
{
	check_whole("192.168.1.1", PREP_PII_IP); /* private */
	check_whole("10.0.0.1", PREP_PII_IP);
	check_whole("172.16.254.3", PREP_PII_IP);
	check_whole("8.8.8.8", PREP_PII_IP); /* public */
	check_whole("203.0.113.77", PREP_PII_IP);
	check_whole("255.255.255.255", PREP_PII_IP);
	check_whole("0.0.0.0", PREP_PII_IP);
	check_scrub(all, "from 10.0.0.1:8080, to 8.8.8.8.",
		    "from [IP]:8080, to [IP].", 2);
}

Test(ip, ipv4_rejected)
{
	check_none("256.1.1.1");
	check_none("1.2.3.256");
	check_none("1.2.3.4.5");
	check_none("v1.2.3.4");
	check_none("1.2.3.4a");
	check_none("1.2.3");
	check_none("1.2.3.4-5");
	check_none("192.168.001.001");
	check_none("Chrome/120.0.6099.109");
	check_none("0.1.2.3.4.5.6");
}

Test(ip, ipv6)
{
	check_whole("2001:db8::1", PREP_PII_IP);
	check_whole("2001:0db8:85a3:0000:0000:8a2e:0370:7334", PREP_PII_IP);
	check_whole("::1", PREP_PII_IP);
	check_whole("fe80::1", PREP_PII_IP);
	check_whole("2001:DB8::", PREP_PII_IP);
	check_whole("::ffff:192.0.2.128", PREP_PII_IP);
	check_whole("1:2:3:4:5:6:7:8", PREP_PII_IP);
	check_scrub(all, "fe80::1%eth0", "[IP]%eth0", 1);
	check_scrub(all, "[2001:db8::1]:443", "[[IP]]:443", 1);
	check_scrub(all, "host fe80::1: down", "host [IP]: down", 1);
}

Test(ip, ipv6_rejected)
{
	check_none("12:30:45");
	check_none("10:20:30.123");
	check_none("a::b");
	check_none("std::vector");
	check_none("x :: y");
	check_none("00:1A:2B:3C:4D:5E");
	check_none("1:2:3:4:5:6:7:8:9");
	check_none("2001:db8::1::2");
	check_none("2001:db8::g");
	check_none("x2001:db8::1");
}

/* ---- phone numbers ---- */

TestSuite(phone, .init = setup_all, .fini = teardown_all);

Test(phone, written_like_phones)
{
	check_whole("+1 555-123-4567", PREP_PII_PHONE);
	check_whole("+1 (555) 123-4567", PREP_PII_PHONE);
	check_whole("+1-555-123-4567", PREP_PII_PHONE);
	check_whole("(555) 123-4567", PREP_PII_PHONE);
	check_whole("(555)123-4567", PREP_PII_PHONE);
	check_whole("555-123-4567", PREP_PII_PHONE);
	check_whole("555.123.4567", PREP_PII_PHONE);
	check_whole("555 123 4567", PREP_PII_PHONE);
	check_whole("1-800-555-1234", PREP_PII_PHONE);
	check_whole("555-1234", PREP_PII_PHONE);
	check_whole("+44 20 7946 0958", PREP_PII_PHONE);
	check_whole("+44 (0)20 7946 0958", PREP_PII_PHONE);
	check_whole("020 7946 0958", PREP_PII_PHONE);
	check_whole("+33 1 23 45 67 89", PREP_PII_PHONE);
	check_whole("01 23 45 67 89", PREP_PII_PHONE);
	check_whole("044 668 18 00", PREP_PII_PHONE);
	check_whole("+4915112345678", PREP_PII_PHONE);
	check_whole("030 1234567", PREP_PII_PHONE);
	check_whole("+86 138 1234 5678", PREP_PII_PHONE);
}

Test(phone, bare_digits_and_look_alikes)
{
	check_none("5551234567");
	check_none("1700000000000");
	check_none("12345678");
	check_none("2024-01-15");
	check_none("15.01.2024");
	check_none("2024-01-15 10:30");
	check_none("1 234 567");
	check_none("1.234.567,89");
	check_none("2019 2020 2021");
	check_none("1990-2020");
	check_none("10 20 30 40 50");
	check_none("12345-6789");
	check_none("3.14159");
	check_none("12:30");
	check_none("+1 555");
	check_none("555-123-4567-89");
	check_none("555-123-4567x");
	check_none("abc555-123-4567");
}

Test(phone, in_text)
{
	check_scrub(all, "call 555 123 4567 12 times", "call [PHONE] 12 times",
		    1);
	check_scrub(all, "tel:+1 (555) 123-4567;", "tel:[PHONE];", 1);
	check_scrub(all, "电话+86 138 1234 5678", "电话[PHONE]", 1);
	/* an invalid SSN is not taken for a phone number either */
	check_scrub(all, "666-12-3456", "666-12-3456", 0);
}

/* ---- e-mail ---- */

TestSuite(email, .init = setup_all, .fini = teardown_all);

Test(email, addresses)
{
	check_whole("jean.dupont@example.com", PREP_PII_EMAIL);
	check_whole("j+tag@mail.example.co.uk", PREP_PII_EMAIL);
	check_whole("first_last-1%x@sub-domain.example.org", PREP_PII_EMAIL);
	check_whole("user@xn--80ak6aa92e.xn--p1ai", PREP_PII_EMAIL);
	check_whole("müller@exämple.de", PREP_PII_EMAIL);
	check_whole("JEAN@EXAMPLE.COM", PREP_PII_EMAIL);
	check_scrub(all, "<jean@example.com>", "<[EMAIL]>", 1);
	check_scrub(all, "mailto:jean@example.com?subject=hi",
		    "mailto:[EMAIL]?subject=hi", 1);
	check_scrub(all, "'jean@example.com'", "'[EMAIL]'", 1);
	check_scrub(all, "«jean@example.com»", "«[EMAIL]»", 1);
	check_scrub(all, "“jean@example.com”", "“[EMAIL]”", 1);
	check_scrub(all, "请联系jean@example.com。", "请联系[EMAIL]。", 1);
	check_scrub(all, "write...jean@example.com.", "write...[EMAIL].", 1);
}

Test(email, not_addresses)
{
	check_none("user@localhost");
	check_none("a@b.c");
	check_none("@example.com");
	check_none("jean@");
	check_none("jean@.com");
	check_none("jean@example.comé");
	check_none("jean@example.com9");
	check_none("jean@-example.com");
}

/* ---- scrub ---- */

TestSuite(scrub, .init = setup_all, .fini = teardown_all);

Test(scrub, sentences)
{
	check_scrub(
	    all,
	    "Mail jean.dupont@example.com or call +1 555-123-4567; card "
	    "4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, "
	    "SSN 123-45-6789, from 192.168.0.12.",
	    "Mail [EMAIL] or call [PHONE]; card [CARD], IBAN [IBAN], "
	    "SSN [SSN], from [IP].",
	    6);
	check_scrub(all, "\"jean@example.com\",\"555-123-4567\"\n8.8.8.8\r\n",
		    "\"[EMAIL]\",\"[PHONE]\"\n[IP]\r\n", 3);
	check_scrub(all, "id 1700000000000, ts 1700000000004, n 12345678",
		    "id 1700000000000, ts 1700000000004, n 12345678", 0);
	check_scrub(all, "a@example.com,b@example.org\n(555) 123-4567",
		    "[EMAIL],[EMAIL]\n[PHONE]", 3);
}

Test(scrub, utf8_around)
{
	check_scrub(all,
		    "Café «jean@exemple.fr», tél. +33 1 23 45 67 89 — "
		    "carte 4111 1111 1111 1111 ✓",
		    "Café «[EMAIL]», tél. [PHONE] — carte [CARD] ✓", 3);
	check_scrub(all, "日本語 10.1.2.3 テキスト", "日本語 [IP] テキスト", 1);
}

Test(scrub, invalid_utf8)
{
	const char in[] = "\xff\xfejean@example.com\xc3 \x80"
			  "10.0.0.1\xe2\x82";
	const char want[] = "\xff\xfe[EMAIL]\xc3 \x80[IP]\xe2\x82";
	size_t n;
	char *got = scrub_n(all, in, sizeof(in) - 1, &n);

	cr_expect_str_eq(got, want);
	cr_expect_eq(n, 2);
	free(got);
}

Test(scrub, embedded_nul)
{
	const char in[] = "a\0jean@example.com\0b";
	prep_buf b;
	size_t n;

	prep_buf_init(&b, 0);
	cr_assert_eq(prep_pii_scrub(all, in, sizeof(in) - 1, &b, &n), PREP_OK);
	cr_expect_eq(n, 1);
	cr_assert_eq(b.len, 11);
	cr_expect_eq(memcmp(b.data, "a\0[EMAIL]\0b", 11), 0);
	prep_buf_free(&b);
}

Test(scrub, empty_input)
{
	prep_buf b;
	size_t n = 5;
	prep_pii_match m;

	prep_buf_init(&b, 0);
	cr_expect_eq(prep_pii_scrub(all, "", 0, &b, &n), PREP_OK);
	cr_expect_eq(b.len, 0);
	cr_expect_eq(n, 0);
	cr_expect_eq(prep_pii_scrub(all, NULL, 0, &b, NULL), PREP_OK);
	cr_expect_eq(b.len, 0);
	cr_expect_eq(prep_pii_find(all, "", 0, 0, &m), PREP_END);
	cr_expect_eq(prep_pii_find(all, NULL, 0, 0, &m), PREP_END);
	prep_buf_free(&b);
	check_scrub(all, "no personal data here", "no personal data here", 0);
}

Test(scrub, appends_to_buffer)
{
	prep_buf b;

	prep_buf_init(&b, 0);
	cr_assert_eq(prep_buf_append_str(&b, "x="), PREP_OK);
	cr_assert_eq(prep_pii_scrub(all, "8.8.8.8;", 8, &b, NULL), PREP_OK);
	cr_expect_str_eq(b.data, "x=[IP];");
	prep_buf_free(&b);
}

Test(scrub, cap_leaves_buffer_alone)
{
	prep_buf b;
	size_t n = 9;
	const char *in = "jean@example.com and some more text";

	prep_buf_init(&b, 10);
	cr_assert_eq(prep_buf_append_str(&b, "ab"), PREP_OK);
	cr_expect_eq(prep_pii_scrub(all, in, strlen(in), &b, &n),
		     PREP_ERR_LIMIT);
	cr_expect_eq(b.len, 2);
	cr_expect_str_eq(b.data, "ab");
	cr_expect_eq(n, 0);
	prep_buf_free(&b);
}

Test(scrub, types_mask)
{
	prep_pii *p;
	const char *in = "jean@example.com, +1 555-123-4567, 10.0.0.1";

	cr_assert_eq(prep_pii_new(PREP_PII_EMAIL, &p), PREP_OK);
	check_scrub(p, in, "[EMAIL], +1 555-123-4567, 10.0.0.1", 1);
	prep_pii_free(p);
	cr_assert_eq(prep_pii_new(PREP_PII_PHONE | PREP_PII_IP, &p), PREP_OK);
	check_scrub(p, in, "jean@example.com, [PHONE], [IP]", 2);
	prep_pii_free(p);
	/* without the card detector, this Visa number is a phone-like run */
	cr_assert_eq(prep_pii_new(PREP_PII_PHONE, &p), PREP_OK);
	check_scrub(p, "4222 222 222 222", "[PHONE]", 1);
	prep_pii_free(p);
}

Test(scrub, many_values)
{
	prep_buf in, want;
	size_t i, n;
	char *got;

	prep_buf_init(&in, 0);
	prep_buf_init(&want, 0);
	for (i = 0; i < 1000; i++) {
		cr_assert_eq(
		    prep_buf_append_str(&in, "x jean@example.com, 10.0.0.1;\n"),
		    PREP_OK);
		cr_assert_eq(prep_buf_append_str(&want, "x [EMAIL], [IP];\n"),
			     PREP_OK);
	}
	got = scrub_n(all, in.data, in.len, &n);
	cr_expect_str_eq(got, want.data);
	cr_expect_eq(n, 2000);
	free(got);
	prep_buf_free(&in);
	prep_buf_free(&want);
}

/* ---- find ---- */

TestSuite(find, .init = setup_all, .fini = teardown_all);

Test(find, offsets_and_from)
{
	const char *s = "ip 10.0.0.1 mail a@example.com";
	size_t len = strlen(s);
	prep_pii_match m;

	cr_assert_eq(prep_pii_find(all, s, len, 0, &m), PREP_OK);
	cr_expect_eq(m.start, 3);
	cr_expect_eq(m.end, 11);
	cr_expect_eq(m.type, PREP_PII_IP);
	cr_assert_eq(prep_pii_find(all, s, len, m.end, &m), PREP_OK);
	cr_expect_eq(m.start, 17);
	cr_expect_eq(m.end, 30);
	cr_expect_eq(m.type, PREP_PII_EMAIL);
	cr_expect_eq(prep_pii_find(all, s, len, m.end, &m), PREP_END);
	/* from inside a value: what starts there is no match */
	cr_expect_eq(prep_pii_find(all, s, len, 18, &m), PREP_END);
	cr_expect_eq(prep_pii_find(all, s, len, 4, &m), PREP_OK);
	cr_expect_eq(m.start, 17);
	cr_expect_eq(prep_pii_find(all, s, len, 99, &m), PREP_END);
}

Test(find, overlap_rules)
{
	prep_pii_match m;
	const char *s = "1.2.3.4.5 10.0.0.1";

	/* card and phone both fit: same start, same length, card wins */
	check_whole("4222 222 222 222", PREP_PII_CARD);
	/* rejected candidates do not hide what starts inside them */
	cr_assert_eq(prep_pii_find(all, s, strlen(s), 0, &m), PREP_OK);
	cr_expect_eq(m.start, 10);
	cr_expect_eq(m.end, 18);
	cr_expect_eq(m.type, PREP_PII_IP);
	/* the e-mail starts first and holds the digits */
	check_whole("555-123-4567@example.com", PREP_PII_EMAIL);
}

/*
 * Pseudo-random text from an alphabet rich in digits and separators
 * (xorshift32, fixed seed): scrub must equal a loop over find, and every
 * match must lie inside the text, after `from`, without overlaps.
 */
Test(find, agrees_with_scrub_on_noise)
{
	static const char *const pieces[] = {"0",
					     "1",
					     "4",
					     "5",
					     "9",
					     " ",
					     "-",
					     ".",
					     ":",
					     "+",
					     "(",
					     ")",
					     "@",
					     "a",
					     "e",
					     "x",
					     "GB",
					     "\xc3\xa9",
					     "\xe2\x80\x9c",
					     "\xff",
					     "\n",
					     ",",
					     "com",
					     "::",
					     "4111",
					     "82"};
	uint32_t r = 2463534242u;
	prep_buf text, want;
	prep_pii_match m;
	const char *t;
	size_t i, k, pos, nwant, n, last;
	char *got;

	prep_buf_init(&text, 0);
	prep_buf_init(&want, 0);
	for (i = 0; i < 400; i++) {
		prep_buf_reset(&text);
		prep_buf_reset(&want);
		for (k = 0; k < i % 97; k++) {
			r ^= r << 13;
			r ^= r >> 17;
			r ^= r << 5;
			cr_assert_eq(
			    prep_buf_append_str(
				&text, pieces[r % (sizeof(pieces) /
						   sizeof(pieces[0]))]),
			    PREP_OK);
		}
		t = text.data ? text.data : "";
		pos = 0;
		last = 0;
		nwant = 0;
		while (prep_pii_find(all, t, text.len, pos, &m) == PREP_OK) {
			cr_assert(m.start >= pos && m.start < m.end &&
				  m.end <= text.len);
			cr_assert(m.start >= last);
			cr_assert_eq(
			    prep_buf_append(&want, t + pos, m.start - pos),
			    PREP_OK);
			cr_assert_eq(
			    prep_buf_append_str(&want, prep_pii_tag(m.type)),
			    PREP_OK);
			pos = last = m.end;
			nwant++;
		}
		cr_assert_eq(prep_buf_append(&want, t + pos, text.len - pos),
			     PREP_OK);
		got = scrub_n(all, t, text.len, &n);
		cr_expect_eq(n, nwant);
		cr_expect_eq(memcmp(got, want.data ? want.data : "", want.len),
			     0, "text %zu", i);
		free(got);
	}
	prep_buf_free(&text);
	prep_buf_free(&want);
}
