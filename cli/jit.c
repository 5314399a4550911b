/*
 * jit.c - `aslc run`: the generated C compiled in memory by libtcc and run.
 *
 * No file is written or read. The buffer handed to TinyCC is
 *     #line 1 "aslrt.h"          the header embedded in aslc (Makefile)
 *     <aslrt.h>
 *     #line 1 "<source>.c"        so messages match `aslc emit` line numbers
 *     <generated C>              with its `#include "aslrt.h"` line blanked
 * and is compiled with -nostdinc -nostdlib: generated C includes nothing
 * else and calls nothing but the runtime, whose functions (linked into
 * aslc) are given to TinyCC by address from one list, JIT_RUNTIME_SYMBOLS.
 *
 * Owns the TCCState and the buffer of a jit_program. Called by main.c
 * (`aslc run`) and tests.
 */
#include "jit.h"

#include <libtcc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "aslrt.h"
#include "cwrite.h"

/* The Makefile embeds runtime/aslrt.h (tools/embed.sh). */
extern const char aslc_embedded_aslrt_h[];
extern const unsigned long aslc_embedded_aslrt_h_len;

/* Every function aslrt.h declares, once. A function added to aslrt.h
 * must be added here too; test_jit checks that none is missing. */
#define JIT_RUNTIME_SYMBOLS(X)                                                 \
    X(asl_main)                                                                \
    X(asl_fail_with)                                                           \
    X(asl_fail_runtime)                                                        \
    X(asl_failed)                                                              \
    X(asl_unsupported)                                                         \
    X(asl_select)                                                              \
    X(asl_select_quiet)                                                        \
    X(asl_apply_path)                                                          \
    X(asl_set_empty)                                                           \
    X(asl_apply_result_path)                                                   \
    X(asl_build)                                                               \
    X(asl_build_doc)                                                           \
    X(asl_assign)                                                              \
    X(asl_jn_value)                                                           \
    X(asl_jn_assign)                                                          \
    X(asl_jn_test)                                                            \
    X(asl_jn_wait_seconds)                                                    \
    X(asl_jn_wait_timestamp)                                                  \
    X(asl_jn_task_invoke)                                                      \
    X(asl_jn_fail)                                                            \
    X(asl_call_intrinsic)                                                      \
    X(asl_copy)                                                                \
    X(asl_free)                                                                \
    X(asl_test_num)                                                            \
    X(asl_test_num_path)                                                       \
    X(asl_test_str)                                                            \
    X(asl_test_str_path)                                                       \
    X(asl_test_bool)                                                           \
    X(asl_test_bool_path)                                                      \
    X(asl_test_ts)                                                             \
    X(asl_test_ts_path)                                                        \
    X(asl_test_matches)                                                        \
    X(asl_test_is)                                                             \
    X(asl_ch_fields)                                                           \
    X(asl_ch_index)                                                            \
    X(asl_ch_num)                                                              \
    X(asl_ch_num2)                                                             \
    X(asl_ch_str)                                                              \
    X(asl_ch_str2)                                                             \
    X(asl_ch_bool)                                                             \
    X(asl_ch_bool2)                                                            \
    X(asl_ch_ts)                                                               \
    X(asl_ch_ts2)                                                              \
    X(asl_ch_matches)                                                          \
    X(asl_ch_is)                                                               \
    X(asl_no_choice_matched)                                                   \
    X(asl_wait_seconds)                                                        \
    X(asl_wait_seconds_path)                                                   \
    X(asl_wait_timestamp)                                                      \
    X(asl_wait_timestamp_path)                                                 \
    X(asl_fail_state)                                                          \
    X(asl_task_invoke)                                                         \
    X(asl_retry)                                                               \
    X(asl_catch)                                                               \
    X(asl_run_parallel)                                                        \
    X(asl_run_map)

static const struct {
    const char *name;
    const void *addr;
} runtime_symbols[] = {
#define JIT_X_SYM(f) {#f, (const void *)&f},
    JIT_RUNTIME_SYMBOLS(JIT_X_SYM)
#undef JIT_X_SYM
};

enum { NSYMBOLS = sizeof runtime_symbols / sizeof runtime_symbols[0] };

const char *jit_runtime_symbol(int i)
{
    return i >= 0 && i < (int)NSYMBOLS ? runtime_symbols[i].name : NULL;
}

struct jit_program {
    TCCState *tcc;
    const asl_machine *machine;
};

/* TinyCC reports through this; [opaque] is the FILE to write to. */
static void report(void *opaque, const char *msg)
{
    fprintf(opaque, "%s\n", msg);
}

/* The TinyCC input described at the top, malloc'd. */
static char *make_buffer(const char *c_text, const char *source_name)
{
    static const char include_line[] = "#include \"aslrt.h\"\n";
    /* the include line of the generated C: the first line that is exactly it */
    const char *inc = NULL;
    for (const char *p = c_text; p && *p;) {
        if (strncmp(p, include_line, sizeof include_line - 1) == 0) {
            inc = p;
            break;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fputs("#line 1 \"aslrt.h\"\n", f);
    fwrite(aslc_embedded_aslrt_h, 1, aslc_embedded_aslrt_h_len, f);
    fputs("\n#line 1 ", f);
    size_t nlen = strlen(source_name);
    char *cname = malloc(nlen + 3);
    if (cname) {
        memcpy(cname, source_name, nlen);
        memcpy(cname + nlen, ".c", 3);
        cg_cstr(f, cname, nlen + 2);
        free(cname);
    } else {
        fputs("\"generated.c\"", f);
    }
    fputc('\n', f);
    if (inc) {
        /* keep the line, empty, so that line numbers stay those of emit */
        fwrite(c_text, 1, (size_t)(inc - c_text), f);
        fputc('\n', f);
        fputs(inc + sizeof include_line - 1, f);
    } else {
        fputs(c_text, f);
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* TinyCC 0.9.27 keeps global state while it compiles and deletes: `aslc
 * serve` compiles on several request threads, so one at a time. */
static pthread_mutex_t tcc_lock = PTHREAD_MUTEX_INITIALIZER;

static void release(jit_program *j)
{
    if (j->tcc)
        tcc_delete(j->tcc);
    free(j);
}

jit_program *jit_compile(const char *c_text, const char *source_name, FILE *err)
{
    jit_program *j = calloc(1, sizeof *j);
    char *buf = make_buffer(c_text, source_name ? source_name : "generated");
    if (!j || !buf) {
        fputs("aslc: out of memory\n", err);
        free(j);
        free(buf);
        return NULL;
    }
    pthread_mutex_lock(&tcc_lock);
    j->tcc = tcc_new();
    if (!j->tcc) {
        pthread_mutex_unlock(&tcc_lock);
        fputs("aslc: cannot create a TinyCC compiler state\n", err);
        free(j);
        free(buf);
        return NULL;
    }
    tcc_set_error_func(j->tcc, err, report);
    tcc_set_options(j->tcc, "-nostdinc -nostdlib");
    int ok = tcc_set_output_type(j->tcc, TCC_OUTPUT_MEMORY) == 0;
    if (ok) {
        tcc_define_symbol(j->tcc, "ASLC_NO_MAIN", NULL);
        for (int i = 0; i < (int)NSYMBOLS; i++)
            tcc_add_symbol(j->tcc, runtime_symbols[i].name, runtime_symbols[i].addr);
        ok = tcc_compile_string(j->tcc, buf) == 0 &&
             tcc_relocate(j->tcc, TCC_RELOCATE_AUTO) >= 0;
    }
    free(buf);
    if (ok) {
        j->machine = tcc_get_symbol(j->tcc, "aslc_machine");
        if (!j->machine)
            fputs("aslc: the generated C defines no aslc_machine\n", err);
        ok = j->machine != NULL;
    }
    if (!ok) {
        fputs("aslc: internal error: TinyCC could not compile the generated C "
              "(a bug in aslc; `aslc emit` shows the C)\n",
              err);
        release(j);
        pthread_mutex_unlock(&tcc_lock);
        return NULL;
    }
    pthread_mutex_unlock(&tcc_lock);
    return j;
}

const asl_machine *jit_machine(const jit_program *j) { return j->machine; }

void *jit_symbol(const jit_program *j, const char *name) { return tcc_get_symbol(j->tcc, name); }

void jit_free(jit_program *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&tcc_lock);
    release(j);
    pthread_mutex_unlock(&tcc_lock);
}

int jit_run(const char *c_text, const char *source_name, int argc, char **argv)
{
    jit_program *j = jit_compile(c_text, source_name, stderr);
    if (!j)
        return -1;
    int rc = asl_main(argc, argv, j->machine);
    jit_free(j);
    return rc;
}
