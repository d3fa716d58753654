/*
 * flotilla-launcher: the long-lived helper that starts every Flotilla job in its own Linux-namespace container.
 *
 * Java cannot create namespaces (the JVM is multi-threaded), and starting a helper per job costs more than the
 * job itself. So the node agent starts this program once and sends it jobs over a framed pipe protocol; it
 * clone()s each job straight into its namespaces and reports back. Many jobs are in flight at once; one thread,
 * one epoll loop.
 *
 * Usage: flotilla-launcher STATE_DIR UID GID   (run as root; STATE_DIR is private to this launcher)
 *
 * Guarantees, for every job:
 *   - It runs in a new pid namespace under a small init (see child.c): pid 1 starts the job as its child, passes
 *     signals on to it, reaps orphans, and reports the job's own exit status or signal, so that a job's signals to
 *     itself (abort(), kill -TERM $$) work as anywhere else. It has its own user, mount, ipc, uts and cgroup
 *     namespaces. When it exits, or init is killed, the kernel kills every process it started, daemons and
 *     setsid() ones included.
 *   - Its network is either a namespace from a pool (one per concurrent job, reused only after the job that held
 *     it is reaped) with no interfaces up ("none") or only loopback up ("loopback"), or the host's ("host").
 *   - Its root is a fresh tmpfs holding exactly the mounts in its plan: read-only, nosuid, nodev binds of host
 *     paths, symlinks, a fresh /proc, a minimal /dev, and writable tmpfs mounts. The root itself is read-only
 *     unless the job is writable; then every bind is an overlay whose writes land in a private tmpfs and vanish
 *     with the job. The host's root is detached, not merely hidden by chroot. No host path is writable in the
 *     job: there are no writable binds at all.
 *   - Every mount destination is resolved inside the new root (openat2 with RESOLVE_IN_ROOT), so a layer's
 *     symlinks cannot make the launcher, which is root while it builds the root filesystem, create or mount
 *     anything on the host.
 *   - Every tmpfs it can write (/tmp, /dev/shm, the writable root and overlay uppers) is capped in bytes and in
 *     files, so no job fills the node's memory through them, limits or not.
 *   - Its /proc shows its own pid namespace, with what container runtimes mask hidden (kcore, kallsyms, keys,
 *     timer_list, ... read as empty) and /proc/sys, /proc/sysrq-trigger and friends read-only; /sys is absent.
 *   - It runs as the unprivileged host UID/GID given on the command line, with no supplementary groups, every
 *     capability dropped (bounding and ambient sets included), no_new_privs set, and a seccomp filter (see
 *     seccomp.c) that refuses mounting, new namespaces, module loading, kexec, bpf, keyrings and similar escape
 *     routes.
 *   - A directory the request names as shared (a shared container's exchange directory) is opened here and given
 *     to the program as file descriptor 3 only; it is never mounted, so nothing else in the job can name it.
 *   - It gets the hostname it asked for, a clean environment (only what the request names), its working
 *     directory, and stdin from a file or /dev/null.
 *   - Its stdout and stderr go through pipes that this launcher drains into files, keeping at most the
 *     requested number of bytes of each and counting the rest, so a job that floods its output is never
 *     blocked and never fills the disk. The files can be read while the job runs.
 *   - Its pid joins the cgroups the request names (one cgroup.procs path per controller) before it executes
 *     anything, so its limits hold from its first instruction.
 *   - A timeout sends SIGTERM to every process of the job, then SIGKILL to pid 1 after the grace period,
 *     which ends the whole pid namespace.
 *   - It dies if this launcher dies: PR_SET_PDEATHSIG is set again after its last credential change (which clears
 *     it), and then a pidfd of this launcher tells whether it already died. This launcher kills every job and
 *     exits when its control pipe closes, so nothing outlives the JVM that started it, even when both are killed.
 *   - A failure before the job's program starts (a missing program or working directory, a bad mount) is
 *     reported as a launch error with the reason, never as the job's own exit status.
 *
 * Protocol. Every message in either direction is a frame: a big-endian u32 length, then that many bytes.
 *   Requests (stdin):  u8 op, u64 job id, then for START a list of fields (u8 tag, u32 length, bytes);
 *                      KILL has nothing more: the job's pid 1 gets SIGKILL at once, which ends its namespace.
 *   Events (stdout):   READY once at start; STARTED (u64 id, u32 host pid); FINISHED (see send_finished()).
 */
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum op { OP_START = 1, OP_KILL = 2 };
enum event { EV_READY = 0, EV_STARTED = 1, EV_FINISHED = 2 };
enum outcome { OUT_EXITED = 1, OUT_SIGNALED = 2, OUT_TIMED_OUT = 3, OUT_CANCELLED = 4, OUT_LAUNCH_ERROR = 5 };
enum net_mode { NET_NONE = 0, NET_LOOPBACK = 1, NET_HOST = 2 };
enum field {
    F_ARG = 1, F_ENV = 2, F_WORKDIR = 3, F_HOSTNAME = 4, F_STDIN = 5, F_STDOUT = 6, F_STDERR = 7,
    F_OUTPUT_LIMIT = 8, F_TIMEOUT_MS = 9, F_GRACE_MS = 10, F_NET = 11, F_MOUNT = 12, F_WRITABLE = 13,
    F_CGROUP_PROCS = 14, F_SHARED_DIR = 15, F_TMPFS_SIZE = 16, F_HOSTS = 17,
};
/* What an epoll registration points at: the control pipe, the SIGCHLD signalfd, or one pipe of one job. */
enum watch { W_CONTROL = 0, W_SIGNAL = 1, W_STDOUT = 2, W_STDERR = 3, W_ERROR = 4 };

enum { PUMP_CHUNK = 1 << 20, PUMP_BUDGET = 4 << 20, ERROR_MAX = 1024 };

struct stream {
    int pipe_fd; /* -1 once at EOF */
    int file_fd;
    uint64_t total;
    uint64_t kept;
};

struct job {
    int in_use;
    uint64_t id;
    pid_t pid;
    struct stream out[2];
    int error_fd;
    char error[ERROR_MAX];
    size_t error_len;
    char launch_error[ERROR_MAX]; /* set when the launcher itself could not start the job */
    int reaped;
    int status;
    struct rusage usage;
    int64_t started_us;
    int64_t ended_us;
    int64_t deadline_ms; /* 0 = none */
    int64_t kill_at_ms;  /* 0 = no SIGKILL pending */
    uint64_t grace_ms;
    uint64_t output_limit; /* per stream; 0 = unlimited */
    int timed_out;
    int cancelled;
    int netns; /* index into the pool, -1 for the host's network */
    char cgroup_procs[PATH_MAX];
    /* Shared with the child (CLONE_VM) until it has executed or died. The plan and the stack stay with the job's
     * slot and are reused: unmapping memory that a running child shares costs a TLB shootdown on every CPU. */
    struct child_plan *plan;
    char *arena;
    char *stack;
};

struct netns {
    int fd;
    int in_use;
    int loopback; /* lo is up: the namespace serves "loopback" jobs, else "none" jobs */
};

static struct job *jobs;
static int job_capacity;
static struct netns *pool;
static int pool_size;
static int epoll_fd, signal_fd, host_netns_fd, devnull_fd, launcher_pidfd;
static uid_t job_uid;
static gid_t job_gid;
static char new_root[PATH_MAX], scratch_dir[PATH_MAX], dev_template[PATH_MAX], empty_dir[PATH_MAX];
enum { CHILD_STACK = 256 * 1024 };

static void die(const char *what) {
    fprintf(stderr, "flotilla-launcher: %s: %s\n", what, strerror(errno));
    exit(2);
}

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t now_ms(void) { return now_us() / 1000; }

/* ---------- events to Java ---------- */

struct out_buf {
    unsigned char data[ERROR_MAX + 256];
    size_t len;
};

static void put_u8(struct out_buf *b, unsigned v) { b->data[b->len++] = (unsigned char)v; }

static void put_u32(struct out_buf *b, uint32_t v) {
    for (int i = 3; i >= 0; i--) put_u8(b, (v >> (8 * i)) & 0xff);
}

static void put_u64(struct out_buf *b, uint64_t v) {
    for (int i = 7; i >= 0; i--) put_u8(b, (unsigned)((v >> (8 * i)) & 0xff));
}

static void send_frame(struct out_buf *b) {
    unsigned char header[4] = {b->len >> 24, b->len >> 16, b->len >> 8, b->len};
    struct iovec parts[2] = {{header, 4}, {b->data, b->len}};
    size_t total = 4 + b->len, done = 0;
    while (done < total) {
        ssize_t n = writev(STDOUT_FILENO, parts, 2);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) exit(0); /* Java is gone; the control pipe's EOF will not be read now */
        done += (size_t)n;
        for (int i = 0; i < 2; i++) {
            size_t step = (size_t)n < parts[i].iov_len ? (size_t)n : parts[i].iov_len;
            parts[i].iov_base = (char *)parts[i].iov_base + step;
            parts[i].iov_len -= step;
            n -= (ssize_t)step;
        }
    }
}

static void send_started(const struct job *job) {
    struct out_buf b = {.len = 0};
    put_u8(&b, EV_STARTED);
    put_u64(&b, job->id);
    put_u32(&b, (uint32_t)job->pid);
    send_frame(&b);
}

/* FINISHED: u8 event, u64 id, u8 outcome, u32 code (exit status, signal or errno), u64 wall us, u64 user cpu us,
 * u64 system cpu us, u64 max rss KiB, u64 stdout total, u64 stdout kept, u64 stderr total, u64 stderr kept,
 * u32 message length, message. */
static void send_finished(const struct job *job, enum outcome outcome, int code, const char *message) {
    struct out_buf b = {.len = 0};
    put_u8(&b, EV_FINISHED);
    put_u64(&b, job->id);
    put_u8(&b, outcome);
    put_u32(&b, (uint32_t)code);
    put_u64(&b, job->pid > 0 ? (uint64_t)(job->ended_us - job->started_us) : 0);
    put_u64(&b, (uint64_t)job->usage.ru_utime.tv_sec * 1000000 + (uint64_t)job->usage.ru_utime.tv_usec);
    put_u64(&b, (uint64_t)job->usage.ru_stime.tv_sec * 1000000 + (uint64_t)job->usage.ru_stime.tv_usec);
    put_u64(&b, (uint64_t)job->usage.ru_maxrss);
    for (int i = 0; i < 2; i++) {
        put_u64(&b, job->out[i].total);
        put_u64(&b, job->out[i].kept);
    }
    size_t len = strnlen(message, ERROR_MAX);
    put_u32(&b, (uint32_t)len);
    memcpy(b.data + b.len, message, len);
    b.len += len;
    send_frame(&b);
}

/* ---------- the network namespace pool ---------- */

/* Loopback is brought up once, when a namespace is made for "loopback" jobs, and never taken down again: a
 * loopback that was up and is down again keeps its local routes, and connections then hang instead of failing.
 * So each namespace serves one mode for its whole life, and a "none" namespace is never touched at all. */
static int bring_loopback_up(void) {
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    int rc = ioctl(sock, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP;
        rc = ioctl(sock, SIOCSIFFLAGS, &ifr);
    }
    int saved = errno;
    close(sock);
    errno = saved;
    return rc;
}

/* Takes a free namespace of the given mode, creating one if every such namespace is held by a running job. */
static int acquire_netns(int loopback) {
    for (int i = 0; i < pool_size; i++) {
        if (!pool[i].in_use && pool[i].loopback == loopback) {
            pool[i].in_use = 1;
            return i;
        }
    }
    struct netns *grown = realloc(pool, sizeof *pool * (size_t)(pool_size + 1));
    if (!grown) return -1;
    pool = grown;
    if (unshare(CLONE_NEWNET) != 0) return -1;
    int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int rc = fd >= 0 && loopback ? bring_loopback_up() : 0;
    int saved = errno;
    if (setns(host_netns_fd, CLONE_NEWNET) != 0) die("cannot return to the host network namespace");
    if (fd < 0 || rc != 0) {
        if (fd >= 0) close(fd);
        errno = saved;
        return -1;
    }
    pool[pool_size] = (struct netns){.fd = fd, .in_use = 1, .loopback = loopback};
    return pool_size++;
}

/* ---------- jobs ---------- */

static struct job *new_job(uint64_t id) {
    for (int i = 0; i < job_capacity; i++) {
        if (!jobs[i].in_use) {
            struct child_plan *plan = jobs[i].plan;
            char *stack = jobs[i].stack;
            memset(&jobs[i], 0, sizeof jobs[i]);
            jobs[i].in_use = 1;
            jobs[i].id = id;
            jobs[i].plan = plan ? plan : malloc(sizeof *plan);
            jobs[i].stack = stack ? stack : malloc(CHILD_STACK);
            if (!jobs[i].plan || !jobs[i].stack) die("out of memory");
            memset(jobs[i].plan, 0, sizeof *plan);
            return &jobs[i];
        }
    }
    int old = job_capacity;
    job_capacity = job_capacity ? job_capacity * 2 : 16;
    jobs = realloc(jobs, sizeof *jobs * (size_t)job_capacity);
    if (!jobs) die("out of memory");
    memset(jobs + old, 0, sizeof *jobs * (size_t)(job_capacity - old));
    return new_job(id);
}

static struct job *find_job_by_id(uint64_t id) {
    for (int i = 0; i < job_capacity; i++)
        if (jobs[i].in_use && jobs[i].id == id) return &jobs[i];
    return NULL;
}

static struct job *find_job_by_pid(pid_t pid) {
    for (int i = 0; i < job_capacity; i++)
        if (jobs[i].in_use && jobs[i].pid == pid) return &jobs[i];
    return NULL;
}

static uint64_t watch_key(const struct job *job, enum watch what) { return ((uint64_t)(job - jobs) << 8) | what; }

static void close_fd(int *fd) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

static void release(struct job *job) {
    for (int i = 0; i < 2; i++) {
        close_fd(&job->out[i].pipe_fd);
        close_fd(&job->out[i].file_fd);
    }
    close_fd(&job->error_fd);
    if (job->netns >= 0) pool[job->netns].in_use = 0;
    free(job->arena);
    job->arena = NULL;
    job->in_use = 0;
}

/*
 * What the job's failure pipe says: "errno > 0, description" when the job could not start, or "0, wait status" from
 * the container's init when the job ended (see child.c). Returns the errno, or 0.
 */
static int failure_errno(const struct job *job) {
    int err;
    memcpy(&err, job->error, sizeof err);
    return err;
}

/* Reports the job once it is reaped and every pipe is at EOF; its status is the one init reported, if it did. */
static void finish_if_done(struct job *job) {
    if (!job->reaped || job->out[0].pipe_fd >= 0 || job->out[1].pipe_fd >= 0 || job->error_fd >= 0) return;
    int status = job->status;
    if (job->launch_error[0]) {
        send_finished(job, OUT_LAUNCH_ERROR, 0, job->launch_error);
    } else if (job->error_len >= sizeof(int) && failure_errno(job) != 0) {
        int err = failure_errno(job);
        char message[ERROR_MAX + 128];
        snprintf(message, sizeof message, "%.*s: %s", (int)(job->error_len - sizeof err), job->error + sizeof err,
                 strerror(err));
        send_finished(job, OUT_LAUNCH_ERROR, err, message);
    } else {
        if (job->error_len >= 2 * sizeof(int)) memcpy(&status, job->error + sizeof(int), sizeof status);
        enum outcome outcome = job->timed_out ? OUT_TIMED_OUT
                               : job->cancelled ? OUT_CANCELLED
                               : WIFSIGNALED(status) ? OUT_SIGNALED
                                                     : OUT_EXITED;
        int code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
        if (outcome == OUT_TIMED_OUT || outcome == OUT_CANCELLED) code = status;
        send_finished(job, outcome, code, "");
    }
    release(job);
}

/* Moves what is waiting in one output pipe to its file, keeping at most output_limit bytes, then discarding. */
static void pump(struct job *job, int which) {
    struct stream *s = &job->out[which];
    size_t budget = PUMP_BUDGET;
    while (s->pipe_fd >= 0 && budget > 0) {
        int keep = job->output_limit == 0 || s->kept < job->output_limit;
        size_t chunk = PUMP_CHUNK;
        if (keep && job->output_limit != 0 && job->output_limit - s->kept < chunk) chunk = job->output_limit - s->kept;
        ssize_t n = splice(s->pipe_fd, NULL, keep ? s->file_fd : devnull_fd, NULL, chunk,
                           SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) { /* EOF, or the file cannot take more: stop keeping, but never block the job */
            if (n < 0 && keep) {
                fprintf(stderr, "flotilla-launcher: job %llu output: %s\n", (unsigned long long)job->id,
                        strerror(errno));
                job->output_limit = s->kept ? s->kept : 1;
                continue;
            }
            epoll_ctl(epoll_fd, EPOLL_CTL_DEL, s->pipe_fd, NULL);
            close_fd(&s->pipe_fd);
            finish_if_done(job);
            return;
        }
        s->total += (uint64_t)n;
        if (keep) s->kept += (uint64_t)n;
        budget -= (size_t)n < budget ? (size_t)n : budget;
    }
}

static void read_error_pipe(struct job *job) {
    while (job->error_fd >= 0) {
        ssize_t n = read(job->error_fd, job->error + job->error_len, sizeof job->error - job->error_len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n > 0) {
            job->error_len += (size_t)n;
            if (job->error_len < sizeof job->error) continue;
        }
        epoll_ctl(epoll_fd, EPOLL_CTL_DEL, job->error_fd, NULL);
        close_fd(&job->error_fd);
        finish_if_done(job);
        return;
    }
}

/* SIGTERM to every process of the job (listed by its cgroup), then SIGKILL to pid 1 after the grace period. */
static void terminate(struct job *job) {
    if (job->pid <= 0 || job->reaped) return;
    kill(job->pid, SIGTERM);
    FILE *procs = job->cgroup_procs[0] ? fopen(job->cgroup_procs, "re") : NULL;
    if (procs) {
        int pid;
        while (fscanf(procs, "%d", &pid) == 1) kill(pid, SIGTERM);
        fclose(procs);
    }
    job->kill_at_ms = now_ms() + (int64_t)job->grace_ms;
}

static void check_deadlines(void) {
    int64_t now = now_ms();
    for (int i = 0; i < job_capacity; i++) {
        struct job *job = &jobs[i];
        if (!job->in_use || job->reaped || job->pid <= 0) continue;
        if (job->deadline_ms && now >= job->deadline_ms) {
            job->deadline_ms = 0;
            job->timed_out = 1;
            terminate(job);
        }
        if (job->kill_at_ms && now >= job->kill_at_ms) {
            job->kill_at_ms = 0;
            kill(job->pid, SIGKILL);
        }
    }
}

static int next_timeout_ms(void) {
    int64_t next = -1;
    for (int i = 0; i < job_capacity; i++) {
        const struct job *job = &jobs[i];
        if (!job->in_use || job->reaped) continue;
        if (job->deadline_ms && (next < 0 || job->deadline_ms < next)) next = job->deadline_ms;
        if (job->kill_at_ms && (next < 0 || job->kill_at_ms < next)) next = job->kill_at_ms;
    }
    if (next < 0) return -1;
    int64_t wait = next - now_ms();
    return wait < 0 ? 0 : wait > 60000 ? 60000 : (int)wait;
}

static void reap_children(void) {
    for (;;) {
        int status;
        struct rusage usage;
        pid_t pid = wait4(-1, &status, WNOHANG, &usage);
        if (pid <= 0) return;
        struct job *job = find_job_by_pid(pid);
        if (!job) continue;
        job->reaped = 1;
        job->ended_us = now_us();
        job->status = status;
        job->usage = usage;
        finish_if_done(job);
    }
}

/* ---------- starting a job ---------- */

struct reader {
    const unsigned char *p;
    const unsigned char *end;
};

static int get_u8(struct reader *r, unsigned *v) {
    if (r->p + 1 > r->end) return -1;
    *v = *r->p++;
    return 0;
}

static int get_u32(struct reader *r, uint32_t *v) {
    if (r->p + 4 > r->end) return -1;
    *v = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) | ((uint32_t)r->p[2] << 8) | r->p[3];
    r->p += 4;
    return 0;
}

static int get_u64(struct reader *r, uint64_t *v) {
    uint32_t hi, lo;
    if (get_u32(r, &hi) || get_u32(r, &lo)) return -1;
    *v = ((uint64_t)hi << 32) | lo;
    return 0;
}

static uint64_t value_u64(const char *value, uint32_t len) {
    struct reader r = {(const unsigned char *)value, (const unsigned char *)value + len};
    uint64_t v = 0;
    return get_u64(&r, &v) == 0 ? v : 0;
}

/* Fails the job before it has a process: the event is sent now, nothing is left to reap. */
static void reject(struct job *job, const char *fmt, const char *detail) {
    snprintf(job->launch_error, sizeof job->launch_error, fmt, detail, strerror(errno));
    for (int i = 0; i < 2; i++) close_fd(&job->out[i].pipe_fd);
    close_fd(&job->error_fd);
    job->reaped = 1;
    finish_if_done(job);
}

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int write_id_maps(pid_t pid) {
    char path[64], map[128];
    snprintf(map, sizeof map, job_uid == 0 ? "0 0 1\n" : "0 0 1\n%u %u 1\n", job_uid, job_uid);
    snprintf(path, sizeof path, "/proc/%d/uid_map", pid);
    if (write_file(path, map) != 0) return -1;
    snprintf(map, sizeof map, job_gid == 0 ? "0 0 1\n" : "0 0 1\n%u %u 1\n", job_gid, job_gid);
    snprintf(path, sizeof path, "/proc/%d/gid_map", pid);
    return write_file(path, map);
}

static int watch(int fd, struct job *job, enum watch what) {
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = watch_key(job, what)};
    return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

static void start_job(uint64_t id, struct reader *r) {
    struct job *job = new_job(id);
    for (int i = 0; i < 2; i++) job->out[i] = (struct stream){.pipe_fd = -1, .file_fd = -1};
    job->error_fd = -1;
    job->netns = -1;
    job->grace_ms = 2000;

    /* Parse the request into the job's plan. Strings are copied into one buffer that the child reads. */
    struct child_plan *plan = job->plan;
    char *arena = job->arena = malloc((size_t)(r->end - r->p) * 2 + 64);
    if (!arena) die("out of memory");
    char *next = arena;
    int argc = 0, envc = 0, net = NET_NONE;
    const char *stdin_path = NULL, *out_paths[2] = {NULL, NULL}, *shared_dir = NULL;
    uint64_t tmpfs_bytes = 0; /* required: the node's configuration says how much, not this program */
    char *cgroups[MAX_CGROUPS];
    int cgroup_count = 0;
    uint64_t timeout_ms = 0;
    plan->workdir = "/";
    plan->hostname = "flotilla";
    int bad = 0;
    while (r->p < r->end && !bad) {
        unsigned tag;
        uint32_t len;
        if (get_u8(r, &tag) || get_u32(r, &len) || r->p + len > r->end) {
            bad = 1;
            break;
        }
        char *value = next;
        memcpy(value, r->p, len);
        value[len] = '\0';
        next += len + 1;
        r->p += len;
        switch (tag) {
        case F_ARG: if (argc < MAX_ARGS) plan->argv[argc++] = value; else bad = 1; break;
        case F_ENV: if (envc < MAX_ENV) plan->envp[envc++] = value; else bad = 1; break;
        case F_WORKDIR: plan->workdir = value; break;
        case F_HOSTNAME: plan->hostname = value; break;
        case F_STDIN: stdin_path = value; break;
        case F_STDOUT: out_paths[0] = value; break;
        case F_STDERR: out_paths[1] = value; break;
        case F_OUTPUT_LIMIT: job->output_limit = value_u64(value, len); break;
        case F_TIMEOUT_MS: timeout_ms = value_u64(value, len); break;
        case F_GRACE_MS: job->grace_ms = value_u64(value, len); break;
        case F_NET: net = len ? (unsigned char)value[0] : NET_NONE; break;
        case F_WRITABLE: plan->writable = len && value[0]; break;
        case F_CGROUP_PROCS: if (cgroup_count < MAX_CGROUPS) cgroups[cgroup_count++] = value; else bad = 1; break;
        case F_SHARED_DIR: shared_dir = value; break;
        case F_TMPFS_SIZE: tmpfs_bytes = value_u64(value, len); break;
        case F_HOSTS: plan->hosts = value; plan->hosts_len = len; break;
        case F_MOUNT: {
            /* u8 kind, then "src\0dest" */
            if (len < 2 || plan->mount_count >= MAX_MOUNTS) { bad = 1; break; }
            struct mount_step *m = &plan->mounts[plan->mount_count++];
            m->kind = (enum mount_kind)(unsigned char)value[0];
            if (m->kind > MOUNT_DEV) bad = 1;
            m->src = value + 1;
            m->dest = m->src + strlen(m->src) + 1;
            if (m->dest > value + len) bad = 1;
            break;
        }
        default: bad = 1;
        }
    }
    plan->argv[argc] = NULL;
    plan->envp[envc] = NULL;
    if (bad || argc == 0 || !out_paths[0] || !out_paths[1] || net > NET_HOST || tmpfs_bytes < 4096) {
        errno = EINVAL;
        reject(job, "malformed start request%s: %s", "");
        return;
    }
    if (cgroup_count > 0) snprintf(job->cgroup_procs, sizeof job->cgroup_procs, "%s", cgroups[0]);
    /* The tmpfs caps as the child's fsconfig() takes them; one file per 4 KiB of room is plenty for any job. */
    plan->tmpfs_size = next;
    next += sprintf(next, "%llu", (unsigned long long)tmpfs_bytes) + 1;
    plan->tmpfs_inodes = next;
    next += sprintf(next, "%llu", (unsigned long long)(tmpfs_bytes / 4096 < 1024 ? 1024 : tmpfs_bytes / 4096)) + 1;

    int stdin_fd = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY | O_CLOEXEC);
    if (stdin_fd < 0) {
        reject(job, "cannot open stdin file %s: %s", stdin_path);
        return;
    }
    /* Closed through this local copy, never through the plan: the child reads the plan until it executes. */
    int shared_fd = -1;
    if (shared_dir) {
        shared_fd = open(shared_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (shared_fd < 0) {
            reject(job, "cannot open shared directory %s: %s", shared_dir);
            close(stdin_fd);
            return;
        }
    }
    int child_ends[2] = {-1, -1}, sync_pipe[2] = {-1, -1}, error_pipe[2] = {-1, -1};
    for (int i = 0; i < 2; i++) {
        job->out[i].file_fd = open(out_paths[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int p[2];
        if (job->out[i].file_fd < 0 || pipe2(p, O_CLOEXEC) != 0) {
            reject(job, "cannot prepare output file %s: %s", out_paths[i]);
            for (int k = 0; k <= i; k++) close_fd(&child_ends[k]);
            close(stdin_fd);
            close_fd(&shared_fd);
            return;
        }
        job->out[i].pipe_fd = p[0];
        child_ends[i] = p[1];
        fcntl(p[0], F_SETFL, O_NONBLOCK);
    }
    if (pipe2(sync_pipe, O_CLOEXEC) != 0 || pipe2(error_pipe, O_CLOEXEC) != 0) die("pipe");
    fcntl(error_pipe[0], F_SETFL, O_NONBLOCK);
    job->error_fd = error_pipe[0];

    if (net != NET_HOST) {
        job->netns = acquire_netns(net == NET_LOOPBACK);
        if (job->netns < 0 || setns(pool[job->netns].fd, CLONE_NEWNET) != 0) {
            reject(job, "cannot prepare network namespace%s: %s", "");
            goto cleanup;
        }
    }
    plan->new_root = new_root;
    plan->scratch_dir = scratch_dir;
    plan->dev_template = dev_template;
    plan->empty_dir = empty_dir;
    plan->uid = job_uid;
    plan->gid = job_gid;
    plan->sync_fd = sync_pipe[0];
    plan->launcher_pidfd = launcher_pidfd;
    plan->shared_dir_fd = shared_fd;
    plan->job_stack = job->stack + JOB_STACK;
    plan->error_fd = error_pipe[1];
    plan->stdin_fd = stdin_fd;
    plan->stdout_fd = child_ends[0];
    plan->stderr_fd = child_ends[1];
    job->started_us = now_us();
    /* CLONE_VM: the child borrows our memory until execve(), so no page tables are copied (see child.c). */
    job->pid = clone(child_main, job->stack + CHILD_STACK,
                     CLONE_VM | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS |
                         CLONE_NEWCGROUP | SIGCHLD,
                     plan);
    int clone_errno = errno;
    if (net != NET_HOST && setns(host_netns_fd, CLONE_NEWNET) != 0) die("cannot return to the host network namespace");
    if (job->pid < 0) {
        errno = clone_errno;
        job->pid = 0;
        reject(job, "cannot create the job's namespaces%s: %s", "");
        goto cleanup;
    }
    const char *failed = NULL;
    if (write_id_maps(job->pid) != 0) failed = "cannot write the uid/gid maps";
    char pid_text[16];
    snprintf(pid_text, sizeof pid_text, "%d", job->pid);
    for (int i = 0; i < cgroup_count && !failed; i++)
        if (write_file(cgroups[i], pid_text) != 0) failed = cgroups[i];
    if (failed) {
        snprintf(job->launch_error, sizeof job->launch_error, "cannot place the job in %s: %s", failed,
                 strerror(errno));
        kill(job->pid, SIGKILL);
    } else if (write(sync_pipe[1], "", 1) != 1) {
        die("cannot release the job");
    }
    if (watch(job->out[0].pipe_fd, job, W_STDOUT) || watch(job->out[1].pipe_fd, job, W_STDERR) ||
        watch(job->error_fd, job, W_ERROR))
        die("epoll_ctl");
    if (timeout_ms) job->deadline_ms = now_ms() + (int64_t)timeout_ms;
    if (!failed) send_started(job);
    close(stdin_fd);
    close_fd(&shared_fd);
    for (int i = 0; i < 2; i++) close(child_ends[i]);
    close(sync_pipe[0]);
    close(sync_pipe[1]);
    close(error_pipe[1]);
    return;

cleanup:
    close(stdin_fd);
    close_fd(&shared_fd);
    for (int i = 0; i < 2; i++) close(child_ends[i]);
    close(sync_pipe[0]);
    close(sync_pipe[1]);
    close(error_pipe[1]);
}

static void kill_job(uint64_t id) {
    struct job *job = find_job_by_id(id);
    if (!job || job->reaped || job->pid <= 0) return;
    job->cancelled = !job->timed_out;
    job->deadline_ms = 0;
    kill(job->pid, SIGKILL);
}

/* ---------- the control pipe ---------- */

static unsigned char *control;
static size_t control_len, control_capacity;

static void shutdown_all(void) {
    for (int i = 0; i < job_capacity; i++)
        if (jobs[i].in_use && jobs[i].pid > 0 && !jobs[i].reaped) kill(jobs[i].pid, SIGKILL);
    exit(0);
}

static void read_control(void) {
    for (;;) {
        if (control_capacity - control_len < 65536) {
            control_capacity = control_capacity ? control_capacity * 2 : 1 << 20;
            control = realloc(control, control_capacity);
            if (!control) die("out of memory");
        }
        ssize_t n = read(STDIN_FILENO, control + control_len, control_capacity - control_len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        if (n <= 0) shutdown_all();
        control_len += (size_t)n;
    }
    size_t offset = 0;
    while (control_len - offset >= 4) {
        const unsigned char *f = control + offset;
        uint32_t len = ((uint32_t)f[0] << 24) | ((uint32_t)f[1] << 16) | ((uint32_t)f[2] << 8) | f[3];
        if (control_len - offset - 4 < len) break;
        struct reader r = {f + 4, f + 4 + len};
        unsigned op;
        uint64_t id;
        if (get_u8(&r, &op) || get_u64(&r, &id)) {
            fprintf(stderr, "flotilla-launcher: ignoring a frame of %u bytes\n", len);
        } else if (op == OP_START) {
            start_job(id, &r);
        } else if (op == OP_KILL) {
            kill_job(id);
        } else {
            fprintf(stderr, "flotilla-launcher: ignoring unknown op %u\n", op);
        }
        offset += 4 + len;
    }
    memmove(control, control + offset, control_len - offset);
    control_len -= offset;
}

/* ---------- start-up ---------- */

static void path_in(char *dst, const char *dir, const char *name) {
    if ((size_t)snprintf(dst, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX) {
        errno = ENAMETOOLONG;
        die(dir);
    }
}

static void make_dir(const char *path) {
    if (mkdir(path, 0700) != 0 && errno != EEXIST) die(path);
}

/* A read-only tmpfs with the device nodes a job may use, bound recursively into every job's /dev. */
static void build_dev_template(void) {
    static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
    static const char *const links[][2] = {{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"},
                                           {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"}};
    char path[PATH_MAX], host[PATH_MAX];
    if (mount("tmpfs", dev_template, "tmpfs", MS_NOSUID, "mode=0755,size=64k") != 0) die("mount /dev template");
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        path_in(path, dev_template, nodes[i]);
        path_in(host, "/dev", nodes[i]);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0) die(path);
        close(fd);
        if (mount(host, path, NULL, MS_BIND, NULL) != 0) die(host);
    }
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        path_in(path, dev_template, links[i][1]);
        if (symlink(links[i][0], path) != 0) die(path);
    }
    path_in(path, dev_template, "shm");
    make_dir(path);
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
    if (syscall(SYS_mount_setattr, AT_FDCWD, dev_template, 0, &attr, sizeof attr) != 0) die("read-only /dev template");
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: flotilla-launcher STATE_DIR UID GID\n");
        return 2;
    }
    if (geteuid() != 0) {
        fprintf(stderr, "flotilla-launcher: must run as root to create namespaces, cgroups and uid maps\n");
        return 2;
    }
    /* Descriptor 3 is where a job gets its shared directory (SHARED_DIR_FD): holding it here for good means no
     * descriptor a child still needs before it executes its program can be given that number. */
    if (fcntl(SHARED_DIR_FD, F_GETFD) < 0 && open("/dev/null", O_RDONLY | O_CLOEXEC) != SHARED_DIR_FD)
        die("cannot reserve descriptor 3");
    prepare_seccomp_filter();
    launcher_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
    if (launcher_pidfd < 0) die("pidfd_open");
    job_uid = (uid_t)strtoul(argv[2], NULL, 10);
    job_gid = (gid_t)strtoul(argv[3], NULL, 10);
    make_dir(argv[1]);
    path_in(new_root, argv[1], "root");
    path_in(scratch_dir, argv[1], "scratch");
    path_in(dev_template, argv[1], "dev");
    path_in(empty_dir, argv[1], "empty");
    make_dir(new_root);
    make_dir(scratch_dir);
    make_dir(dev_template);
    make_dir(empty_dir);
    chmod(argv[1], 0755);
    chmod(new_root, 0755);
    chmod(scratch_dir, 0755);
    chmod(empty_dir, 0555);
    /* Every job's pid 1 shares this process's memory, so /proc/1/cmdline in a job reads our arguments: keep only
     * our name there, not where our binary and our state live. */
    static const char name[] = "flotilla-launcher";
    size_t path_len = strlen(argv[0]);
    for (int i = 0; i < argc; i++) memset(argv[i], 0, strlen(argv[i]));
    if (path_len >= sizeof name - 1) memcpy(argv[0], name, sizeof name - 1);

    /* A private mount namespace: the launcher's own mounts, and every job's, never reach the host. */
    if (unshare(CLONE_NEWNS) != 0) die("unshare(CLONE_NEWNS)");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) die("make mounts private");
    build_dev_template();

    host_netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    devnull_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (host_netns_fd < 0 || devnull_fd < 0) die("open");
    signal(SIGPIPE, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
    struct epoll_event control_ev = {.events = EPOLLIN, .data.u64 = W_CONTROL};
    struct epoll_event signal_ev = {.events = EPOLLIN, .data.u64 = W_SIGNAL};
    if (signal_fd < 0 || epoll_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, STDIN_FILENO, &control_ev) ||
        epoll_ctl(epoll_fd, EPOLL_CTL_ADD, signal_fd, &signal_ev))
        die("event loop set-up");

    struct out_buf ready = {.len = 0};
    put_u8(&ready, EV_READY);
    send_frame(&ready);

    for (;;) {
        struct epoll_event events[64];
        int n = epoll_wait(epoll_fd, events, 64, next_timeout_ms());
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            uint64_t key = events[i].data.u64;
            enum watch what = (enum watch)(key & 0xff);
            struct job *job = what >= W_STDOUT ? &jobs[key >> 8] : NULL;
            if (job && !job->in_use) continue; /* finished earlier in this batch */
            switch (what) {
            case W_CONTROL: read_control(); break;
            case W_SIGNAL: {
                struct signalfd_siginfo info;
                while (read(signal_fd, &info, sizeof info) == sizeof info) {
                }
                reap_children();
                break;
            }
            case W_STDOUT: pump(job, 0); break;
            case W_STDERR: pump(job, 1); break;
            case W_ERROR: read_error_pipe(job); break;
            }
        }
        check_deadlines();
    }
}
