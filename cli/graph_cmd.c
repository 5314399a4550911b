/*
 * graph_cmd.c - the `aslc graph` command: load -> check -> lower, then one
 * of graph/'s writers (dot, mermaid) or Graphviz's renderer (svg, png).
 * Owns the unit it opens and the text it renders; frees both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "graph.h"
#include "graph_cmd.h"
#include "graph_history.h"
#include "unit.h"

static void help_graph(void)
{
    printf("usage: aslc graph [OPTIONS] FILE [-o OUT] [--history RUN.jsonl]\n"
           "\n"
           "Check FILE and draw its states: type per shape and colour, Next / Default /\n"
           "Choice-rule edges labelled with the rule, Catch edges (dashed) with their\n"
           "errors, Retry on the state, Parallel branches and Map processors nested.\n"
           "\n"
           "options:\n"
           "  --format FMT     dot (default), mermaid (a flowchart), svg or png (laid\n"
           "                   out by Graphviz)\n"
           "  -o OUT           write to OUT (default: stdout)\n"
           "  --history RUN    draw a run on the graph: RUN is the file an execution of\n"
           "                   FILE wrote with --history. States taken are blue with how\n"
           "                   often (and retries, failures, Map items), edges taken with\n"
           "                   their counts, the failing state red with its error, the\n"
           "                   rest grey\n"
           "\n"
           "exit codes: 0 written, 1 the definition has errors, 2 bad usage, unreadable\n"
           "file or history, or rendering error\n");
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "aslc graph: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "; see 'aslc graph --help'\n");
    return 2;
}

/* The drawing of [ir] in [fmt] into a malloc'd buffer; NULL on error (reported). */
static char *draw(const ir_program *ir, const char *fmt, const graph_opts *o, size_t *len)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    if (!f)
        return NULL;
    int rc = strcmp(fmt, "mermaid") == 0 ? graph_write_mermaid(f, ir, o) : graph_write_dot(f, ir, o);
    if (fclose(f) != 0 || rc != 0) {
        free(text);
        fprintf(stderr, "aslc graph: out of memory\n");
        return NULL;
    }
    *len = n;
    if (strcmp(fmt, "svg") != 0 && strcmp(fmt, "png") != 0)
        return text;
    char *out = NULL, err[200];
    if (graph_render(text, fmt, &out, len, err, sizeof err) != 0) {
        fprintf(stderr, "aslc graph: %s\n", err);
        out = NULL;
    }
    free(text);
    return out;
}

char *graph_report_svg(const ir_program *ir)
{
    graph_opts o = {.ids = true};
    size_t len = 0;
    char *svg = draw(ir, "svg", &o, &len);
    char *start = svg ? strstr(svg, "<svg") : NULL;
    if (!start) {
        fprintf(stderr, "aslc: warning: no graph for --report pages (Graphviz failed)\n");
        free(svg);
        return NULL;
    }
    memmove(svg, start, strlen(start) + 1); /* inline in HTML: no prolog, no DOCTYPE */
    return svg;
}

int graph_cmd(int argc, char **argv, bool color)
{
    const char *file = NULL, *out = NULL, *fmt = "dot", *history = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help_graph();
            return 0;
        }
        if (strcmp(a, "-o") == 0 || strcmp(a, "--format") == 0 || strcmp(a, "--history") == 0) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", a);
            *(a[1] == 'o' ? &out : a[2] == 'f' ? &fmt : &history) = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("unknown option '%s'", a);
        } else if (file) {
            return usage_error("one FILE only (got '%s' too)", a);
        } else {
            file = a;
        }
    }
    if (!file)
        return usage_error("%sno FILE given", "");
    if (drv_same_file(file, out) || drv_same_file(history, out))
        return usage_error("-o '%s' is an input file: it would be overwritten", out);
    if (strcmp(fmt, "dot") && strcmp(fmt, "mermaid") && strcmp(fmt, "svg") && strcmp(fmt, "png"))
        return usage_error("unknown format '%s' (dot, mermaid, svg or png)", fmt);

    unit *u = unit_open(file);
    bool unreadable = u->nerrors > 0;
    if (!unreadable) {
        size_t n = strlen(u->path);
        bool json = n >= 5 && strcmp(u->path + n - 5, ".json") == 0;
        if (load_is_yaml_path(u->path) || (!json && load_looks_like_yaml(u->text, u->len)))
            load_yaml(u);
        else
            load_json(u);
    }
    ir_program *ir = u->nerrors == 0 ? check_and_lower(u) : NULL;
    diag_print_text(stderr, u, color);
    int rc = unreadable ? 2 : (u->nerrors > 0 || !ir) ? 1 : 0;
    graph_opts opts = {0};
    graph_history *h = NULL;
    if (rc == 0 && history) {
        char err[300];
        if (!(h = graph_history_open(history, ir, err, sizeof err))) {
            fprintf(stderr, "aslc graph: %s\n", err);
            rc = 2;
        }
        opts.run = h ? graph_history_run(h) : NULL;
    }
    size_t len = 0;
    char *text = rc == 0 ? draw(ir, fmt, &opts, &len) : NULL;
    if (rc == 0 && !text)
        rc = 2;
    if (text) {
        bool to_stdout = !out || strcmp(out, "-") == 0;
        FILE *f = to_stdout ? stdout : fopen(out, "wb");
        bool ok = f && fwrite(text, 1, len, f) == len;
        if (f && !to_stdout)
            ok = fclose(f) == 0 && ok;
        else if (f)
            ok = fflush(f) == 0 && ok;
        if (!ok) {
            fprintf(stderr, "aslc graph: cannot write %s\n", to_stdout ? "to stdout" : out);
            rc = 2;
        }
        free(text);
    }
    graph_history_close(h);
    unit_close(u);
    return rc;
}
