/* openapi.c — the OpenAPI 3.1 document, generated from the route table so
 * the two can never disagree: every route becomes one operation with its
 * summary, path parameters, security and request body schema. */
#include "http/http.h"
#include <string.h>

static json_t *problem_ref(void)
{
    return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "problem", "content",
                     "application/problem+json", "schema", "$ref",
                     "#/components/schemas/Problem");
}

static json_t *operation(const route *rt)
{
    json_t *op = json_pack("{s:s, s:s}", "summary", rt->summary ? rt->summary : "",
                           "operationId", "");
    char id[160];
    size_t k = 0;
    for (const char *p = rt->method; *p && k < sizeof(id) - 1; p++) id[k++] = (char)(*p | 0x20);
    for (const char *p = rt->pattern; *p && k < sizeof(id) - 1; p++)
        id[k++] = (*p == '/' || *p == '{' || *p == '}' || *p == '.' || *p == '-') ? '_' : *p;
    id[k] = 0;
    json_object_set_new(op, "operationId", json_string(id));
    json_t *params = json_array();
    for (const char *p = rt->pattern; (p = strchr(p, '{'));) {
        const char *e = strchr(p, '}');
        if (!e) break;
        json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p + 1,
                                                (size_t)(e - p - 1), "in", "path", "required", 1,
                                                "schema", "type", "string"));
        p = e;
    }
    if (strcmp(rt->method, "GET") == 0 && !strchr(rt->pattern + strlen(rt->pattern) - 1, '}')) {
        static const char *const q[] = {"q", "limit", "cursor"};
        for (int i = 0; i < 3; i++)
            json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", q[i], "in",
                                                    "query", "required", 0, "schema", "type",
                                                    i == 1 ? "integer" : "string"));
    }
    if (json_array_size(params)) json_object_set_new(op, "parameters", params);
    else json_decref(params);
    if (rt->body_schema && rt->body_schema[0] != '{') { /* a media type the handler parses */
        json_object_set_new(op, "requestBody", json_pack("{s:b, s:{s:{}}}", "required", 1,
                                                         "content", rt->body_schema));
    } else if (rt->body_schema) {
        json_t *schema = json_loads(rt->body_schema, 0, NULL);
        if (schema)
            json_object_set_new(op, "requestBody",
                                json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content",
                                          "application/json", "schema", schema));
    }
    if (rt->perm == PERM_PUBLIC) json_object_set_new(op, "security", json_array());
    else if (rt->perm[0]) json_object_set_new(op, "x-permission", json_string(rt->perm));
    const char *ok = strcmp(rt->method, "POST") == 0 && !strstr(rt->pattern, "}/") ? "201" : "200";
    if (strcmp(rt->method, "DELETE") == 0) ok = "204";
    json_object_set_new(op, "responses",
                        json_pack("{s:{s:s}, s:o}", ok, "description", "success", "default",
                                  problem_ref()));
    return op;
}

json_t *openapi_document(void)
{
    json_t *paths = json_object();
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
            json_object_set_new(item, m, operation(rt));
        }
    return json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:{s:{s:s, s:[s,s,s], s:{s:{s:s}, s:{s:s}, s:{s:s}, "
        "s:{s:s}, s:{s:s}, s:{s:s}}}}, s:{s:{s:s, s:s, s:s}, s:{s:s, s:s}}}, s:[{s:[]}, {s:[]}]}",
        "openapi", "3.1.0", "info", "title", "Tradeflow API", "version", "1.0.0", "description",
        "Sales management: customers, projects, quotations, contracts, after-sales.", "paths", paths,
        "components", "schemas", "Problem", "type", "object", "required", "type", "status", "code",
        "properties", "type", "type", "string", "title", "type", "string", "status", "type",
        "integer", "code", "type", "string", "detail", "type", "string", "errors", "type", "array",
        "securitySchemes", "cookie", "type", "apiKey", "in", "cookie", "name", "tf_session",
        "bearer", "type", "http", "scheme", "bearer", "security", "cookie", "bearer");
}
