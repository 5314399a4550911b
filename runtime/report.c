/*
 * report.c - the --report page: one self-contained HTML file of a run
 * (no network, no scripts): the graph with the states taken marked, the
 * result or error, each state's counts, a timeline of the visits (entered,
 * exited, duration, retries, waits) with each input and output collapsed
 * and pretty-printed, and the variables as they were assigned.
 *
 * Built from the history events (the --history lines, read back from the
 * run's history file) through rt_run_summarize, the same reader `aslc
 * graph --history` uses. The picture is the SVG the driver drew at compile
 * time (asl_machine.graph_svg; the runtime never links Graphviz): its state
 * nodes carry the id "s-" + hex of the name, so marking a state is a CSS
 * rule on that id. Every text from the run or the definition reaches the
 * page through html(), the one HTML escaper. Large payloads are cut at
 * REPORT_PAYLOAD_MAX bytes with a note saying so.
 *
 * Owns: the parsed events, the summary, the output file. Called by main.c.
 *
 * Layer: effects
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "effects.h"
#include "runsum.h"
#include "values.h"

enum {
    REPORT_PAYLOAD_MAX = 64 * 1024, /* bytes of one input / output shown */
    REPORT_VISITS_MAX = 2000,       /* timeline rows; the rest are counted */
};

/* ==== HTML text ============================================================ */

/* Writes [s] (at most [max] bytes, never half a UTF-8 sequence) as HTML
 * text that is safe in an element and in a quoted attribute. Returns the
 * bytes written from [s]. */
static size_t html_n(FILE *f, const char *s, size_t max)
{
    size_t i = 0;
    for (; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t len = (c & 0xC0) != 0xC0 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        if (i + len > max) /* never cut a UTF-8 sequence */
            break;
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if (c < 0x20 && c != '\n' && c != '\t')
                fputs("\xEF\xBF\xBD", f); /* U+FFFD: control characters are not text */
            else
                fputc(c, f);
        }
    }
    return i;
}

static void html(FILE *f, const char *s)
{
    if (s)
        html_n(f, s, (size_t)-1);
}

/* ==== pieces =============================================================== */

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *details_of(const cJSON *ev)
{
    for (const cJSON *c = ev ? ev->child : NULL; c; c = c->next)
        if (c->string && strlen(c->string) > 12 &&
            strcmp(c->string + strlen(c->string) - 12, "EventDetails") == 0)
            return c;
    return NULL;
}

/* [ev]'s timestamp in milliseconds since the epoch; -1 when it has none. */
static long long event_ms(const cJSON *ev)
{
    const char *ts = str_of(ev, "timestamp");
    long long sec;
    long nsec;
    if (!ts || !rt_parse_timestamp(ts, &sec, &nsec))
        return -1;
    return sec * 1000 + nsec / 1000000;
}

static void put_ms(FILE *f, long long ms)
{
    if (ms < 0)
        fputs("-", f);
    else if (ms < 10000)
        fprintf(f, "%lld ms", ms);
    else
        fprintf(f, "%.1f s", (double)ms / 1000.0);
}

/* A JSON document given as text, pretty-printed in a collapsed block. */
static void payload(FILE *f, const char *label, const char *text, bool open)
{
    if (!text)
        return;
    char *pretty = NULL;
    cJSON *doc = rt_json_parse(text, strlen(text), NULL, 0);
    if (doc)
        pretty = cJSON_Print(doc);
    cJSON_Delete(doc);
    const char *shown = pretty ? pretty : text;
    size_t n = strlen(shown);
    fprintf(f, "<details class=\"payload\"%s><summary>", open ? " open" : "");
    html(f, label);
    fprintf(f, " <small>(%zu bytes)</small></summary><pre>", strlen(text));
    size_t w = html_n(f, shown, REPORT_PAYLOAD_MAX);
    fputs("</pre>", f);
    if (w < n)
        fprintf(f, "<p class=\"note\">truncated: the first %zu of %zu bytes are shown</p>", w, n);
    fputs("</details>\n", f);
    if (pretty)
        cJSON_free(pretty);
}

/* The CSS rule selector of state [name]'s node: #s-<hex of the name>. */
static void node_sel(FILE *f, const char *name)
{
    fputs("#s-", f);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        fprintf(f, "%02x", *p);
}

static const char STYLE[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#111827}\n"
    "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em}\n"
    ".status{padding:.15em .6em;border-radius:.3em;color:#fff;font-weight:600}\n"
    ".SUCCEEDED{background:#15803d}.FAILED,.TIMED_OUT{background:#b91c1c}"
    ".ABORTED,.RUNNING{background:#6b7280}\n"
    "table{border-collapse:collapse}td,th{border:1px solid #e5e7eb;padding:.25em .5em;"
    "vertical-align:top;text-align:left}\n"
    "tr.failed td{background:#fef2f2}pre{margin:.3em 0;max-height:30em;overflow:auto;"
    "background:#f9fafb;padding:.4em}\n"
    ".note{color:#92400e;font-style:italic;margin:.2em 0}.error{color:#b91c1c}\n"
    ".graph{overflow:auto;border:1px solid #e5e7eb;padding:.5em}\n"
    ".graph g.node{opacity:.4}.graph g.node:not([id^=\"s-\"]){opacity:1}\n";

static void write_style(FILE *f, const rt_run_sum *s)
{
    fputs("<style>\n", f);
    fputs(STYLE, f);
    for (int i = 0; i < s->nstates; i++) {
        const rt_state_sum *st = &s->states[i];
        if (st->entered == 0)
            continue;
        node_sel(f, st->name);
        fputs("{opacity:1}", f);
        node_sel(f, st->name);
        fputs(">polygon,", f);
        node_sel(f, st->name);
        fputs(">path,", f);
        node_sel(f, st->name);
        fprintf(f, ">ellipse{stroke:%s;stroke-width:3px}\n", st->failing ? "#b91c1c" : "#1d4ed8");
    }
    fputs("</style>\n", f);
}

static void write_header(FILE *f, const asl_machine *m, const rt_run_sum *s)
{
    const char *status = s->status ? s->status : "RUNNING";
    fputs("<h1>Run of ", f);
    html(f, m->name);
    fprintf(f, " <span class=\"status %s\" id=\"status\">%s</span></h1>\n<p>", status, status);
    if (m->source) {
        fputs("Definition: <code>", f);
        html(f, m->source);
        fputs("</code>. ", f);
    }
    const char *started = str_of(s->first, "timestamp");
    if (started) {
        fputs("Started ", f);
        html(f, started);
        fputs(", took ", f);
        long long a = event_ms(s->first), b = event_ms(s->last);
        put_ms(f, a >= 0 && b >= a ? b - a : -1);
        fputs(". ", f);
    }
    fprintf(f, "%d events.</p>\n", s->nevents);
}

static void write_result(FILE *f, const rt_run_sum *s)
{
    fputs("<h2>Result</h2>\n<div id=\"result\">\n", f);
    if (s->status && strcmp(s->status, "SUCCEEDED") == 0) {
        payload(f, "output", s->output ? s->output : "null", true);
    } else if (s->status) {
        fputs("<p class=\"error\">error: <code>", f);
        html(f, s->error ? s->error : "(none)");
        fputs("</code></p>\n", f);
        if (s->cause) {
            fputs("<p>cause:</p><pre class=\"error\">", f);
            html_n(f, s->cause, REPORT_PAYLOAD_MAX);
            fputs("</pre>\n", f);
        }
    } else {
        fputs("<p class=\"note\">the history has no end event</p>\n", f);
    }
    fputs("</div>\n", f);
}

static void write_graph(FILE *f, const asl_machine *m, const rt_run_sum *s)
{
    fputs("<h2>Graph</h2>\n", f);
    if (m->graph_svg) {
        /* Drawn by aslc itself (Graphviz, names escaped by graph_esc_dot). */
        fputs("<div class=\"graph\" id=\"graph\">\n", f);
        fputs(m->graph_svg, f);
        fputs("</div>\n", f);
    } else {
        fputs("<p class=\"note\">this program was compiled without its graph "
              "(aslc emit does not embed it; aslc build and aslc run do)</p>\n", f);
    }
    /* "failed attempts" counts the state's own work (Task invocations that
     * failed or timed out); the row of the state where the run failed is
     * marked as such even when that is a Fail state, which attempts nothing. */
    fputs("<table id=\"states\"><tr><th>state</th><th>type</th><th>entered</th><th>retries</th>"
          "<th>failed attempts</th><th>Map items</th></tr>\n", f);
    for (int i = 0; i < s->nstates; i++) {
        const rt_state_sum *st = &s->states[i];
        fprintf(f, "<tr%s><td>", st->failing ? " class=\"failed\"" : "");
        html(f, st->name);
        fputs("</td><td>", f);
        html(f, st->type);
        fprintf(f, "</td><td>%d</td><td>%d</td><td>%d</td><td>", st->entered,
                st->attempts > st->entered ? st->attempts - st->entered : 0, st->failures);
        if (st->iterations > 0)
            fprintf(f, "%d (%d failed)", st->iterations, st->iter_failed);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* The variables a visit assigned (stateExitedEventDetails.assignedVariables:
 * name -> JSON text), as a list. */
static void write_assigned(FILE *f, const cJSON *assigned)
{
    for (const cJSON *v = assigned ? assigned->child : NULL; v; v = v->next) {
        if (!v->string || !cJSON_IsString(v))
            continue;
        fputs("<div class=\"var\"><code>$", f);
        html(f, v->string);
        fputs("</code> = ", f);
        payload(f, "value", v->valuestring, false);
        fputs("</div>\n", f);
    }
}

static void write_timeline(FILE *f, const rt_run_sum *s)
{
    long long t0 = event_ms(s->first);
    fputs("<h2>Timeline</h2>\n<table id=\"timeline\"><tr><th>#</th><th>state</th><th>entered</th>"
          "<th>exited</th><th>duration</th><th>retries</th><th>details</th></tr>\n", f);
    int shown = s->nvisits < REPORT_VISITS_MAX ? s->nvisits : REPORT_VISITS_MAX;
    for (int i = 0; i < shown; i++) {
        const rt_visit *v = &s->visits[i];
        const rt_state_sum *st = &s->states[v->state];
        long long a = event_ms(v->entered), b = v->exited ? event_ms(v->exited) : -1;
        fprintf(f, "<tr class=\"visit%s\"><td>%d</td><td>", v->error ? " failed" : "", i + 1);
        html(f, st->name);
        fputs(" <small>", f);
        html(f, st->type);
        fputs("</small></td><td>+", f);
        put_ms(f, a >= 0 && t0 >= 0 ? a - t0 : -1);
        fputs("</td><td>", f);
        if (b >= 0 && t0 >= 0) {
            fputs("+", f);
            put_ms(f, b - t0);
        } else {
            fputs("-", f);
        }
        fputs("</td><td>", f);
        put_ms(f, a >= 0 && b >= a ? b - a : -1);
        if (strcmp(st->type, "Wait") == 0 && b >= a && a >= 0)
            fputs(" <small>(waited)</small>", f);
        fprintf(f, "</td><td>%d</td><td>\n", v->attempts > 1 ? v->attempts - 1 : 0);
        if (v->error) {
            fputs("<p class=\"error\">", f);
            html(f, v->error);
            if (v->cause) {
                fputs(": ", f);
                size_t n = strlen(v->cause);
                if (html_n(f, v->cause, 2000) < n)
                    fputs(" <span class=\"note\">(cause truncated)</span>", f);
            }
            fputs("</p>\n", f);
        }
        payload(f, "input", str_of(details_of(v->entered), "input"), false);
        const cJSON *xd = details_of(v->exited);
        payload(f, "output", str_of(xd, "output"), false);
        write_assigned(f, xd ? cJSON_GetObjectItemCaseSensitive(xd, "assignedVariables") : NULL);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    if (shown < s->nvisits)
        fprintf(f, "<p class=\"note\">%d more state visits are not shown (the first %d are)</p>\n",
                s->nvisits - shown, shown);
}

/* Every assignment, in the order of the visits that made them. */
static void write_variables(FILE *f, const rt_run_sum *s)
{
    fputs("<h2>Variables</h2>\n<table id=\"variables\"><tr><th>variable</th><th>assigned in</th>"
          "<th>value</th></tr>\n", f);
    int n = 0;
    for (int i = 0; i < s->nvisits && n < REPORT_VISITS_MAX; i++) {
        const cJSON *xd = details_of(s->visits[i].exited);
        const cJSON *as = xd ? cJSON_GetObjectItemCaseSensitive(xd, "assignedVariables") : NULL;
        for (const cJSON *v = as ? as->child : NULL; v; v = v->next, n++) {
            if (!v->string || !cJSON_IsString(v))
                continue;
            fputs("<tr><td><code>$", f);
            html(f, v->string);
            fputs("</code></td><td>", f);
            html(f, s->states[s->visits[i].state].name);
            fputs("</td><td>", f);
            payload(f, "value", v->valuestring, false);
            fputs("</td></tr>\n", f);
        }
    }
    fputs("</table>\n", f);
    if (n == 0)
        fputs("<p>No state assigned a variable.</p>\n", f);
}

/* ==== the page ============================================================= */

/* The events of [history] (JSON lines) as an array; 0 on a bad line. */
static cJSON *read_events(FILE *history, char *err, size_t errlen)
{
    if (fflush(history) != 0 || fseek(history, 0, SEEK_SET) != 0) {
        snprintf(err, errlen, "cannot read the history back: %s", strerror(errno));
        return NULL;
    }
    cJSON *a = cJSON_CreateArray();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (a && (n = getline(&line, &cap, history)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        cJSON *ev = rt_json_parse(line, (size_t)n, NULL, 0);
        if (!ev || !cJSON_AddItemToArray(a, ev)) {
            cJSON_Delete(ev);
            cJSON_Delete(a);
            a = NULL;
            snprintf(err, errlen, "the history holds a line that is not JSON");
        }
    }
    free(line);
    return a;
}

int rt_report_write(const char *path, FILE *history, const asl_machine *m, char *err, size_t errlen)
{
    cJSON *events = read_events(history, err, errlen);
    if (!events)
        return -1;
    rt_run_sum s;
    if (rt_run_summarize(events, &s, err, errlen) != 0) {
        cJSON_Delete(events);
        return -1;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        rt_run_sum_free(&s);
        cJSON_Delete(events);
        return -1;
    }
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; img-src data:\">\n<title>Run of ", f);
    html(f, m->name);
    fputs("</title>\n", f);
    write_style(f, &s);
    fputs("</head><body>\n", f);
    write_header(f, m, &s);
    write_result(f, &s);
    write_graph(f, m, &s);
    write_timeline(f, &s);
    write_variables(f, &s);
    fputs("<p class=\"note\">Written by aslc from the run's history events.</p>\n</body></html>\n", f);
    int rc = ferror(f) ? -1 : 0;
    if (fclose(f) != 0)
        rc = -1;
    if (rc)
        snprintf(err, errlen, "error writing '%s': %s", path, strerror(errno));
    rt_run_sum_free(&s);
    cJSON_Delete(events);
    return rc;
}
