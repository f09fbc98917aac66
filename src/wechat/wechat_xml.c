/* wechat_xml.c — the WeChat callback's wire format: the SHA-1 request
 * signature (OpenSSL's libcrypto) and the XML message, parsed with expat
 * under hard limits on size, depth, element count and field length, with
 * DOCTYPEs and entities refused outright (see wechat_xml.h). */
#include "wechat/wechat_xml.h"
#include <expat.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The root's children we read, by tag name. */
static const struct {
    const char *tag;
    size_t off;
    bool keep_space; /* Content is the fan's own text: kept as sent */
} wx_fields[] = {
    {"ToUserName", offsetof(wx_msg, to_user), false},
    {"FromUserName", offsetof(wx_msg, from_user), false},
    {"CreateTime", offsetof(wx_msg, create_time), false},
    {"MsgType", offsetof(wx_msg, msg_type), false},
    {"Event", offsetof(wx_msg, event), false},
    {"EventKey", offsetof(wx_msg, event_key), false},
    {"Content", offsetof(wx_msg, content), true},
    {"MsgId", offsetof(wx_msg, msg_id), false},
    {"PicUrl", offsetof(wx_msg, pic_url), false},
    {"MediaId", offsetof(wx_msg, media_id), false},
    {"Title", offsetof(wx_msg, title), false},
    {"Url", offsetof(wx_msg, url), false},
    {"Label", offsetof(wx_msg, label), false},
    {"Recognition", offsetof(wx_msg, recognition), false},
};
enum { WX_NFIELDS = sizeof(wx_fields) / sizeof(wx_fields[0]) };

typedef struct wx_state {
    XML_Parser p;
    arena *a;
    wx_msg *out;
    int rc; /* first error found by a handler */
    int depth, count;
    int cur;   /* index in wx_fields of the open depth-2 field, or -1 */
    char *buf; /* its text so far (WX_FIELD_MAX + 1 bytes) */
    size_t len;
    char detail[96];
} wx_state;

static const char **slot(wx_msg *m, int i)
{
    return (const char **)(void *)((char *)m + wx_fields[i].off);
}

static void fail(wx_state *st, int rc, const char *detail)
{
    if (st->rc) return;
    st->rc = rc;
    snprintf(st->detail, sizeof(st->detail), "%s", detail);
    XML_StopParser(st->p, XML_FALSE);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    (void)attrs;
    wx_state *st = ud;
    if (st->rc) return;
    st->depth++;
    if (st->depth > WX_DEPTH_MAX)
        fail(st, WX_EDEPTH, "the elements are nested too deep");
    else if (++st->count > WX_ELEMENTS_MAX)
        fail(st, WX_ECOUNT, "there are too many elements");
    else if (st->depth == 1 && strcmp(name, "xml") != 0)
        fail(st, WX_EROOT, "the root element must be <xml>");
    if (st->rc || st->depth != 2) return;
    st->cur = -1;
    for (int i = 0; i < WX_NFIELDS; i++)
        if (strcmp(wx_fields[i].tag, name) == 0) st->cur = i;
    if (st->cur >= 0 && *slot(st->out, st->cur)) {
        snprintf(st->detail, sizeof(st->detail), "<%s> appears twice", wx_fields[st->cur].tag);
        st->rc = WX_EDUP;
        XML_StopParser(st->p, XML_FALSE);
        return;
    }
    st->len = 0;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    (void)name;
    wx_state *st = ud;
    if (st->rc) return;
    if (st->depth == 2 && st->cur >= 0) {
        const char *s = st->buf;
        size_t n = st->len;
        if (!wx_fields[st->cur].keep_space) {
            while (n && strchr(" \t\r\n", *s))
                s++, n--;
            while (n && strchr(" \t\r\n", s[n - 1]))
                n--;
        }
        *slot(st->out, st->cur) = arena_strndup(st->a, s, n);
        st->cur = -1;
    }
    st->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int n)
{
    wx_state *st = ud;
    if (st->rc || st->depth != 2 || st->cur < 0 || n <= 0) return;
    if (st->len + (size_t)n > WX_FIELD_MAX) {
        snprintf(st->detail, sizeof(st->detail), "<%s> is longer than %d bytes",
                 wx_fields[st->cur].tag, WX_FIELD_MAX);
        st->rc = WX_ETOOLONG;
        XML_StopParser(st->p, XML_FALSE);
        return;
    }
    memcpy(st->buf + st->len, s, (size_t)n);
    st->len += (size_t)n;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    fail(ud, WX_EDOCTYPE, "a DOCTYPE is not accepted");
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param,
                                   const XML_Char *value, int value_len, const XML_Char *base,
                                   const XML_Char *sysid, const XML_Char *pubid,
                                   const XML_Char *notation)
{
    (void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)sysid, (void)pubid,
        (void)notation;
    fail(ud, WX_EDOCTYPE, "entity declarations are not accepted");
}

static int XMLCALL on_external_entity(XML_Parser p, const XML_Char *context, const XML_Char *base,
                                      const XML_Char *sysid, const XML_Char *pubid)
{
    (void)p, (void)context, (void)base, (void)sysid, (void)pubid;
    return XML_STATUS_ERROR; /* never fetch anything */
}

int wx_parse(arena *a, const char *xml, size_t len, wx_msg *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (errlen) err[0] = 0;
    if (len > WX_BODY_MAX) {
        snprintf(err, errlen, "the document is larger than %d bytes", WX_BODY_MAX);
        return WX_ETOOBIG;
    }
    wx_state st = {.a = a, .out = out, .cur = -1};
    st.p = XML_ParserCreate(NULL);
    if (!st.p) abort(); /* out of memory: as the arena does */
    st.buf = arena_alloc(a, WX_FIELD_MAX + 1);
    XML_SetUserData(st.p, &st);
    XML_SetElementHandler(st.p, on_start, on_end);
    XML_SetCharacterDataHandler(st.p, on_text);
    XML_SetStartDoctypeDeclHandler(st.p, on_doctype);
    XML_SetEntityDeclHandler(st.p, on_entity_decl);
    XML_SetExternalEntityRefHandler(st.p, on_external_entity);
    XML_SetParamEntityParsing(st.p, XML_PARAM_ENTITY_PARSING_NEVER);
    enum XML_Status s = XML_Parse(st.p, xml ? xml : "", (int)len, XML_TRUE);
    int rc = st.rc;
    if (rc) {
        snprintf(err, errlen, "%s", st.detail);
    } else if (s != XML_STATUS_OK) {
        rc = WX_EMALFORMED;
        snprintf(err, errlen, "%s at line %lu, column %lu", XML_ErrorString(XML_GetErrorCode(st.p)),
                 (unsigned long)XML_GetCurrentLineNumber(st.p),
                 (unsigned long)XML_GetCurrentColumnNumber(st.p) + 1);
    }
    XML_ParserFree(st.p);
    if (rc) memset(out, 0, sizeof(*out));
    return rc;
}

const char *wx_strerror(int rc)
{
    switch (rc) {
    case WX_OK:
        return "ok";
    case WX_EMALFORMED:
        return "malformed";
    case WX_EDOCTYPE:
        return "doctype";
    case WX_EDEPTH:
        return "too deep";
    case WX_ECOUNT:
        return "too many elements";
    case WX_ETOOLONG:
        return "field too long";
    case WX_ETOOBIG:
        return "too big";
    case WX_EROOT:
        return "wrong root";
    case WX_EDUP:
        return "repeated field";
    default:
        return "unknown";
    }
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

int wx_signature(const char *token, const char *timestamp, const char *nonce, char out[41])
{
    const char *parts[3] = {token, timestamp, nonce};
    char joined[3 * WX_SIG_PART_MAX + 1];
    size_t n = 0;
    out[0] = 0;
    for (int i = 0; i < 3; i++)
        if (!parts[i] || strlen(parts[i]) > WX_SIG_PART_MAX) return -1;
    qsort(parts, 3, sizeof(parts[0]), cmp_str);
    for (int i = 0; i < 3; i++) {
        size_t k = strlen(parts[i]);
        memcpy(joined + n, parts[i], k);
        n += k;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(joined, n, md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20) return -1;
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < 20; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[40] = 0;
    return 0;
}

bool wx_signature_ok(const char *token, const char *timestamp, const char *nonce, const char *sig)
{
    char want[41], got[41];
    if (!sig || strlen(sig) != 40 || wx_signature(token, timestamp, nonce, want) < 0) return false;
    for (int i = 0; i < 40; i++) {
        char ch = sig[i];
        got[i] = ch >= 'A' && ch <= 'F' ? (char)(ch - 'A' + 'a') : ch;
    }
    got[40] = 0;
    return CRYPTO_memcmp(want, got, 40) == 0;
}
