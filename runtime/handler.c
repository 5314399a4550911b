/*
 * handler.c - running Task handlers: exec programs (processes) and native
 * functions (in-process calls that a deadline can abandon).
 *
 * An exec handler is started with posix_spawn, without a shell, in its own
 * process group, in its working directory, with:
 *   fd 0  a pipe carrying the effective input (JSON), closed after it;
 *   fd 1  a pipe the runtime reads: the result (JSON);
 *   fd 2  the workflow's own stderr (the handler's messages reach the user);
 *   fd 3  the heartbeat pipe: every write to it (a newline is enough) is a
 *         heartbeat, for Task states where HeartbeatSeconds applies;
 * and no other descriptors. The runtime waits until the handler has exited
 * and closed stdout. At TimeoutSeconds, when heartbeats stop for
 * HeartbeatSeconds, when the execution itself times out or is aborted, or
 * when stdout passes RT_HANDLER_MAX_OUTPUT, the whole process group is
 * killed with SIGKILL. When the handler exits, whatever it left running in
 * its process group is killed too, so that no stray child keeps stdout
 * open.
 *
 * SIGPIPE: a handler that exits without reading all its input makes the
 * write fail with EPIPE; SIGPIPE is blocked on the writing thread while it
 * runs a handler and a pending one is consumed, so the workflow is never
 * killed by it.
 *
 * Owns: the pipes and the child process of one run (nothing survives
 * rt_exec_run); for native calls under a deadline, the worker thread's
 * job, which the thread frees itself when the caller abandoned it.
 * Called by task.c.
 *
 * Layer: effects
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dispatch.h"
#include "rt.h"

extern char **environ;

/* The earliest of the limits that apply at [now], given the last
 * heartbeat; 0 when none. Sets *which to the RT_END_* it would cause. */
static int64_t next_deadline(const rt_limits *lim, int64_t last_beat, rt_end *which)
{
    int64_t d = 0;
    *which = RT_END_DONE;
    if (lim->timeout_at) {
        d = lim->timeout_at;
        *which = RT_END_TIMEOUT;
    }
    if (lim->heartbeat_ns) {
        int64_t h = last_beat + lim->heartbeat_ns;
        if (!d || h < d) {
            d = h;
            *which = RT_END_HEARTBEAT;
        }
    }
    /* The execution's deadline wins a tie: the whole run is over then. */
    if (lim->run_deadline && (!d || lim->run_deadline <= d)) {
        d = lim->run_deadline;
        *which = RT_END_RUN_TIMEOUT;
    }
    return d;
}

/* ==== exec ================================================================= */

/* Moves [fd] to a number >= 10 (close-on-exec), so that the dup2 actions
 * onto 0, 1 and 3 can never clobber another pipe end. */
static int high_fd(int fd)
{
    if (fd < 0 || fd >= 10)
        return fd;
    int h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    close(fd);
    return h;
}

static bool make_pipe(int p[2])
{
    if (pipe2(p, O_CLOEXEC) != 0)
        return false;
    p[0] = high_fd(p[0]);
    p[1] = high_fd(p[1]);
    return p[0] >= 0 && p[1] >= 0;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static size_t name_len(const char *entry)
{
    const char *eq = strchr(entry, '=');
    return eq ? (size_t)(eq - entry) : strlen(entry);
}

/* environ, then [a], then [b]: a later entry replaces an earlier one of the
 * same name. The pointers are borrowed; only the array is malloc'd. */
static char **merge_env(char *const *a, char *const *b)
{
    size_t n = 0;
    for (char **e = environ; e && *e; e++)
        n++;
    for (char *const *e = a; e && *e; e++)
        n++;
    for (char *const *e = b; e && *e; e++)
        n++;
    char **v = malloc((n + 1) * sizeof *v);
    if (!v)
        return NULL;
    size_t k = 0;
    char *const *lists[3] = {environ, a, b};
    for (int l = 0; l < 3; l++) {
        for (char *const *e = lists[l]; e && *e; e++) {
            size_t nl = name_len(*e);
            size_t j = 0;
            while (j < k && !(name_len(v[j]) == nl && strncmp(v[j], *e, nl) == 0))
                j++;
            if (j < k)
                v[j] = *e;
            else
                v[k++] = *e;
        }
    }
    v[k] = NULL;
    return v;
}

/* Appends what is readable on [fd] to r->out. Returns 1 on EOF, 0 when more
 * may come, -1 when the output passed the cap. */
static int read_some(int fd, rt_exec_result *r, size_t *cap)
{
    for (;;) {
        if (*cap - r->outlen < 65536 + 1) {
            if (*cap >= (size_t)RT_HANDLER_MAX_OUTPUT + 65536)
                return -1;
            size_t ncap = *cap ? *cap * 2 : 65536 * 2;
            char *n = realloc(r->out, ncap);
            if (!n)
                return -1;
            r->out = n;
            *cap = ncap;
        }
        ssize_t got = read(fd, r->out + r->outlen, 65536);
        if (got > 0) {
            r->outlen += (size_t)got;
            r->out[r->outlen] = '\0';
            if (r->outlen > (size_t)RT_HANDLER_MAX_OUTPUT)
                return -1;
            continue;
        }
        if (got == 0)
            return 1;
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : 1;
    }
}

/* Kills the handler's process group and reaps the leader (unless it was
 * already reaped). */
static void kill_group(pid_t pid, bool *reaped)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL); /* in case setpgid had not happened yet */
    if (!*reaped) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        *reaped = true;
    }
}

void rt_exec_run(const rt_binding *b, char *const *env, const char *input, size_t inlen,
                 const rt_limits *lim, rt_exec_result *r)
{
    memset(r, 0, sizeof *r);
    r->end = RT_END_FAILED;
    int in[2] = {-1, -1}, out[2] = {-1, -1}, hb[2] = {-1, -1};
    char **envp = merge_env(b->env, env);
    if (!envp || !make_pipe(in) || !make_pipe(out) || !make_pipe(hb)) {
        snprintf(r->msg, sizeof r->msg, "cannot set up its pipes: %s", strerror(errno));
        goto done_fds;
    }

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, hb[1], 3);
    posix_spawn_file_actions_addclosefrom_np(&fa, 4);
    posix_spawn_file_actions_addchdir_np(&fa, b->cwd);
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    static const int reset[] = {SIGPIPE, SIGINT,  SIGTERM, SIGQUIT, SIGHUP,
                                SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM};
    for (size_t i = 0; i < sizeof reset / sizeof *reset; i++)
        sigaddset(&dfl, reset[i]);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dfl);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, b->argv[0], &fa, &attr, b->argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        snprintf(r->msg, sizeof r->msg, "cannot run '%s' in '%s': %s", b->argv[0], b->cwd,
                 strerror(rc));
        goto done_fds;
    }
    close_fd(&in[0]);
    close_fd(&out[1]);
    close_fd(&hb[1]);
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(hb[0], F_SETFL, O_NONBLOCK);

    /* A pollable handle on the child's exit, where the kernel has one;
     * otherwise the loop polls waitid every few milliseconds. */
    int pidfd = -1;
#ifdef SYS_pidfd_open
    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif

    sigset_t pipe_set, old_mask;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);

    size_t cap = 0, written = 0;
    if (inlen == 0)
        close_fd(&in[1]);
    bool exited = false, reaped = false, got_epipe = false;
    int status = 0;
    int64_t last_beat = rt_mono_ns(), exited_at = 0;
    rt_end end = RT_END_DONE;
    for (;;) {
        int64_t now = rt_mono_ns();
        rt_end which;
        int64_t deadline = next_deadline(lim, last_beat, &which);
        if (deadline && now >= deadline) {
            end = which;
            break;
        }
        if (lim->x && rt_cancelled(lim->x)) {
            end = RT_END_ABORTED;
            break;
        }
        if (!exited) {
            siginfo_t si;
            memset(&si, 0, sizeof si);
            if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid) {
                exited = true;
                exited_at = now;
                /* Kill what the handler left behind before reaping it: the
                 * zombie keeps its process group id from being reused. */
                kill(-pid, SIGKILL);
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
                }
                reaped = true;
                close_fd(&pidfd);
            }
        }
        if (exited && out[0] < 0)
            break;
        /* A process outside the group (it called setsid) may still hold
         * stdout after the handler exited: stop waiting for it soon. */
        if (exited && now - exited_at > 1000000000LL)
            break;

        struct pollfd p[4];
        int np = 0, i_out = -1, i_hb = -1, i_in = -1;
        if (out[0] >= 0)
            p[i_out = np++] = (struct pollfd){.fd = out[0], .events = POLLIN};
        if (hb[0] >= 0)
            p[i_hb = np++] = (struct pollfd){.fd = hb[0], .events = POLLIN};
        if (in[1] >= 0)
            p[i_in = np++] = (struct pollfd){.fd = in[1], .events = POLLOUT};
        if (pidfd >= 0 && !exited)
            p[np++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
        int64_t wait_ns = exited || pidfd < 0 ? 10000000 : 200000000;
        if (deadline && deadline - now < wait_ns)
            wait_ns = deadline - now;
        int ms = (int)((wait_ns + 999999) / 1000000);
        int n = poll(p, (nfds_t)np, ms);
        if (n < 0 && errno != EINTR) {
            snprintf(r->msg, sizeof r->msg, "poll failed: %s", strerror(errno));
            end = RT_END_FAILED;
            break;
        }
        if (n <= 0)
            continue;
        if (i_out >= 0 && p[i_out].revents) {
            int st = read_some(out[0], r, &cap);
            if (st < 0) {
                end = RT_END_TOO_BIG;
                break;
            }
            if (st > 0)
                close_fd(&out[0]);
        }
        if (i_hb >= 0 && p[i_hb].revents) {
            char buf[256];
            ssize_t got;
            bool beat = false;
            while ((got = read(hb[0], buf, sizeof buf)) > 0)
                beat = true;
            if (beat)
                last_beat = rt_mono_ns();
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
                close_fd(&hb[0]);
        }
        if (i_in >= 0 && p[i_in].revents) {
            if (p[i_in].revents & (POLLERR | POLLHUP)) {
                close_fd(&in[1]);
            } else {
                ssize_t w = write(in[1], input + written, inlen - written);
                if (w > 0)
                    written += (size_t)w;
                else if (w < 0 && errno == EPIPE)
                    got_epipe = true;
                if (got_epipe || written == inlen)
                    close_fd(&in[1]);
            }
        }
    }
    if (end != RT_END_DONE || !exited)
        kill_group(pid, &reaped);
    r->end = end;
    if (end == RT_END_DONE) {
        r->exited = WIFEXITED(status);
        r->code = WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status);
    }
    /* A SIGPIPE raised by a write above is pending on this thread: drop it
     * before the mask comes back. */
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE) {
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    close_fd(&pidfd);
done_fds:
    close_fd(&in[0]);
    close_fd(&in[1]);
    close_fd(&out[0]);
    close_fd(&out[1]);
    close_fd(&hb[0]);
    close_fd(&hb[1]);
    free(envp);
}

/* ==== native =============================================================== */

/* A native call running on its own thread. Whoever of the caller (giving
 * up) and the worker (finishing) comes second frees it. */
typedef struct native_job {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done, abandoned;
    asl_native_fn fn;
    cJSON *in;                 /* the worker's own copy */
    rt_native_result *res;
} native_job;

static void job_free(native_job *j)
{
    cJSON_Delete(j->in);
    rt_native_result_free(j->res);
    pthread_mutex_destroy(&j->lock);
    pthread_cond_destroy(&j->cond);
    free(j);
}

static void call_native(asl_native_fn fn, const cJSON *in, rt_native_result *res)
{
    cJSON *out = NULL;
    res->rc = fn(in, &out, &res->err);
    res->err.error[ASL_ERROR_MAX] = '\0';
    res->err.cause[ASL_CAUSE_MAX] = '\0';
    if (res->rc == 0) {
        res->out = out;
    } else {
        cJSON_Delete(out);
    }
    res->end = RT_END_DONE;
}

static void *native_worker(void *arg)
{
    native_job *j = arg;
    call_native(j->fn, j->in, j->res);
    pthread_mutex_lock(&j->lock);
    bool abandoned = j->abandoned;
    j->done = true;
    pthread_cond_signal(&j->cond);
    pthread_mutex_unlock(&j->lock);
    if (abandoned)
        job_free(j);
    return NULL;
}

void rt_native_result_free(rt_native_result *r)
{
    if (!r)
        return;
    cJSON_Delete(r->out);
    free(r);
}

rt_native_result *rt_native_run(const rt_binding *b, const cJSON *in, const rt_limits *lim)
{
    rt_native_result *res = calloc(1, sizeof *res);
    if (!res)
        return NULL;
    rt_end which;
    int64_t start = rt_mono_ns();
    /* A native handler cannot send heartbeats, so HeartbeatSeconds bounds
     * the whole call. */
    int64_t deadline = next_deadline(lim, start, &which);
    if (!deadline) {
        call_native(b->fn, in, res);
        return res;
    }
    native_job *j = calloc(1, sizeof *j);
    if (!j) {
        free(res);
        return NULL;
    }
    pthread_mutex_init(&j->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&j->cond, &ca);
    pthread_condattr_destroy(&ca);
    j->fn = b->fn;
    j->in = cJSON_Duplicate(in, 1);
    j->res = res;
    pthread_t th;
    if ((in && !j->in) || pthread_create(&th, NULL, native_worker, j) != 0) {
        /* No thread: run it here, without a deadline rather than not at all. */
        j->res = NULL;
        job_free(j);
        call_native(b->fn, in, res);
        return res;
    }
    pthread_detach(th);
    pthread_mutex_lock(&j->lock);
    rt_end end = RT_END_DONE;
    while (!j->done) {
        int64_t now = rt_mono_ns();
        if (now >= deadline) {
            end = which;
            break;
        }
        if (lim->x && rt_cancelled(lim->x)) {
            end = RT_END_ABORTED;
            break;
        }
        int64_t until = deadline - now > 200000000 ? now + 200000000 : deadline;
        struct timespec ts = {.tv_sec = (time_t)(until / 1000000000),
                              .tv_nsec = (long)(until % 1000000000)};
        pthread_cond_timedwait(&j->cond, &j->lock, &ts);
    }
    if (end != RT_END_DONE) {
        /* The worker owns the job (and its result) from now on. */
        j->abandoned = true;
        pthread_mutex_unlock(&j->lock);
        rt_native_result *gave_up = calloc(1, sizeof *gave_up);
        if (gave_up)
            gave_up->end = end;
        return gave_up;
    }
    pthread_mutex_unlock(&j->lock);
    j->res = NULL;
    job_free(j);
    return res;
}
