/*
 * http_parser: see http_parser.h. Every byte goes once through a state
 * machine, so the outcome cannot depend on how the input was split, and each
 * limit is checked on the very byte that would exceed it. Field values are
 * buffered only for the fields we interpret, and decoded when the line ends;
 * the checks that involve several fields wait for the end of the head so
 * that the order of field lines never matters.
 */
#include <string.h>

#include "http_parser.h"

enum state {
	ST_LEAD,	/* before the request line: empty line or method */
	ST_LEAD_LF,
	ST_METHOD,
	ST_TARGET,
	ST_VERSION,
	ST_LINE_LF,	/* after the request line's CR */
	ST_FIELD,	/* start of a field line, or of the final CRLF */
	ST_NAME,
	ST_OWS,		/* after the colon, before the value */
	ST_VALUE,
	ST_FIELD_LF,
	ST_END_LF,
	ST_DONE,
	ST_ERROR
};

enum field {
	F_OTHER,
	F_HOST,
	F_CONTENT_LENGTH,
	F_CONTENT_TYPE,
	F_CONNECTION,
	F_EXPECT,
	F_TRANSFER_ENCODING
};

#define SEEN(f) (1U << (f))

/* Results of one byte's step. */
#define STEP_MORE 0
#define STEP_DONE 1
#define STEP_ERROR (-1)

#define MAX_EMPTY_LINES 2

static const struct {
	const char *name;
	enum field field;
} known_fields[] = {
	{ "host", F_HOST },
	{ "content-length", F_CONTENT_LENGTH },
	{ "content-type", F_CONTENT_TYPE },
	{ "connection", F_CONNECTION },
	{ "expect", F_EXPECT },
	{ "transfer-encoding", F_TRANSFER_ENCODING },
};

static int
fail(struct http_parser *p, int status, const char *reason)
{
	p->state = ST_ERROR;
	p->status = status;
	p->reason = reason;
	return STEP_ERROR;
}

/* RFC 9110 tchar. */
static int
is_tchar(uint8_t c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
is_ws(uint8_t c)
{
	return (c == ' ' || c == '\t');
}

/* RFC 9110 field-vchar, or whitespace inside a value. */
static int
is_field_octet(uint8_t c)
{
	return ((c >= 0x21 && c != 0x7f) || is_ws(c));
}

static uint8_t
ascii_lower(uint8_t c)
{
	return ((c >= 'A' && c <= 'Z') ? (uint8_t)(c - 'A' + 'a') : c);
}

/* Does s[0..len) equal the lowercase NUL-terminated lc, ignoring case? */
static int
ascii_caseeq(const char *s, size_t len, const char *lc)
{
	if (strlen(lc) != len)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (ascii_lower((uint8_t)s[i]) != (uint8_t)lc[i])
			return 0;
	}
	return 1;
}

/*
 * http_parser_init(p, lim):
 * Prepare p for the first request of a connection under the limits lim
 * (copied; NULL means HTTP_LIMITS_DEFAULT; request_line_max is clamped to
 * HTTP_TARGET_CAP).
 */
void
http_parser_init(struct http_parser *p, const struct http_limits *lim)
{
	static const struct http_limits defaults = HTTP_LIMITS_DEFAULT;

	p->lim = (lim != NULL) ? *lim : defaults;
	if (p->lim.request_line_max > HTTP_TARGET_CAP)
		p->lim.request_line_max = HTTP_TARGET_CAP;
	http_parser_reset(p);
}

/*
 * http_parser_reset(p):
 * Prepare p, keeping its limits, for the next request on a keep-alive
 * connection, once the caller has dealt with the previous body.
 */
void
http_parser_reset(struct http_parser *p)
{
	struct http_limits lim = p->lim;

	memset(p, 0, sizeof(*p));
	p->lim = lim;
	p->state = ST_LEAD;
}

static int
st_lead(struct http_parser *p, uint8_t c)
{
	if (c == '\r') {
		if (++p->empty_lines > MAX_EMPTY_LINES)
			return fail(p, 400, "too many empty lines before request");
		p->state = ST_LEAD_LF;
		return STEP_MORE;
	}
	if (!is_tchar(c))
		return fail(p, 400, "malformed request line");
	p->state = ST_METHOD;
	p->method[p->method_len++] = (char)c;
	return STEP_MORE;
}

static void
set_method(struct http_parser *p)
{
	static const struct {
		const char *name;
		enum http_method method;
	} known[] = {
		{ "GET", HTTP_METHOD_GET },
		{ "HEAD", HTTP_METHOD_HEAD },
		{ "POST", HTTP_METHOD_POST },
	};

	p->req.method = HTTP_METHOD_OTHER;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (p->method_len == strlen(known[i].name) &&
		    memcmp(p->method, known[i].name, p->method_len) == 0)
			p->req.method = known[i].method;
	}
}

static int
st_method(struct http_parser *p, uint8_t c)
{
	if (c == ' ') {
		set_method(p);
		p->state = ST_TARGET;
		return STEP_MORE;
	}
	if (!is_tchar(c))
		return fail(p, 400, "malformed request method");
	if (p->method_len == HTTP_METHOD_MAX)
		return fail(p, 501, "request method not implemented");
	p->method[p->method_len++] = (char)c;
	return STEP_MORE;
}

static int
st_target(struct http_parser *p, uint8_t c)
{
	struct http_request *r = &p->req;

	if (r->target_len == 0 && c != '/')
		return fail(p, 400, "request target is not an absolute path");
	if (c == ' ') {
		r->target[r->target_len] = '\0';
		p->state = ST_VERSION;
		return STEP_MORE;
	}
	if (c < 0x21 || c > 0x7e || c == '#')
		return fail(p, 400, "malformed request target");
	/* Cannot happen: target_len < request_line_max <= HTTP_TARGET_CAP. */
	if (r->target_len >= HTTP_TARGET_CAP)
		return fail(p, 414, "request target too long");
	r->target[r->target_len++] = (char)c;
	return STEP_MORE;
}

/* The request line is complete: decide on "HTTP/" DIGIT "." DIGIT. */
static int
end_version(struct http_parser *p)
{
	const char *v = p->version;

	if (p->version_len != 8 || memcmp(v, "HTTP/", 5) != 0 ||
	    v[5] < '0' || v[5] > '9' || v[6] != '.' || v[7] < '0' || v[7] > '9')
		return fail(p, 400, "malformed HTTP version");
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return fail(p, 505, "HTTP version not supported");
	p->req.version = (v[7] == '1') ? 11 : 10;
	p->state = ST_LINE_LF;
	return STEP_MORE;
}

static int
st_version(struct http_parser *p, uint8_t c)
{
	if (c == '\r')
		return end_version(p);
	if (c < 0x21 || c > 0x7e || p->version_len == sizeof(p->version))
		return fail(p, 400, "malformed HTTP version");
	p->version[p->version_len++] = (char)c;
	return STEP_MORE;
}

static int
st_field(struct http_parser *p, uint8_t c)
{
	if (c == '\r') {
		p->state = ST_END_LF;
		return STEP_MORE;
	}
	if (is_ws(c))
		return fail(p, 400, "folded or indented field line");
	if (c == ':')
		return fail(p, 400, "empty field name");
	if (!is_tchar(c))
		return fail(p, 400, "malformed field name");
	if (++p->req.header_count > p->lim.header_count_max)
		return fail(p, 431, "too many header fields");
	p->name_len = 0;
	p->value_len = 0;
	p->state = ST_NAME;
	p->name[p->name_len++] = (char)c;
	return STEP_MORE;
}

/* The name is complete: identify it and refuse forbidden repeats. */
static int
begin_value(struct http_parser *p)
{
	unsigned int once = SEEN(F_HOST) | SEEN(F_CONTENT_LENGTH) |
	    SEEN(F_CONTENT_TYPE);

	p->field = F_OTHER;
	for (size_t i = 0; i < sizeof(known_fields) / sizeof(known_fields[0]);
	    i++) {
		if (p->name_len <= HTTP_NAME_MAX &&
		    ascii_caseeq(p->name, p->name_len, known_fields[i].name))
			p->field = known_fields[i].field;
	}
	if (p->seen & once & SEEN(p->field))
		return fail(p, 400, "repeated header field");
	p->seen |= SEEN(p->field);
	p->state = ST_OWS;
	return STEP_MORE;
}

static int
st_name(struct http_parser *p, uint8_t c)
{
	if (c == ':')
		return begin_value(p);
	if (is_ws(c))
		return fail(p, 400, "whitespace before colon");
	if (!is_tchar(c))
		return fail(p, 400, "malformed field name");
	if (p->name_len < HTTP_NAME_MAX)
		p->name[p->name_len] = (char)c;
	p->name_len++;
	return STEP_MORE;
}

static int
parse_content_length(struct http_parser *p)
{
	uint64_t v = 0;

	if (p->value_len == 0)
		return fail(p, 400, "malformed Content-Length");
	for (size_t i = 0; i < p->value_len; i++) {
		unsigned int d = (unsigned int)(p->value[i] - '0');

		if (p->value[i] < '0' || p->value[i] > '9')
			return fail(p, 400, "malformed Content-Length");
		if (v > (UINT64_MAX - d) / 10)
			return fail(p, 400, "malformed Content-Length");
		v = v * 10 + d;
	}
	if (v > p->lim.body_max)
		return fail(p, 413, "request body too large");
	p->req.has_content_length = 1;
	p->req.content_length = v;
	return STEP_MORE;
}

/* Note one element of the Connection list (already trimmed). */
static int
connection_token(struct http_parser *p, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!is_tchar((uint8_t)s[i]))
			return fail(p, 400, "malformed Connection");
	}
	if (ascii_caseeq(s, len, "close"))
		p->conn_close = 1;
	if (ascii_caseeq(s, len, "keep-alive"))
		p->conn_keep_alive = 1;
	return STEP_MORE;
}

/* Connection = #token: elements split on ',', OWS around each dropped. */
static int
parse_connection(struct http_parser *p)
{
	const char *s = p->value, *end = p->value + p->value_len;

	while (s < end) {
		const char *e = memchr(s, ',', (size_t)(end - s));
		const char *te;

		if (e == NULL)
			e = end;
		for (te = e; te > s && is_ws((uint8_t)te[-1]); te--)
			continue;
		while (s < te && is_ws((uint8_t)*s))
			s++;
		if (connection_token(p, s, (size_t)(te - s)) != STEP_MORE)
			return STEP_ERROR;
		s = e + 1;
	}
	return STEP_MORE;
}

static int
parse_content_type(struct http_parser *p)
{
	if (p->value_len == 0)
		return fail(p, 400, "empty Content-Type");
	memcpy(p->req.content_type, p->value, p->value_len + 1);
	return STEP_MORE;
}

/* The field line is complete (CR seen): act on the value we kept. */
static int
end_value(struct http_parser *p)
{
	while (p->value_len > 0 && is_ws((uint8_t)p->value[p->value_len - 1]))
		p->value_len--;
	p->value[p->value_len] = '\0';
	p->state = ST_FIELD_LF;
	switch (p->field) {
	case F_CONTENT_LENGTH:
		return parse_content_length(p);
	case F_CONTENT_TYPE:
		return parse_content_type(p);
	case F_CONNECTION:
		return parse_connection(p);
	case F_EXPECT:
		if (ascii_caseeq(p->value, p->value_len, "100-continue"))
			p->req.expect_100_continue = 1;
		return STEP_MORE;
	default:
		return STEP_MORE;
	}
}

static int
keeps_value(int field)
{
	return (field == F_CONTENT_LENGTH || field == F_CONTENT_TYPE ||
	    field == F_CONNECTION || field == F_EXPECT);
}

/*
 * Inside or before a value. Once the buffer is full, whitespace is dropped:
 * it can only be trailing, since any later non-whitespace is an overflow.
 */
static int
st_value(struct http_parser *p, uint8_t c)
{
	if (c == '\r')
		return end_value(p);
	if (!is_field_octet(c))
		return fail(p, 400, "control character in field value");
	if (p->state == ST_OWS && is_ws(c))
		return STEP_MORE;
	p->state = ST_VALUE;
	if (!keeps_value(p->field))
		return STEP_MORE;
	if (p->value_len == HTTP_CONTENT_TYPE_MAX) {
		if (is_ws(c))
			return STEP_MORE;
		return fail(p, 431, "header field value too long");
	}
	p->value[p->value_len++] = (char)c;
	return STEP_MORE;
}

/* Framing rules that involve several fields, then persistence. */
static int
end_head(struct http_parser *p)
{
	struct http_request *r = &p->req;

	if (r->version == 11 && !(p->seen & SEEN(F_HOST)))
		return fail(p, 400, "missing Host");
	if (p->seen & SEEN(F_TRANSFER_ENCODING)) {
		if (r->has_content_length)
			return fail(p, 400,
			    "both Transfer-Encoding and Content-Length");
		if (r->method == HTTP_METHOD_POST)
			return fail(p, 411, "Content-Length required");
		return fail(p, 400, "Transfer-Encoding not accepted");
	}
	if (r->method == HTTP_METHOD_POST && !r->has_content_length)
		return fail(p, 411, "Content-Length required");
	if ((r->method == HTTP_METHOD_GET || r->method == HTTP_METHOD_HEAD) &&
	    r->content_length > 0)
		return fail(p, 400, "body not allowed with this method");
	r->has_host = (p->seen & SEEN(F_HOST)) != 0;
	if (r->version == 10)
		r->expect_100_continue = 0;
	r->keep_alive = !p->conn_close &&
	    (r->version == 11 || p->conn_keep_alive);
	p->state = ST_DONE;
	return STEP_DONE;
}

static int
st_lf(struct http_parser *p, uint8_t c)
{
	if (c != '\n')
		return fail(p, 400, "bare CR");
	switch (p->state) {
	case ST_LEAD_LF:
		p->state = ST_LEAD;
		return STEP_MORE;
	case ST_END_LF:
		return end_head(p);
	default:	/* ST_LINE_LF, ST_FIELD_LF */
		p->state = ST_FIELD;
		return STEP_MORE;
	}
}

static int
in_request_line(int state)
{
	return (state == ST_LEAD || state == ST_METHOD || state == ST_TARGET ||
	    state == ST_VERSION);
}

static int
in_header_section(int state)
{
	return (state >= ST_FIELD && state <= ST_END_LF);
}

static int
dispatch(struct http_parser *p, uint8_t c)
{
	switch (p->state) {
	case ST_LEAD:
		return st_lead(p, c);
	case ST_METHOD:
		return st_method(p, c);
	case ST_TARGET:
		return st_target(p, c);
	case ST_VERSION:
		return st_version(p, c);
	case ST_FIELD:
		return st_field(p, c);
	case ST_NAME:
		return st_name(p, c);
	case ST_OWS:
	case ST_VALUE:
		return st_value(p, c);
	default:	/* the four *_LF states */
		return st_lf(p, c);
	}
}

/* Checks on every byte, in a fixed order, then the state's own rules. */
static int
step(struct http_parser *p, uint8_t c)
{
	int lf_state = (p->state == ST_LEAD_LF || p->state == ST_LINE_LF ||
	    p->state == ST_FIELD_LF || p->state == ST_END_LF);

	if (c == '\0')
		return fail(p, 400, "NUL byte");
	if (c == '\n' && !lf_state)
		return fail(p, 400, "bare LF");
	if (in_request_line(p->state) && c != '\r' &&
	    ++p->line_len > p->lim.request_line_max) {
		if (p->state == ST_LEAD || p->state == ST_METHOD)
			return fail(p, 501, "request method not implemented");
		return fail(p, 414, "request target too long");
	}
	if (in_header_section(p->state) &&
	    ++p->header_bytes > p->lim.header_bytes_max)
		return fail(p, 431, "header section too large");
	return dispatch(p, c);
}

/*
 * http_parser_feed(p, buf, len, consumed):
 * Push the len bytes at buf. Set *consumed to the number of bytes taken:
 * len on HTTP_PARSE_NEED_MORE; on HTTP_PARSE_DONE the bytes up to and
 * including the CRLF that ends the head, so buf + *consumed is the first
 * body byte (or the next request); on HTTP_PARSE_ERROR the bytes up to and
 * including the offending one. Once DONE or ERROR, further calls consume
 * nothing and return the same result until http_parser_reset().
 */
enum http_parse_result
http_parser_feed(struct http_parser *p, const uint8_t *buf, size_t len,
    size_t *consumed)
{
	*consumed = 0;
	if (p->state == ST_DONE)
		return HTTP_PARSE_DONE;
	if (p->state == ST_ERROR)
		return HTTP_PARSE_ERROR;
	for (size_t i = 0; i < len; i++) {
		int rc = step(p, buf[i]);

		if (rc == STEP_MORE)
			continue;
		*consumed = i + 1;
		return (rc == STEP_DONE ? HTTP_PARSE_DONE : HTTP_PARSE_ERROR);
	}
	*consumed = len;
	return HTTP_PARSE_NEED_MORE;
}

/*
 * http_parser_request(p):
 * Return the parsed head if p has said HTTP_PARSE_DONE, else NULL.
 */
const struct http_request *
http_parser_request(const struct http_parser *p)
{
	return (p->state == ST_DONE ? &p->req : NULL);
}

/*
 * http_parser_error(p, reason):
 * Return the status code to answer with (400, 411, 413, 414, 431, 501 or
 * 505) if p has said HTTP_PARSE_ERROR, else 0. If reason is not NULL, set
 * *reason to a short fixed English phrase for the error page (NULL if none).
 */
int
http_parser_error(const struct http_parser *p, const char **reason)
{
	if (reason != NULL)
		*reason = (p->state == ST_ERROR) ? p->reason : NULL;
	return (p->state == ST_ERROR ? p->status : 0);
}
