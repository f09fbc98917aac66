/* openapi.c — the OpenAPI 3.1 document, generated from the route table so
 * the two can never disagree: every route becomes one operation with its
 * summary, path parameters, query parameters (QUERY in front of the
 * summary, http.h), security, request body schema and the problem+json
 * replies it can give. The document passes Redocly's recommended rules
 * (tests/openapi/check.sh) and is what the browser tests check every
 * request against (tests/browser/lib.mjs).
 *
 * The 4xx replies follow from the route's shape, the way the dispatcher
 * and input_check give them (server.c, input.c):
 *   400 every route (a URL that is not UTF-8, a bad query parameter or JSON)
 *   401, 403 every route that needs a sign-in (the permission, CSRF, a role
 *       or record check in the handler)
 *   404 a route with a path parameter (no such record, or not one you see)
 *   409 a signed-in write with a body or a path parameter (a stale version,
 *       a duplicate, a state that does not allow it)
 *   413, 415 every unsafe method (the body's size and media type)
 *   422 a JSON body (input_check's per-field errors)
 * and REPLIES adds the rest (429 for sign-in throttling, ...). */
#include "http/http.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LICENSE_NAME "MIT"

static const struct {
    int status;
    const char *name, *description;
} replies[] = {
    {400, "BadRequest", "The query, the path or the JSON body cannot be read (code says which)"},
    {401, "Unauthorized", "Sign in first (session cookie or Bearer token)"},
    {403, "Forbidden", "Not allowed: permission, role, record or a missing X-CSRF-Token"},
    {404, "NotFound", "No such record, or not one you may see"},
    {409, "Conflict", "A stale version, a duplicate, or a state that does not allow it"},
    {410, "Gone", "No longer there"},
    {413, "PayloadTooLarge", "The body is larger than this route accepts"},
    {415, "UnsupportedMediaType", "The body is not of the media type this route reads"},
    {422, "Unprocessable", "The body's fields are not valid; errors lists them"},
    {429, "TooManyRequests", "Too many attempts; wait and try again"},
};
#define NREPLIES (sizeof(replies) / sizeof(replies[0]))

static bool unsafe(const char *m) { return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0; }

/* The schema of one query parameter from its type word(s) (http.h). */
static json_t *query_schema(const char *type, size_t n)
{
    char t[160];
    snprintf(t, sizeof(t), "%.*s", (int)(n < sizeof(t) ? n : sizeof(t) - 1), type);
    if (!*t) return json_pack("{s:s}", "type", "string");
    if (strcmp(t, "int") == 0) return json_pack("{s:s}", "type", "integer");
    if (strcmp(t, "id") == 0) return json_pack("{s:s, s:i}", "type", "integer", "minimum", 1);
    if (strcmp(t, "bool") == 0) return json_pack("{s:s}", "type", "boolean");
    if (strcmp(t, "date") == 0) return json_pack("{s:s, s:s}", "type", "string", "format", "date");
    if (strcmp(t, "time") == 0)
        return json_pack("{s:[{s:s, s:s}, {s:s, s:s}]}", "anyOf", "type", "string", "format",
                         "date", "type", "string", "format", "date-time");
    /* one of the words, or an id where ID is one of them */
    json_t *words = json_array();
    bool id = false;
    for (char *save = NULL, *w = strtok_r(t, "|", &save); w; w = strtok_r(NULL, "|", &save)) {
        if (strcmp(w, "ID") == 0) id = true;
        else json_array_append_new(words, json_string(w));
    }
    json_t *en = json_pack("{s:s, s:o}", "type", "string", "enum", words);
    if (!id) return en;
    return json_pack("{s:[o, {s:s, s:i}]}", "anyOf", en, "type", "integer", "minimum", 1);
}

static json_t *query_param(const char *name, size_t n, bool required, json_t *schema)
{
    return json_pack("{s:s%, s:s, s:b, s:o}", "name", name, n, "in", "query", "required",
                     required, "schema", schema);
}

/* QUERY's tokens as parameters (appended to params). */
static void query_params(const char *spec, size_t len, json_t *params)
{
    const char *p = spec, *end = spec + len;
    while (p < end) {
        while (p < end && *p == ' ') p++;
        const char *tok = p;
        while (p < end && *p != ' ') p++;
        size_t n = (size_t)(p - tok);
        if (!n) continue;
        if (n == 4 && strncmp(tok, "page", 4) == 0) {
            json_array_append_new(
                params, query_param("limit", 5, false,
                                    json_pack("{s:s, s:i, s:i, s:i}", "type", "integer", "minimum",
                                              1, "maximum", PAGE_MAX, "default", PAGE_DEFAULT)));
            json_array_append_new(
                params, query_param("cursor", 6, false,
                                    json_pack("{s:s, s:s, s:s}", "type", "string", "pattern",
                                              "^[0-9]+$", "description",
                                              "next_cursor of the page before")));
            continue;
        }
        if (n > 2 && tok[n - 1] == '*' && tok[n - 2] == '.') { /* a prefix: cf.* */
            size_t pn = n - 1;
            char pat[96];
            snprintf(pat, sizeof(pat), "^%.*s\\.", (int)(pn - 1), tok);
            json_t *value = json_pack("{s:[{s:s}, {s:s, s:{s:s}}]}", "oneOf", "type", "string",
                                      "type", "array", "items", "type", "string");
            json_t *schema = json_pack("{s:s, s:{s:s}, s:o}", "type", "object", "propertyNames",
                                       "pattern", pat, "additionalProperties", value);
            json_t *prm = query_param(tok, pn - 1, false, schema);
            json_object_set_new(prm, "style", json_string("form"));
            json_object_set_new(prm, "explode", json_true());
            json_object_set_new(prm, "description",
                                json_sprintf("any parameter named %.*s (each its own name)",
                                             (int)n, tok));
            json_array_append_new(params, prm);
            continue;
        }
        const char *eq = memchr(tok, '=', n);
        size_t nn = eq ? (size_t)(eq - tok) : n;
        bool required = nn && tok[nn - 1] == '!';
        if (required) nn--;
        json_array_append_new(params, query_param(tok, nn, required,
                                                  query_schema(eq ? eq + 1 : "",
                                                               eq ? n - nn - 1 - required : 0)));
    }
}

/* The summary without its QUERY and REPLIES lines; those set in *q and *x. */
static const char *summary_parts(const char *s, const char **q, size_t *qn, const char **x,
                                 size_t *xn)
{
    *q = *x = NULL;
    *qn = *xn = 0;
    while (s && (*s == '?' || *s == '!')) {
        const char *nl = strchr(s, '\n');
        if (!nl) break;
        if (*s == '?') *q = s + 1, *qn = (size_t)(nl - s - 1);
        else *x = s + 1, *xn = (size_t)(nl - s - 1);
        s = nl + 1;
    }
    return s ? s : "";
}

static void add_reply(json_t *responses, json_t *used, int status)
{
    for (size_t i = 0; i < NREPLIES; i++)
        if (replies[i].status == status) {
            char code[16], ref[96];
            snprintf(code, sizeof(code), "%d", status);
            snprintf(ref, sizeof(ref), "#/components/responses/%s", replies[i].name);
            json_object_set_new(responses, code, json_pack("{s:s}", "$ref", ref));
            json_object_set_new(used, replies[i].name,
                                json_pack("{s:s, s:{s:{s:{s:s}}}}", "description",
                                          replies[i].description, "content",
                                          "application/problem+json", "schema", "$ref",
                                          "#/components/schemas/Problem"));
        }
}

static bool numeric_param(const char *name, size_t n)
{
    return (n == 2 && strncmp(name, "id", 2) == 0) ||
           (n > 3 && strncmp(name + n - 3, "_id", 3) == 0) ||
           (n == 6 && strncmp(name, "number", 6) == 0);
}

static json_t *operation(const route *rt, json_t *used)
{
    const char *q, *x;
    size_t qn, xn;
    const char *summary = summary_parts(rt->summary, &q, &qn, &x, &xn);
    json_t *op = json_pack("{s:s}", "summary", summary);
    char id[160];
    size_t k = 0;
    for (const char *p = rt->method; *p && k < sizeof(id) - 1; p++) id[k++] = (char)(*p | 0x20);
    for (const char *p = rt->pattern; *p && k < sizeof(id) - 1; p++)
        id[k++] = (*p == '/' || *p == '{' || *p == '}' || *p == '.' || *p == '-') ? '_' : *p;
    id[k] = 0;
    json_object_set_new(op, "operationId", json_string(id));
    json_t *params = json_array();
    bool has_path_param = false;
    for (const char *p = rt->pattern; (p = strchr(p, '{'));) {
        const char *e = strchr(p, '}');
        if (!e) break;
        size_t n = (size_t)(e - p - 1);
        json_t *schema = numeric_param(p + 1, n)
                             ? json_pack("{s:s, s:i}", "type", "integer", "minimum", 1)
                             : json_pack("{s:s}", "type", "string");
        json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:o}", "name", p + 1, n, "in",
                                                "path", "required", 1, "schema", schema));
        has_path_param = true;
        p = e;
    }
    if (q) query_params(q, qn, params);
    if (json_array_size(params)) json_object_set_new(op, "parameters", params);
    else json_decref(params);
    bool json_body = false;
    if (!rt->body_schema && unsafe(rt->method)) { /* no body; the front end sends {} */
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s, s:i, s:s}}}}", "required", 0, "content",
                                      "application/json", "schema", "type", "object",
                                      "maxProperties", 0, "description",
                                      "nothing, or an empty object"));
    } else if (rt->body_schema && rt->body_schema[0] != '{') { /* a media type the handler parses */
        json_object_set_new(op, "requestBody", json_pack("{s:b, s:{s:{}}}", "required", 1,
                                                         "content", rt->body_schema));
    } else if (rt->body_schema) {
        json_t *schema = json_loads(rt->body_schema, 0, NULL);
        if (schema) {
            json_object_set_new(op, "requestBody",
                                json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content",
                                          "application/json", "schema", schema));
            json_body = true;
        }
    }
    bool public = rt->perm == PERM_PUBLIC;
    if (public) json_object_set_new(op, "security", json_array());
    else if (rt->perm[0]) json_object_set_new(op, "x-permission", json_string(rt->perm));
    const char *ok = strcmp(rt->method, "POST") == 0 && !strstr(rt->pattern, "}/") ? "201" : "200";
    if (strcmp(rt->method, "DELETE") == 0) ok = "204";
    json_t *responses = json_pack("{s:{s:s}, s:{s:s, s:{s:{s:{s:s}}}}}", ok, "description",
                                  "success", "default", "description",
                                  "An unexpected error (500) or the database is unavailable (503)",
                                  "content", "application/problem+json", "schema", "$ref",
                                  "#/components/schemas/Problem");
    bool want[600] = {false};
    want[400] = true;
    if (!public) want[401] = want[403] = true;
    if (has_path_param) want[404] = true;
    if (unsafe(rt->method)) {
        want[413] = want[415] = true;
        want[401] = true; /* a large body from someone not signed in is refused */
        if (!public && (rt->body_schema || has_path_param)) want[409] = true;
    }
    if (json_body) want[422] = true;
    for (const char *p = x, *e = x ? x + xn : NULL; p && p < e;) {
        char *end;
        long s = strtol(p, &end, 10);
        if (end == p) break;
        if (s >= 400 && s < 500) want[s] = true;
        p = end;
    }
    for (int s = 400; s < 500; s++)
        if (want[s]) add_reply(responses, used, s);
    json_object_set_new(op, "responses", responses);
    return op;
}

json_t *openapi_document(void)
{
    json_t *paths = json_object(), *used = json_object();
    for (const route *const *t = tf_route_tables; *t; t++)
        for (const route *rt = *t; rt->method; rt++) {
            json_t *item = json_object_get(paths, rt->pattern);
            if (!item) {
                item = json_object();
                json_object_set_new(paths, rt->pattern, item);
            }
            char m[16];
            size_t k = 0;
            for (const char *p = rt->method; *p && k < sizeof(m) - 1; p++) m[k++] = (char)(*p | 0x20);
            m[k] = 0;
            json_object_set_new(item, m, operation(rt, used));
        }
    json_t *problem = json_pack(
        "{s:s, s:[s,s,s], s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s, s:{s:s, s:[s,s], "
        "s:{s:{s:s}, s:{s:s}, s:{s:s}}}}}}",
        "type", "object", "required", "type", "status", "code", "properties", "type", "type",
        "string", "title", "type", "string", "status", "type", "integer", "code", "type", "string",
        "detail", "type", "string", "errors", "type", "array", "items", "type", "object",
        "required", "field", "code", "properties", "field", "type", "string", "code", "type",
        "string", "message", "type", "string");
    return json_pack(
        "{s:s, s:{s:s, s:s, s:s, s:{s:s, s:s}}, s:[{s:s, s:s}], s:o, s:{s:{s:o}, s:o, s:{s:{s:s, "
        "s:s, s:s}, s:{s:s, s:s}}}, s:[{s:[]}, {s:[]}]}",
        "openapi", "3.1.0", "info", "title", "Tradeflow API", "version", "1.0.0", "description",
        "Sales management: customers, projects, quotations, contracts, after-sales.", "license",
        "name", LICENSE_NAME, "identifier", LICENSE_NAME, "servers", "url", "/", "description",
        "the server that serves this document", "paths", paths, "components", "schemas",
        "Problem", problem, "responses", used, "securitySchemes", "cookie", "type", "apiKey",
        "in", "cookie", "name", "tf_session", "bearer", "type", "http", "scheme", "bearer",
        "security", "cookie", "bearer");
}
