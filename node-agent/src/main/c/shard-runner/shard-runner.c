/*
 * shard-runner: runs the jobs of one shard one after another inside a single container ("per-shard isolation").
 * The launcher starts it as the container's job, under the container's init (pid 1); it is linked statically, so it
 * needs nothing from the container's root filesystem.
 *
 * Usage: shard-runner   (with the exchange directory open as descriptor 3)
 *
 * The exchange directory is a directory of the node agent's that the launcher opens and hands to this program as
 * descriptor 3; it is not mounted anywhere in the container. Its file "plan" holds the jobs, each as
 * NUL-terminated fields: workdir, timeout_ms (0: none), grace_ms, output_limit (bytes per stream), argc, argv...,
 * envc, env...
 *
 * For job K (counting from 0) it writes K.out and K.err there, and once the job has ended K.status (written whole,
 * by rename), one line of space-separated fields:
 *     outcome exit_code signal wall_ms cpu_ms maxrss_kb out_bytes out_kept err_bytes err_kept
 * where outcome is exited, signaled, timed_out or launch_error; a launch_error line is followed by a message line.
 *
 * Guarantees, for every job:
 *   - It runs with exactly its own argv, environment and working directory, with stdin from /dev/null, in a
 *     process group of its own. Its program is looked up on the PATH of its own environment.
 *   - Each output stream keeps at most output_limit bytes; the job may write more, which is counted and dropped.
 *   - When its timeout runs out its process group gets SIGTERM, and SIGKILL grace_ms later.
 *   - The next job starts only after this one's process has been reaped. Processes it started in other process
 *     groups share the container with the later jobs and end with the container: that is what sharing means.
 *   - No job can reach the exchange directory, so none can swap the files the node agent reads there for links to
 *     the host's files: the descriptor is close-on-exec, the directory has no path in the container, and this
 *     process is not dumpable, so jobs (which run as the same user) cannot reach it through /proc/PID/fd or ptrace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { MAX_FIELDS = 1 << 16 };
/* The exchange directory's descriptor, as the launcher passes it (SHARED_DIR_FD in launcher.h). */
enum { EXCHANGE_FD = 3 };

struct job {
    const char *workdir;
    uint64_t timeout_ms, grace_ms, output_limit;
    char **argv;
    char **envp;
};

struct stream {
    int pipe_fd;   /* read end, or -1 once closed */
    int file_fd;
    uint64_t bytes, kept, limit;
};

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void die(const char *what) {
    fprintf(stderr, "shard-runner: %s: %s\n", what, strerror(errno));
    exit(125);
}

static char *read_plan(size_t *size) {
    int fd = openat(EXCHANGE_FD, "plan", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) die("cannot open the plan");
    struct stat st;
    if (fstat(fd, &st) < 0) die("cannot stat the plan");
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) die("out of memory");
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n <= 0) die("cannot read the plan");
        got += (size_t)n;
    }
    buf[got] = '\0';
    close(fd);
    *size = got;
    return buf;
}

/* Splits the next NUL-terminated field off the plan; exits on a malformed plan. */
static char *field(char **cursor, const char *end) {
    char *start = *cursor;
    char *nul = memchr(start, '\0', (size_t)(end - start));
    if (!nul || start >= end) {
        fprintf(stderr, "shard-runner: the plan is malformed\n");
        exit(125);
    }
    *cursor = nul + 1;
    return start;
}

static char **strings(char **cursor, const char *end) {
    long count = strtol(field(cursor, end), NULL, 10);
    if (count < 0 || count > MAX_FIELDS) {
        fprintf(stderr, "shard-runner: the plan is malformed\n");
        exit(125);
    }
    char **list = calloc((size_t)count + 1, sizeof *list);
    if (!list) die("out of memory");
    for (long i = 0; i < count; i++) list[i] = field(cursor, end);
    return list;
}

/* Runs in the job's process after fork: never returns. Failures go to report_fd as "errno message". */
static void exec_job(const struct job *job, int out_fd, int err_fd, int report_fd) {
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) {
        dprintf(report_fd, "%d cannot set up the job's standard streams", errno);
        _exit(127);
    }
    if (chdir(job->workdir) < 0) {
        dprintf(report_fd, "%d working directory %s", errno, job->workdir);
        _exit(126);
    }
    const char *program = job->argv[0];
    if (strchr(program, '/')) {
        execve(program, job->argv, job->envp);
        dprintf(report_fd, "%d program %s", errno, program);
        _exit(127);
    }
    const char *path = "/usr/local/bin:/usr/bin:/bin";
    for (char **e = job->envp; *e; e++)
        if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
    int saw_eacces = 0;
    char candidate[PATH_MAX];
    for (const char *p = path; ; ) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        snprintf(candidate, sizeof candidate, "%.*s/%s", (int)len, len ? p : ".", program);
        execve(candidate, job->argv, job->envp);
        if (errno == EACCES) saw_eacces = 1;
        if (!colon) break;
        p = colon + 1;
    }
    dprintf(report_fd, "%d program not found: %s", saw_eacces ? EACCES : ENOENT, program);
    _exit(127);
}

static int open_output(int index, const char *suffix) {
    char name[32];
    snprintf(name, sizeof name, "%d.%s", index, suffix);
    int fd = openat(EXCHANGE_FD, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) die("cannot create an output file");
    return fd;
}

/* Moves what the job wrote to one pipe into its file, up to the limit; false at end of file. */
static int pump(struct stream *s) {
    char buf[65536];
    ssize_t n = read(s->pipe_fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
    if (n <= 0) return 0;
    s->bytes += (uint64_t)n;
    uint64_t room = s->limit > s->kept ? s->limit - s->kept : 0;
    size_t keep = (uint64_t)n < room ? (size_t)n : (size_t)room;
    for (size_t done = 0; done < keep; ) {
        ssize_t w = write(s->file_fd, buf + done, keep - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) die("cannot write an output file");
        done += (size_t)w;
    }
    s->kept += keep;
    return 1;
}

static void write_status(int index, const char *line) {
    char name[32], temp[40];
    snprintf(name, sizeof name, "%d.status", index);
    snprintf(temp, sizeof temp, "%d.status.tmp", index);
    int fd = openat(EXCHANGE_FD, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) die("cannot create a status file");
    size_t len = strlen(line);
    if (write(fd, line, len) != (ssize_t)len || close(fd) < 0 || renameat(EXCHANGE_FD, temp, EXCHANGE_FD, name) < 0)
        die("cannot write a status file");
}

static void run_job(int index, const struct job *job, int sigchld_fd) {
    int out_pipe[2], err_pipe[2], report[2];
    if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0)
        die("cannot create pipes");
    struct stream streams[2] = {
        {out_pipe[0], open_output(index, "out"), 0, 0, job->output_limit},
        {err_pipe[0], open_output(index, "err"), 0, 0, job->output_limit},
    };
    uint64_t started = now_ms();
    pid_t pid = fork();
    if (pid < 0) die("cannot fork");
    if (pid == 0) exec_job(job, out_pipe[1], err_pipe[1], report[1]);
    setpgid(pid, pid); /* also here, so that a kill of the group cannot race the child's own setpgid */
    close(out_pipe[1]);
    close(err_pipe[1]);
    close(report[1]);

    char failure[PATH_MAX + 64];
    ssize_t failure_len = read(report[0], failure, sizeof failure - 1); /* EOF once exec succeeded */
    close(report[0]);
    failure[failure_len > 0 ? failure_len : 0] = '\0';

    int status = 0, reaped = 0, timed_out = 0, term_sent = 0;
    struct rusage usage = {0};
    uint64_t deadline = job->timeout_ms ? started + job->timeout_ms : 0;
    while (!reaped || streams[0].pipe_fd >= 0 || streams[1].pipe_fd >= 0) {
        struct pollfd fds[3] = {{sigchld_fd, POLLIN, 0}, {streams[0].pipe_fd, POLLIN, 0},
                                {streams[1].pipe_fd, POLLIN, 0}};
        int wait = -1;
        if (deadline && !reaped) {
            uint64_t now = now_ms();
            wait = now >= deadline ? 0 : (int)(deadline - now);
        }
        if (reaped) wait = 0; /* the job is gone: take what its pipes hold, then stop */
        int ready = poll(fds, 3, wait);
        if (ready < 0 && errno != EINTR) die("poll failed");
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo info;
            while (read(sigchld_fd, &info, sizeof info) > 0) {
            }
        }
        pid_t gone;
        struct rusage ru;
        int st;
        while ((gone = wait4(-1, &st, WNOHANG, &ru)) > 0) { /* its own jobs only: init reaps the orphans */
            if (gone == pid) {
                status = st;
                usage = ru;
                reaped = 1;
            }
        }
        for (int i = 0; i < 2; i++) {
            if (streams[i].pipe_fd < 0) continue;
            if ((fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) && !pump(&streams[i])) {
                close(streams[i].pipe_fd);
                streams[i].pipe_fd = -1;
            } else if (reaped && !(fds[i + 1].revents & POLLIN)) {
                close(streams[i].pipe_fd); /* a leftover process holds it open; the job itself has ended */
                streams[i].pipe_fd = -1;
            }
        }
        if (!reaped && deadline && now_ms() >= deadline) {
            if (!term_sent) {
                kill(-pid, SIGTERM);
                term_sent = timed_out = 1;
                deadline = now_ms() + job->grace_ms;
            } else {
                kill(-pid, SIGKILL);
                deadline = 0;
            }
        }
    }
    uint64_t wall = now_ms() - started;
    close(streams[0].file_fd);
    close(streams[1].file_fd);

    uint64_t cpu = (uint64_t)usage.ru_utime.tv_sec * 1000 + (uint64_t)usage.ru_utime.tv_usec / 1000
                   + (uint64_t)usage.ru_stime.tv_sec * 1000 + (uint64_t)usage.ru_stime.tv_usec / 1000;
    const char *outcome = failure[0] ? "launch_error" : timed_out ? "timed_out"
                          : WIFSIGNALED(status) ? "signaled" : "exited";
    char line[2 * PATH_MAX + 256];
    int n = snprintf(line, sizeof line, "%s %d %d %llu %llu %ld %llu %llu %llu %llu\n", outcome,
                     WIFEXITED(status) ? WEXITSTATUS(status) : 0, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
                     (unsigned long long)wall, (unsigned long long)cpu, usage.ru_maxrss,
                     (unsigned long long)streams[0].bytes, (unsigned long long)streams[0].kept,
                     (unsigned long long)streams[1].bytes, (unsigned long long)streams[1].kept);
    if (failure[0]) {
        char *space = strchr(failure, ' ');
        int error = atoi(failure);
        snprintf(line + n, sizeof line - (size_t)n, "%s: %s\n", space ? space + 1 : failure, strerror(error));
    }
    write_status(index, line);
}

int main(int argc, char **argv) {
    (void)argv;
    struct stat exchange;
    if (argc != 1 || fstat(EXCHANGE_FD, &exchange) < 0 || !S_ISDIR(exchange.st_mode)) {
        fprintf(stderr, "usage: shard-runner, with the exchange directory open as descriptor 3\n");
        return 2;
    }
    /* First of all: the jobs it forks must neither inherit the directory nor reach it through this process. */
    if (fcntl(EXCHANGE_FD, F_SETFD, FD_CLOEXEC) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0) die("cannot guard the exchange");
    size_t size;
    char *plan = read_plan(&size);
    const char *end = plan + size;

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int sigchld_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sigchld_fd < 0) die("cannot create a signalfd");

    char *cursor = plan;
    for (int index = 0; cursor < end; index++) {
        struct job job;
        job.workdir = field(&cursor, end);
        job.timeout_ms = strtoull(field(&cursor, end), NULL, 10);
        job.grace_ms = strtoull(field(&cursor, end), NULL, 10);
        job.output_limit = strtoull(field(&cursor, end), NULL, 10);
        job.argv = strings(&cursor, end);
        job.envp = strings(&cursor, end);
        if (!job.argv[0]) {
            fprintf(stderr, "shard-runner: job %d has no program\n", index);
            return 125;
        }
        run_job(index, &job, sigchld_fd);
        free(job.argv);
        free(job.envp);
    }
    return 0;
}
