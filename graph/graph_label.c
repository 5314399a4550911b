/*
 * graph_label.c - short edge labels for Choice rules and Catch errors,
 * shared by the DOT and Mermaid writers. The text is raw: the writers
 * escape it with their language's escaper.
 */
#include <stdarg.h>
#include <string.h>

#include "graph.h"

enum { LABEL_MAX = 48 }; /* longer labels make unreadable edges */

/* Cut [buf] to fit [size] and LABEL_MAX, ending with "..." when cut, never
 * inside a UTF-8 sequence. */
static void shorten(char *buf, size_t size)
{
    size_t max = size - 1 < LABEL_MAX ? size - 1 : LABEL_MAX;
    if (strlen(buf) <= max)
        return;
    size_t n = max - 3;
    while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80)
        n--;
    memcpy(buf + n, "...", 4);
}

static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}

static void rule_text(char *buf, size_t size, const ir_rule *r)
{
    if (r->condition) { /* a JSONata Condition: its expression */
        append(buf, size, "%s", r->condition->kind == IR_T_JSONATA ? r->condition->str : "Condition");
        return;
    }
    switch (r->kind) {
    case IR_RULE_AND:
    case IR_RULE_OR:
    case IR_RULE_NOT:
        append(buf, size, "%s(", r->kind == IR_RULE_AND ? "And" : r->kind == IR_RULE_OR ? "Or" : "Not");
        for (int i = 0; i < r->n; i++) {
            if (i)
                append(buf, size, ", ");
            rule_text(buf, size, r->subs[i]);
        }
        append(buf, size, ")");
        return;
    case IR_RULE_TEST:
        break;
    }
    if (!r->variable || !r->op_name) {
        append(buf, size, "rule"); /* JSONata Condition: no JSONPath test to show */
        return;
    }
    append(buf, size, "%s %s ", r->variable->text, r->op_name);
    if (r->rhs_is_path && r->rhs_path)
        append(buf, size, "%s", r->rhs_path->text);
    else if (r->type == IR_TEST_NUMERIC)
        append(buf, size, "%g", r->num);
    else if (r->type == IR_TEST_STRING || r->type == IR_TEST_MATCHES || r->type == IR_TEST_TIMESTAMP)
        append(buf, size, "\"%s\"", r->str ? r->str : "");
    else
        append(buf, size, "%s", r->boolean ? "true" : "false");
}

void graph_rule_label(char *buf, size_t size, const ir_rule *r)
{
    buf[0] = '\0';
    rule_text(buf, size, r);
    shorten(buf, size);
}

void graph_errors_label(char *buf, size_t size, int n, const char **errors)
{
    buf[0] = '\0';
    for (int i = 0; i < n; i++)
        append(buf, size, "%s%s", i ? ", " : "", errors[i]);
    shorten(buf, size);
}
