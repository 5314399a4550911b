/*
 * build.c - `aslc build`: generated C to a native executable.
 *
 * Writes the C and aslrt.h (the copy embedded in aslc, so the two always
 * agree) into a private temporary directory, then either runs the system
 * C compiler (--cc, else $CC, else cc / gcc / clang found on PATH) or, when
 * there is none, links the executable with libtcc (in a child process). Either
 * way it links libaslrt.a and the runtime's libraries.
 *
 * libaslrt.a is looked for beside the aslc executable (the build tree:
 * build/aslc, build/libaslrt.a, build/aslrt.h), then in an installed layout
 * (<bin>/../lib, <bin>/../include), then in the directories compiled in
 * (ASLC_LIBDIR, ASLC_INCDIR). The aslrt.h found with it must be the one
 * aslc embeds: a library built from another header would link and then
 * misbehave, so that is an error, not a warning.
 *
 * Owns the temporary directory (removed before returning). Called by
 * main.c for `aslc build`.
 */
#include "build.h"

#include <errno.h>
#include <libtcc.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

extern const char aslc_embedded_aslrt_h[];
extern const unsigned long aslc_embedded_aslrt_h_len;

#ifndef ASLC_LIBDIR
#define ASLC_LIBDIR "/usr/local/lib"
#endif
#ifndef ASLC_INCDIR
#define ASLC_INCDIR "/usr/local/include"
#endif

/* Flags the runtime library itself needs at link time. A libaslrt.a built
 * with sanitizers (`make asan` builds everything with address and undefined
 * sanitizers) needs their runtimes: gcc and clang say so to code compiled
 * alongside it with __SANITIZE_ADDRESS__. The Makefile may also pass the
 * exact flags as ASLC_RT_LDFLAGS. */
#if defined(ASLC_RT_LDFLAGS)
static const char rt_ldflags[] = ASLC_RT_LDFLAGS;
#elif defined(__SANITIZE_ADDRESS__)
static const char rt_ldflags[] = "-fsanitize=address,undefined";
#else
static const char rt_ldflags[] = "";
#endif

/* The libraries libaslrt.a needs, in link order. */
/* libcurl and Nettle are not among them: the runtime loads them on
 * first use (runtime/dynlib.c). */
static const char *const runtime_libs[] = {"cjson", "pcre2-8", "pthread", "dl", "m"};
enum { NLIBS = sizeof runtime_libs / sizeof runtime_libs[0] };

/* ==== small helpers ====================================================== */

/* "a" + "/" + "b", malloc'd; NULL on OOM. */
static char *join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (!s)
        return NULL;
    memcpy(s, a, la);
    s[la] = '/';
    memcpy(s + la + 1, b, lb + 1);
    return s;
}

static bool is_file(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* Whole contents of [path] equal [data]? */
static bool same_contents(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    bool same = true;
    size_t off = 0;
    char buf[4096];
    size_t n;
    while (same && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (off + n > len || memcmp(buf, data + off, n) != 0)
            same = false;
        off += n;
    }
    fclose(f);
    return same && off == len;
}

/* The directory of the running aslc (malloc'd), or NULL. */
static char *exe_dir(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    return strdup(buf[0] ? buf : "/");
}

/* ==== finding the runtime ================================================ */

typedef struct runtime_loc {
    char *lib;    /* .../libaslrt.a */
    char *header; /* .../aslrt.h beside it */
} runtime_loc;

/* Try [libdir]/libaslrt.a with [incdir]/aslrt.h; on success fill [loc]. */
static bool try_runtime(const char *libdir, const char *incdir, runtime_loc *loc)
{
    char *lib = join(libdir, "libaslrt.a"), *hdr = join(incdir, "aslrt.h");
    if (is_file(lib) && is_file(hdr)) {
        loc->lib = lib;
        loc->header = hdr;
        return true;
    }
    free(lib);
    free(hdr);
    return false;
}

static bool find_runtime(runtime_loc *loc)
{
    char *dir = exe_dir();
    bool found = false;
    if (dir) {
        char *lib = join(dir, "../lib"), *inc = join(dir, "../include");
        found = try_runtime(dir, dir, loc) || (lib && inc && try_runtime(lib, inc, loc));
        free(lib);
        free(inc);
    }
    if (!found)
        found = try_runtime(ASLC_LIBDIR, ASLC_INCDIR, loc);
    if (!found) {
        fprintf(stderr,
                "aslc: cannot find the runtime library libaslrt.a with its aslrt.h; looked in\n"
                "  %s (beside aslc)\n  %s/../lib and %s/../include\n  %s and %s\n"
                "build aslc with `make`, or install it with `make install`\n",
                dir ? dir : "?", dir ? dir : "?", dir ? dir : "?", ASLC_LIBDIR, ASLC_INCDIR);
    } else if (!same_contents(loc->header, aslc_embedded_aslrt_h, aslc_embedded_aslrt_h_len)) {
        fprintf(stderr,
                "aslc: %s is not the aslrt.h this aslc was built with, so %s may not match "
                "the code aslc writes; rebuild (make) or reinstall (make install)\n",
                loc->header, loc->lib);
        found = false;
        free(loc->lib);
        free(loc->header);
    }
    free(dir);
    return found;
}

/* ==== choosing and running a C compiler ================================== */

/* Is [name] an executable on PATH (or a path to one)? */
static bool on_path(const char *name)
{
    if (strchr(name, '/'))
        return access(name, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/bin:/bin";
    bool found = false;
    char *copy = strdup(path);
    for (char *save = NULL, *d = copy ? strtok_r(copy, ":", &save) : NULL; d && !found;
         d = strtok_r(NULL, ":", &save)) {
        char *full = join(*d ? d : ".", name);
        found = full && access(full, X_OK) == 0;
        free(full);
    }
    free(copy);
    return found;
}

/* The compiler command to use: --cc, $CC, then cc, gcc, clang on PATH.
 * NULL means none: link with libtcc in process. "libtcc" asks for that. */
static const char *choose_cc(const char *requested)
{
    if (requested)
        return strcmp(requested, "libtcc") == 0 ? NULL : requested;
    const char *env = getenv("CC");
    if (env && *env)
        return env;
    static const char *const candidates[] = {"cc", "gcc", "clang"};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
        if (on_path(candidates[i]))
            return candidates[i];
    return NULL;
}

/* Run argv (no shell); 0 when it exited with status 0. */
static int run_argv(char **argv)
{
    pid_t pid;
    int err = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    if (err != 0) {
        fprintf(stderr, "aslc: cannot run the C compiler '%s': %s\n", argv[0], strerror(err));
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        fprintf(stderr, "aslc: the C compiler '%s' failed (exit status %d)\n", argv[0],
                WEXITSTATUS(status));
    else
        fprintf(stderr, "aslc: the C compiler '%s' was killed by signal %d\n", argv[0],
                WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return -1;
}

/* [cc] split at blanks (so CC="ccache gcc" works), then the arguments. */
static int build_with_cc(const char *cc, const char *tmpdir, const char *c_file,
                         const runtime_loc *rt, const drv_build_opts *o)
{
    size_t wlen = strlen(cc) + 1 + sizeof rt_ldflags;
    char *words = malloc(wlen);
    size_t cap = wlen / 2 + 20 + 2 * NLIBS;
    char **argv = calloc(cap, sizeof *argv);
    char opt[8];
    int rc = -1;
    if (!words || !argv)
        goto out;
    size_t n = 0;
    snprintf(words, wlen, "%s", cc);
    for (char *save = NULL, *w = strtok_r(words, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        argv[n++] = w;
    if (n == 0) {
        fputs("aslc: the C compiler command is empty\n", stderr);
        goto out;
    }
    /* the runtime's own link flags, in the same buffer after the command */
    char *flags = words + strlen(cc) + 1;
    snprintf(flags, wlen - strlen(cc) - 1, "%s", rt_ldflags);
    for (char *save = NULL, *w = strtok_r(flags, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        argv[n++] = w;
    snprintf(opt, sizeof opt, "-O%d", o->opt_level);
    argv[n++] = opt;
    argv[n++] = (char *)"-I";
    argv[n++] = (char *)tmpdir;
    argv[n++] = (char *)"-o";
    argv[n++] = (char *)o->output;
    argv[n++] = (char *)c_file;
    argv[n++] = rt->lib;
    if (o->lambda) {
        /* provided.al2023 has glibc, libcurl and OpenSSL but neither cJSON
         * nor PCRE2's 8-bit library on every image: PCRE2 goes in statically
         * (Debian ships libpcre2-8.a), cJSON is shipped in the zip's lib/
         * and found through RUNPATH (no shell here: $ORIGIN stays literal). */
        argv[n++] = (char *)"-Wl,--enable-new-dtags,-rpath,$ORIGIN/lib";
    }
    char lflags[NLIBS][16];
    for (int i = 0; i < NLIBS; i++) {
        bool stat = o->lambda && strcmp(runtime_libs[i], "pcre2-8") == 0;
        if (stat)
            argv[n++] = (char *)"-Wl,-Bstatic";
        snprintf(lflags[i], sizeof lflags[i], "-l%s", runtime_libs[i]);
        argv[n++] = lflags[i];
        if (stat)
            argv[n++] = (char *)"-Wl,-Bdynamic";
    }
    argv[n] = NULL;
    rc = run_argv(argv);
out:
    free(words);
    free(argv);
    return rc;
}

static void tcc_report(void *opaque, const char *msg)
{
    (void)opaque;
    fprintf(stderr, "%s\n", msg);
}

/* TinyCC's steps; 0 when the executable was written. */
static int libtcc_link(const char *tmpdir, const char *c_file, const runtime_loc *rt,
                       const drv_build_opts *o)
{
    TCCState *s = tcc_new();
    if (!s) {
        fputs("aslc: cannot create a TinyCC compiler state\n", stderr);
        return -1;
    }
    tcc_set_error_func(s, NULL, tcc_report);
    int ok = tcc_set_output_type(s, TCC_OUTPUT_EXE) == 0 && tcc_add_include_path(s, tmpdir) == 0 &&
             tcc_add_file(s, c_file) == 0 && tcc_add_file(s, rt->lib) == 0;
    for (int i = 0; ok && i < NLIBS; i++) {
        ok = tcc_add_library(s, runtime_libs[i]) == 0;
        if (!ok)
            fprintf(stderr, "aslc: TinyCC cannot find the library -l%s\n", runtime_libs[i]);
    }
    ok = ok && tcc_output_file(s, o->output) == 0;
    tcc_delete(s);
    return ok ? 0 : -1;
}

/* No C compiler on this machine: TinyCC writes the executable, in a child
 * process because libtcc calls exit(1) on an error while linking (it has
 * no recovery point there), which would otherwise end aslc with the
 * "definition has errors" status instead of DRV_EXIT_BUILD_FAILED. */
static int build_with_libtcc(const char *tmpdir, const char *c_file, const runtime_loc *rt,
                             const drv_build_opts *o)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "aslc: cannot start TinyCC: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        int rc = libtcc_link(tmpdir, c_file, rt, o);
        fflush(stderr);
        _exit(rc == 0 ? 0 : 1);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status))
        fprintf(stderr, "aslc: TinyCC was killed by signal %d\n", WTERMSIG(status));
    fprintf(stderr, "aslc: TinyCC could not build %s\n", o->output);
    unlink(o->output); /* never leave a half-written executable */
    return -1;
}

/* ==== the build ========================================================== */

int drv_build(const char *c_text, const char *source_name, const drv_build_opts *o)
{
    (void)source_name;
    runtime_loc rt = {0};
    if (!find_runtime(&rt))
        return DRV_EXIT_BUILD_FAILED;

    const char *tmp = getenv("TMPDIR");
    char *tmpl = join(tmp && *tmp ? tmp : "/tmp", "aslc-build-XXXXXX");
    char *dir = tmpl ? mkdtemp(tmpl) : NULL;
    if (!dir) {
        fprintf(stderr, "aslc: cannot create a temporary directory: %s\n", strerror(errno));
        free(tmpl);
        free(rt.lib);
        free(rt.header);
        return DRV_EXIT_BUILD_FAILED;
    }
    char *c_file = join(dir, "program.c"), *h_file = join(dir, "aslrt.h");
    int rc = -1;
    if (!c_file || !h_file || !write_file(c_file, c_text, strlen(c_text)) ||
        !write_file(h_file, aslc_embedded_aslrt_h, aslc_embedded_aslrt_h_len)) {
        fprintf(stderr, "aslc: cannot write to %s: %s\n", dir, strerror(errno));
    } else {
        const char *cc = choose_cc(o->cc);
        if (!cc && o->lambda)
            fputs("aslc: --lambda needs a C compiler (cc, gcc or clang, or --cc): TinyCC cannot "
                  "link PCRE2 statically\n", stderr);
        else
            rc = cc ? build_with_cc(cc, dir, c_file, &rt, o)
                    : build_with_libtcc(dir, c_file, &rt, o);
    }
    if (c_file)
        unlink(c_file);
    if (h_file)
        unlink(h_file);
    rmdir(dir);
    free(c_file);
    free(h_file);
    free(tmpl);
    free(rt.lib);
    free(rt.header);
    return rc == 0 ? 0 : DRV_EXIT_BUILD_FAILED;
}
