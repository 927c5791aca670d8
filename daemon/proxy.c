/*
 * proxy: see proxy.h. One byte at a time through a small state machine, so
 * the outcome depends only on the bytes and never on how they were split
 * into reads (tests/fuzz/fuzz_proxy.c checks exactly that). Each field is
 * checked by character class as it arrives, and as a whole (inet_pton, port
 * range) at the space or CR that ends it.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "encode.h"
#include "proxy.h"

enum state {
	ST_PREFIX,		/* "PROXY " */
	ST_PROTO,		/* "TCP4 ", "TCP6 " or "UNKNOWN" */
	ST_UNKNOWN_SEP,		/* SP or CR after "UNKNOWN" */
	ST_UNKNOWN_TAIL,	/* anything up to CR */
	ST_SRC,
	ST_DST,
	ST_SPORT,
	ST_DPORT,
	ST_LF,
	ST_DONE,
	ST_ERROR
};

static const char prefix[] = "PROXY ";
static const char *const protos[] = { "TCP4 ", "TCP6 ", "UNKNOWN" };

/* Enter the error state with a reason; return PROXY_ERROR. */
static int
fail(struct proxy_parser *p, const char *why)
{
	p->state = ST_ERROR;
	p->status = PROXY_ERROR;
	p->why = why;
	return PROXY_ERROR;
}

/*
 * proxy_init(p):
 * Make p ready to read one PROXY line.
 */
void
proxy_init(struct proxy_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->state = ST_PREFIX;
	p->status = PROXY_NEED_MORE;
}

/* Append c to the current field, which may hold at most max bytes. */
static int
tok_push(struct proxy_parser *p, char c, size_t max, const char *why)
{
	if (p->toklen >= max || p->toklen >= sizeof(p->tok) - 1)
		return fail(p, why);
	p->tok[p->toklen++] = c;
	p->tok[p->toklen] = '\0';
	return PROXY_NEED_MORE;
}

/* Start reading the next field in state next. */
static int
tok_next(struct proxy_parser *p, int next)
{
	memset(p->tok, 0, sizeof(p->tok));
	p->toklen = 0;
	p->state = next;
	return PROXY_NEED_MORE;
}

/* The byte after "PROXY ": build up the protocol name. */
static int
step_proto(struct proxy_parser *p, char c)
{
	size_t i;

	if (tok_push(p, c, 7, "unknown protocol") != PROXY_NEED_MORE)
		return PROXY_ERROR;
	for (i = 0; i < 3; i++) {
		if (strncmp(protos[i], p->tok, p->toklen) != 0)
			continue;
		if (strlen(protos[i]) > p->toklen)
			return PROXY_NEED_MORE;
		if (i == 2)
			return tok_next(p, ST_UNKNOWN_SEP);
		p->info.family = (i == 0) ? PROXY_FAMILY_TCP4 : PROXY_FAMILY_TCP6;
		return tok_next(p, ST_SRC);
	}
	return fail(p, "unknown protocol (want TCP4, TCP6 or UNKNOWN)");
}

/* Is c possible in a textual address of the line's family? */
static int
addr_char(enum proxy_family fam, char c)
{
	if (c >= '0' && c <= '9')
		return 1;
	if (c == '.')
		return 1;
	if (fam != PROXY_FAMILY_TCP6)
		return 0;
	return c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The space after an address: check it; keep the circuit id from src. */
static int
addr_end(struct proxy_parser *p)
{
	uint8_t a[16];
	int af = (p->info.family == PROXY_FAMILY_TCP6) ? AF_INET6 : AF_INET;

	if (p->toklen == 0)
		return fail(p, "empty address (two spaces?)");
	if (inet_pton(af, p->tok, a) != 1)
		return fail(p, "address is not valid for the protocol");
	if (p->state == ST_SRC) {
		p->info.circuit_id = decode_be32(af == AF_INET6 ? a + 12 : a);
		p->info.has_circuit_id = 1;
	}
	return tok_next(p, p->state == ST_SRC ? ST_DST : ST_SPORT);
}

/* Source or destination address. */
static int
step_addr(struct proxy_parser *p, char c)
{
	size_t max = (p->info.family == PROXY_FAMILY_TCP6) ? 45 : 15;

	if (c == ' ')
		return addr_end(p);
	if (!addr_char(p->info.family, c))
		return fail(p, "unexpected byte in address");
	return tok_push(p, c, max, "address too long");
}

/* The byte that ends a port: check the port and store it. */
static int
port_end(struct proxy_parser *p)
{
	unsigned long v = 0;

	if (p->toklen == 0)
		return fail(p, "empty port (two spaces?)");
	for (size_t i = 0; i < p->toklen; i++)
		v = v * 10 + (unsigned long)(p->tok[i] - '0');
	if (v > 65535)
		return fail(p, "port above 65535");
	if (p->state == ST_SPORT) {
		p->info.src_port = (uint16_t)v;
		return tok_next(p, ST_DPORT);
	}
	p->info.dst_port = (uint16_t)v;
	return tok_next(p, ST_LF);
}

/* Source port (ended by a space) or destination port (ended by CR). */
static int
step_port(struct proxy_parser *p, char c)
{
	char end = (p->state == ST_SPORT) ? ' ' : '\r';

	if (c == end)
		return port_end(p);
	if (c < '0' || c > '9')
		return fail(p, "unexpected byte in port");
	if (p->toklen == 1 && p->tok[0] == '0')
		return fail(p, "port with a leading zero");
	return tok_push(p, c, 5, "port above 65535");
}

/* Everything after "PROXY UNKNOWN" up to the CRLF. */
static int
step_unknown(struct proxy_parser *p, char c)
{
	if (c == '\r') {
		p->state = ST_LF;
		return PROXY_NEED_MORE;
	}
	if (c == '\n')
		return fail(p, "bare LF (want CRLF)");
	if (p->state == ST_UNKNOWN_SEP && c != ' ')
		return fail(p, "unknown protocol (want TCP4, TCP6 or UNKNOWN)");
	p->state = ST_UNKNOWN_TAIL;
	return PROXY_NEED_MORE;
}

/* The fixed "PROXY " that every line begins with. */
static int
step_prefix(struct proxy_parser *p, char c)
{
	if (c != prefix[p->linelen])
		return fail(p, "not a PROXY line");
	if (p->linelen + 1 == sizeof(prefix) - 1)
		p->state = ST_PROTO;
	return PROXY_NEED_MORE;
}

/* The byte after the CR. */
static int
step_lf(struct proxy_parser *p, char c)
{
	if (c != '\n')
		return fail(p, "CR not followed by LF");
	memset(p->tok, 0, sizeof(p->tok));
	p->toklen = 0;
	p->state = ST_DONE;
	p->status = PROXY_DONE;
	return PROXY_DONE;
}

/* Advance by one byte; return PROXY_NEED_MORE, PROXY_DONE or PROXY_ERROR. */
static int
step(struct proxy_parser *p, char c)
{
	if (c == '\n' && p->state != ST_LF)
		return fail(p, "bare LF (want CRLF)");
	switch (p->state) {
	case ST_PREFIX:
		return step_prefix(p, c);
	case ST_PROTO:
		return step_proto(p, c);
	case ST_UNKNOWN_SEP:
	case ST_UNKNOWN_TAIL:
		return step_unknown(p, c);
	case ST_SRC:
	case ST_DST:
		return step_addr(p, c);
	case ST_SPORT:
	case ST_DPORT:
		return step_port(p, c);
	case ST_LF:
		return step_lf(p, c);
	default:
		return fail(p, "parser in a bad state");
	}
}

/*
 * proxy_feed(p, buf, len, consumed):
 * Read bytes of the line from buf[0..len) and set *consumed to how many were
 * used; on PROXY_DONE the rest of buf (from *consumed on) belongs to the next
 * protocol. Return PROXY_NEED_MORE if every byte was used and the line is not
 * complete, PROXY_DONE once the CRLF has been read, or PROXY_ERROR if the
 * bytes so far cannot begin a valid line (*consumed then counts the bytes up
 * to and including the first bad one). Once DONE or ERROR, further calls
 * consume nothing and return the same value.
 */
int
proxy_feed(struct proxy_parser *p, const uint8_t *buf, size_t len,
    size_t *consumed)
{
	size_t i = 0;
	int rc = p->status;

	while (rc == PROXY_NEED_MORE && i < len) {
		rc = step(p, (char)buf[i++]);
		p->linelen++;
		if (rc == PROXY_NEED_MORE && p->linelen >= PROXY_LINE_MAX)
			rc = fail(p, "no CRLF within 107 bytes");
	}
	*consumed = i;
	return rc;
}

/*
 * proxy_result(p):
 * Return what the line said, or NULL if proxy_feed has not returned
 * PROXY_DONE.
 */
const struct proxy_info *
proxy_result(const struct proxy_parser *p)
{
	return (p->status == PROXY_DONE) ? &p->info : NULL;
}

/*
 * proxy_error(p):
 * Return a short English reason why proxy_feed returned PROXY_ERROR, or NULL
 * if it has not. The reason names the part of the grammar, never the bytes.
 */
const char *
proxy_error(const struct proxy_parser *p)
{
	return (p->status == PROXY_ERROR) ? p->why : NULL;
}
