/*
 * html: escaping of untrusted and translated text on its way into a page
 * held in an evbuffer: lib/htmlesc's escaping, which serves both contexts
 * the pages use, element text and double-quoted attribute values (& < >
 * " and ' escaped, so nothing escaped can open a tag, end an attribute or
 * start an entity). Pages never put untrusted text in unquoted
 * attributes, URLs, style or script.
 */
#ifndef HTML_H
#define HTML_H

#include <stddef.h>

#include <event2/buffer.h>

/*
 * html_escape(out, s, len):
 * Append the len bytes of s to out, escaped for element text or a quoted
 * attribute value. NUL bytes and invalid UTF-8 become U+FFFD, so the page
 * stays valid UTF-8 whatever a reporter sent.
 */
void html_escape(struct evbuffer *out, const char *s, size_t len);

/* html_escape_str(out, s): html_escape() of the NUL-terminated s. */
void html_escape_str(struct evbuffer *out, const char *s);

#endif
