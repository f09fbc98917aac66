/* wechat_xml.h — the wire format of the WeChat official-account callback:
 * the request signature (SHA-1 of the sorted token, timestamp and nonce) and
 * the XML message WeChat posts, parsed with expat under hard limits. Used by
 * wechat.c; kept apart so the unit tests and fuzz target reach it directly. */
#ifndef TF_WECHAT_XML_H
#define TF_WECHAT_XML_H
#include <stdbool.h>
#include <stddef.h>
#include "base/arena.h"

#define WX_BODY_MAX     (64 * 1024) /* bytes of one message document */
#define WX_DEPTH_MAX    8           /* element nesting (WeChat's own messages use 4 at most) */
#define WX_ELEMENTS_MAX 256         /* elements in one document */
#define WX_FIELD_MAX    8192        /* bytes of one field's text */
#define WX_SIG_PART_MAX 128         /* bytes of each signed part (token, timestamp, nonce) */

enum {
    WX_OK = 0,
    WX_EMALFORMED = -1, /* not well-formed XML (expat's error in err) */
    WX_EDOCTYPE = -2,   /* a DOCTYPE, entity declaration or external entity */
    WX_EDEPTH = -3,     /* nested deeper than WX_DEPTH_MAX */
    WX_ECOUNT = -4,     /* more than WX_ELEMENTS_MAX elements */
    WX_ETOOLONG = -5,   /* a field longer than WX_FIELD_MAX */
    WX_ETOOBIG = -6,    /* the document is larger than WX_BODY_MAX */
    WX_EROOT = -7,      /* the root element is not <xml> */
    WX_EDUP = -8,       /* a field appears twice */
};

/* The fields of a message or event WeChat sends; NULL when absent. Strings
 * are UTF-8 (expat converts from the declared encoding) and live in the
 * arena given to wx_parse. Every field but Content is trimmed of spaces. */
typedef struct wx_msg {
    const char *to_user;     /* ToUserName: the official account */
    const char *from_user;   /* FromUserName: the fan's openid */
    const char *create_time; /* CreateTime: seconds since the epoch, as sent */
    const char *msg_type;    /* MsgType: text, image, voice, video, location, link, event ... */
    const char *event;       /* Event: subscribe, unsubscribe, CLICK, ... */
    const char *event_key;   /* EventKey */
    const char *content;     /* Content (text messages) */
    const char *msg_id;      /* MsgId (messages, not events) */
    const char *pic_url, *media_id, *title, *url, *label, *recognition;
} wx_msg;

/* Parses one callback document into *out. Rejects any DOCTYPE (so no entity
 * declarations: no billion laughs, no XXE), external entities, documents
 * over the limits above, a root other than <xml> and repeated fields. Only
 * the root's direct children are read; deeper elements and unknown fields
 * are skipped. Returns WX_OK or a WX_E* code with a sentence in err. */
int wx_parse(arena *a, const char *xml, size_t len, wx_msg *out, char *err, size_t errlen);
/* A short English name of a WX_E* code. */
const char *wx_strerror(int rc);

/* The callback signature: lowercase hex SHA-1 of token, timestamp and nonce
 * sorted bytewise and concatenated, into out. -1 if a part is NULL or longer
 * than WX_SIG_PART_MAX. */
int wx_signature(const char *token, const char *timestamp, const char *nonce, char out[41]);
/* True if sig (hex, either case) is the signature of the three parts;
 * compared in constant time. */
bool wx_signature_ok(const char *token, const char *timestamp, const char *nonce, const char *sig);
#endif
