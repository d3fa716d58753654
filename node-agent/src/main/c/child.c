/*
 * The code that runs in a job's process between clone() and execve().
 *
 * It is kept in this one small file because it lives under two rules. The child is cloned with CLONE_VM, sharing
 * the launcher's memory until it executes the job (that saves copying and tearing down page tables, the largest
 * cost of a job on small machines), so it must not touch memory the launcher uses: it reads only its own plan
 * and writes only its own stack. And like any child of a clone without exec, it may only make raw system calls:
 * no stdio, no malloc, no errno (see sys6() in launcher.h). A failure is reported to the launcher as an errno
 * plus a short description on plan->error_fd, and the child exits 127; the launcher turns that into the job's
 * launch error.
 *
 * Order matters, and each step depends on the one before:
 *   1. die with the launcher, then wait until it has written the uid/gid maps and put us in our cgroups;
 *   2. default signal handling, a new session, the job's stdin/stdout/stderr;
 *   3. assemble the root filesystem under plan->new_root, then pivot into it and detach the host's tree;
 *   4. the hostname;
 *   5. drop every capability from the bounding set, become the job's uid/gid (which clears the rest);
 *   6. no_new_privs, the working directory, seccomp, execve.
 */
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { PATH_BUF = 4096 };

static void child_exit(int status) {
    for (;;) SYS1(__NR_exit_group, status);
}

static void fail(const struct child_plan *plan, const char *what, const char *path, long rc) {
    int err = (int)-rc;
    char buf[PATH_BUF + 256];
    size_t n = 0;
    memcpy(buf, &err, sizeof err);
    n += sizeof err;
    for (const char *s = what; *s && n < sizeof buf - 2; s++) buf[n++] = *s;
    if (path) {
        buf[n++] = ' ';
        for (const char *s = path; *s && n < sizeof buf - 1; s++) buf[n++] = *s;
    }
    SYS3(__NR_write, plan->error_fd, buf, n);
    child_exit(127);
}

/* Fails the job with `what` when a system call returned -errno. */
static void check(const struct child_plan *plan, long rc, const char *what, const char *path) {
    if (rc < 0) fail(plan, what, path, rc);
}

/* dst = a + b, truncated to PATH_BUF; both are absolute paths, so "/new-root" + "/usr" gives "/new-root/usr". */
static void join(char *dst, const char *a, const char *b) {
    size_t n = 0;
    for (; *a && n < PATH_BUF - 1; a++) dst[n++] = *a;
    if (n > 0 && dst[n - 1] == '/' && *b == '/') n--;
    for (; *b && n < PATH_BUF - 1; b++) dst[n++] = *b;
    dst[n] = '\0';
}

static long make_dir(const char *path) {
    long rc = SYS3(__NR_mkdirat, AT_FDCWD, path, 0755);
    return rc == -EEXIST ? 0 : rc;
}

/* mkdir -p. Existing directories are fine; a missing parent inside a read-only bind is the caller's error. */
static long mkdir_p(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        long rc = make_dir(path);
        *p = '/';
        if (rc < 0) return rc;
    }
    return make_dir(path);
}

/* Creates the mount point for dest: a directory, or an empty file when the source is not a directory. */
static void make_mount_point(const struct child_plan *plan, char *target, const char *src) {
    struct stat st;
    int want_file = src != NULL && SYS4(__NR_newfstatat, AT_FDCWD, src, &st, 0) == 0 && !S_ISDIR(st.st_mode);
    if (!want_file) {
        check(plan, mkdir_p(target), "cannot create mount point", target);
        return;
    }
    char *slash = strrchr(target, '/');
    if (slash && slash != target) {
        *slash = '\0';
        long rc = mkdir_p(target);
        *slash = '/';
        check(plan, rc, "cannot create mount point", target);
    }
    long fd = SYS4(__NR_openat, AT_FDCWD, target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 && fd != -EEXIST && fd != -EISDIR) fail(plan, "cannot create mount point", target, fd);
    if (fd >= 0) SYS1(__NR_close, fd);
}

static long set_attrs(const char *target, unsigned flags, uint64_t attrs) {
    struct mount_attr attr = {.attr_set = attrs};
    return SYS5(__NR_mount_setattr, AT_FDCWD, target, flags, &attr, sizeof attr);
}

static long mount_fs(const char *src, const char *target, const char *type, unsigned long flags, const char *data) {
    return SYS5(__NR_mount, src, target, type, flags, data);
}

static void bind_read_only(const struct child_plan *plan, const struct mount_step *m, char *target) {
    make_mount_point(plan, target, m->src);
    check(plan, mount_fs(m->src, target, NULL, MS_BIND | MS_REC, NULL), "cannot bind", m->src);
    check(plan, set_attrs(target, AT_RECURSIVE, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV),
          "cannot make read-only", target);
}

static void bind_read_write(const struct child_plan *plan, const struct mount_step *m, char *target) {
    make_mount_point(plan, target, m->src);
    check(plan, mount_fs(m->src, target, NULL, MS_BIND | MS_REC, NULL), "cannot bind", m->src);
    check(plan, set_attrs(target, AT_RECURSIVE, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV), "cannot secure bind", target);
}

/* A writable job sees each read-only layer through an overlay whose upper layer lives in the scratch tmpfs. */
static void overlay(const struct child_plan *plan, const struct mount_step *m, char *target, int index) {
    char upper[PATH_BUF], work[PATH_BUF], name[32], options[3 * PATH_BUF];
    int n = 0;
    name[n++] = '/';
    name[n++] = 'l';
    char digits[12];
    int d = 0;
    do { digits[d++] = (char)('0' + index % 10); index /= 10; } while (index > 0);
    while (d > 0) name[n++] = digits[--d];
    name[n] = '\0';
    join(upper, plan->scratch_dir, name);
    check(plan, SYS3(__NR_mkdirat, AT_FDCWD, upper, 0755), "cannot create overlay dir", upper);
    join(work, upper, "/work");
    join(upper, upper, "/upper");
    check(plan, SYS3(__NR_mkdirat, AT_FDCWD, upper, 0755), "cannot create overlay dir", upper);
    check(plan, SYS3(__NR_mkdirat, AT_FDCWD, work, 0755), "cannot create overlay dir", work);
    /* The job owns the top of each layer, so it can add entries there; its writes still vanish with it. */
    check(plan, SYS5(__NR_fchownat, AT_FDCWD, upper, plan->uid, plan->gid, 0), "cannot chown overlay dir", upper);
    options[0] = '\0';
    strcat(options, "userxattr,lowerdir=");
    strcat(options, m->src);
    strcat(options, ",upperdir=");
    strcat(options, upper);
    strcat(options, ",workdir=");
    strcat(options, work);
    make_mount_point(plan, target, NULL);
    check(plan, mount_fs("overlay", target, "overlay", MS_NOSUID | MS_NODEV, options),
          "cannot mount writable overlay on", m->src);
}

static void tmpfs(const struct child_plan *plan, char *target, const char *options) {
    check(plan, mkdir_p(target), "cannot create mount point", target);
    check(plan, mount_fs("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, options), "cannot mount tmpfs", target);
}

static void build_root(const struct child_plan *plan) {
    char target[PATH_BUF];
    /* The launcher's own mounts are all private, so these copies are too: nothing here reaches the host. */
    check(plan, mount_fs("tmpfs", plan->new_root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"),
          "cannot mount root tmpfs", plan->new_root);
    check(plan, SYS5(__NR_fchownat, AT_FDCWD, plan->new_root, plan->uid, plan->gid, 0), "cannot chown root",
          plan->new_root);
    if (plan->writable)
        check(plan, mount_fs("tmpfs", plan->scratch_dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"),
              "cannot mount scratch tmpfs", plan->scratch_dir);

    for (int i = 0; i < plan->mount_count; i++) {
        const struct mount_step *m = &plan->mounts[i];
        join(target, plan->new_root, m->dest);
        switch (m->kind) {
        case MOUNT_BIND_RO:
            if (plan->writable) overlay(plan, m, target, i);
            else bind_read_only(plan, m, target);
            break;
        case MOUNT_BIND_RW:
            bind_read_write(plan, m, target);
            break;
        case MOUNT_SYMLINK:
            check(plan, SYS3(__NR_symlinkat, m->src, AT_FDCWD, target), "cannot create symlink", target);
            break;
        case MOUNT_TMPFS:
            tmpfs(plan, target, "mode=1777");
            break;
        case MOUNT_PROC:
            check(plan, mkdir_p(target), "cannot create mount point", target);
            check(plan, mount_fs("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL),
                  "cannot mount proc on", target);
            break;
        case MOUNT_DEV: {
            check(plan, mkdir_p(target), "cannot create mount point", target);
            check(plan, mount_fs(plan->dev_template, target, NULL, MS_BIND | MS_REC, NULL),
                  "cannot bind /dev template", plan->dev_template);
            char shm[PATH_BUF];
            join(shm, target, "/shm");
            tmpfs(plan, shm, "mode=1777");
            break;
        }
        }
    }
    if (!plan->writable) check(plan, set_attrs(plan->new_root, 0, MOUNT_ATTR_RDONLY), "cannot make root read-only",
                               plan->new_root);
    /* pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves only the new root. */
    check(plan, SYS1(__NR_chdir, plan->new_root), "cannot enter new root", plan->new_root);
    check(plan, SYS2(__NR_pivot_root, ".", "."), "cannot pivot into new root", plan->new_root);
    check(plan, SYS2(__NR_umount2, ".", MNT_DETACH), "cannot detach host root", NULL);
    check(plan, SYS1(__NR_chdir, "/"), "cannot enter new root", "/");
}

static void drop_privileges(const struct child_plan *plan) {
    for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
        long rc = SYS2(__NR_prctl, PR_CAPBSET_DROP, cap);
        if (rc < 0 && rc != -EINVAL) fail(plan, "cannot drop capability", NULL, rc);
    }
    check(plan, SYS2(__NR_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL), "cannot clear ambient caps", NULL);
    check(plan, SYS2(__NR_setgroups, 0, NULL), "cannot clear supplementary groups", NULL);
    check(plan, SYS3(__NR_setresgid, plan->gid, plan->gid, plan->gid), "cannot set gid", NULL);
    check(plan, SYS3(__NR_setresuid, plan->uid, plan->uid, plan->uid), "cannot set uid", NULL);
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    check(plan, SYS2(__NR_capset, &header, data), "cannot clear capabilities", NULL);
    check(plan, SYS2(__NR_prctl, PR_SET_NO_NEW_PRIVS, 1), "cannot set no_new_privs", NULL);
}

/* The launcher blocks SIGCHLD and ignores SIGPIPE for itself; a job starts with neither. */
static void default_signals(const struct child_plan *plan) {
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        uint64_t mask;
    } action = {SIG_DFL, 0, NULL, 0};
    check(plan, SYS4(__NR_rt_sigaction, SIGPIPE, &action, NULL, sizeof(uint64_t)), "cannot reset SIGPIPE", NULL);
    uint64_t none = 0;
    check(plan, SYS4(__NR_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof none), "cannot unblock signals", NULL);
}

static const char *env_value(char *const envp[], const char *name) {
    size_t len = strlen(name);
    for (int i = 0; envp[i]; i++) {
        if (strncmp(envp[i], name, len) == 0 && envp[i][len] == '=') return envp[i] + len + 1;
    }
    return NULL;
}

/* Searches PATH like execvp(). ENOENT is reported only if no candidate failed for a better reason. */
static void exec_program(const struct child_plan *plan) {
    const char *program = plan->argv[0];
    if (strchr(program, '/')) {
        fail(plan, "cannot execute", program, SYS3(__NR_execve, program, plan->argv, plan->envp));
    }
    const char *path = env_value(plan->envp, "PATH");
    if (path == NULL) path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
    long saved = -ENOENT;
    char candidate[PATH_BUF];
    while (*path) {
        size_t n = 0;
        for (; *path && *path != ':' && n < PATH_BUF - 2; path++) candidate[n++] = *path;
        if (*path == ':') path++;
        if (n == 0) candidate[n++] = '.';
        candidate[n++] = '/';
        candidate[n] = '\0';
        strncat(candidate, program, PATH_BUF - n - 1);
        long rc = SYS3(__NR_execve, candidate, plan->argv, plan->envp);
        if (rc != -ENOENT && rc != -ENOTDIR) saved = rc;
    }
    fail(plan, saved == -ENOENT ? "program not found:" : "cannot execute", program, saved);
}

int child_main(void *arg) {
    const struct child_plan *plan = arg;
    char go;
    /* Set before waiting: a launcher that dies earlier closes the sync pipe, so the read below sees EOF. */
    if (SYS2(__NR_prctl, PR_SET_PDEATHSIG, SIGKILL) < 0) child_exit(127);
    if (SYS3(__NR_read, plan->sync_fd, &go, 1) != 1) child_exit(127); /* the launcher gave up on us */
    SYS1(__NR_close, plan->sync_fd);
    default_signals(plan);
    check(plan, SYS0(__NR_setsid), "cannot start a session", NULL);
    check(plan, SYS3(__NR_dup3, plan->stdin_fd, 0, 0), "cannot attach stdin", NULL);
    check(plan, SYS3(__NR_dup3, plan->stdout_fd, 1, 0), "cannot attach stdout", NULL);
    check(plan, SYS3(__NR_dup3, plan->stderr_fd, 2, 0), "cannot attach stderr", NULL);

    build_root(plan);
    check(plan, SYS2(__NR_sethostname, plan->hostname, strlen(plan->hostname)), "cannot set hostname",
          plan->hostname);
    drop_privileges(plan);
    check(plan, SYS1(__NR_chdir, plan->workdir), "working directory", plan->workdir);
    check(plan, install_seccomp_filter(), "cannot install seccomp filter", NULL);
    exec_program(plan);
    return 127;
}
