/*
 * proxy: a strict, push-based parser for the one HAProxy PROXY protocol v1
 * line that Tor's "HiddenServiceExportCircuitID haproxy" puts at the start
 * of every stream, e.g.
 *
 *	PROXY TCP6 fc00:dead:beef:4dad::0:92 ::1 146 80\r\n
 *
 * It owns only the grammar: no sockets, no allocation, no logging. The line
 * may arrive in pieces; the parser never consumes a byte past the CRLF,
 * because the HTTP request follows in the same buffer. A prefix that cannot
 * become a valid line is refused at the first impossible byte, so a client
 * that speaks HTTP straight away is turned down after "G".
 *
 * What it keeps is the circuit id (the low 32 bits of the TCP6 source
 * address, which Tor sets to the circuit's global identifier) and the ports;
 * the addresses themselves are checked with inet_pton and then forgotten.
 */
#ifndef PROXY_H
#define PROXY_H

#include <stddef.h>
#include <stdint.h>

/* Longest line the protocol allows, CRLF included. */
#define PROXY_LINE_MAX 107

/* Return values of proxy_feed. */
#define PROXY_NEED_MORE 0
#define PROXY_DONE 1
#define PROXY_ERROR (-1)

/* Address family named on the line. */
enum proxy_family {
	PROXY_FAMILY_UNKNOWN = 0,
	PROXY_FAMILY_TCP4,
	PROXY_FAMILY_TCP6
};

/* What a complete line said. */
struct proxy_info {
	enum proxy_family family;
	int has_circuit_id;	/* 0 for UNKNOWN: no id, no ports. */
	uint32_t circuit_id;	/* TCP6: low 32 bits of src; TCP4: src. */
	uint16_t src_port;
	uint16_t dst_port;
};

/*
 * Parser state. Declared here so it can live inside a connection without an
 * allocation; the fields are private to proxy.c.
 */
struct proxy_parser {
	int state;
	int status;
	size_t linelen;		/* Bytes of the line consumed so far. */
	size_t toklen;		/* Bytes in tok[]. */
	char tok[48];		/* Field being read (an address or a port). */
	const char *why;	/* Reason for PROXY_ERROR. */
	struct proxy_info info;
};

/*
 * proxy_init(p):
 * Make p ready to read one PROXY line.
 */
void proxy_init(struct proxy_parser *p);

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
int proxy_feed(struct proxy_parser *p, const uint8_t *buf, size_t len,
    size_t *consumed);

/*
 * proxy_result(p):
 * Return what the line said, or NULL if proxy_feed has not returned
 * PROXY_DONE.
 */
const struct proxy_info *proxy_result(const struct proxy_parser *p);

/*
 * proxy_error(p):
 * Return a short English reason why proxy_feed returned PROXY_ERROR, or NULL
 * if it has not. The reason names the part of the grammar, never the bytes.
 */
const char *proxy_error(const struct proxy_parser *p);

#endif
