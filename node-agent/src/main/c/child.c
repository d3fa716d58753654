/*
 * The code that runs in a job's process between clone() and execve().
 *
 * It is kept in this one small file because it lives under the rule for a process created by clone() without
 * exec: only async-signal-safe calls. So: raw system calls and the small string helpers below, no stdio, no
 * malloc, no strerror. A failure is reported to the launcher as an errno plus a short description on
 * plan->error_fd, and the child exits 127; the launcher turns that into the job's launch error.
 *
 * Order matters, and each step depends on the one before:
 *   1. wait until the launcher has written the uid/gid maps and put us in our cgroups;
 *   2. a new session, the job's stdin/stdout/stderr, and death when the launcher dies;
 *   3. assemble the root filesystem under plan->new_root, then pivot into it and detach the host's tree;
 *   4. the hostname;
 *   5. drop every capability from the bounding set, become the job's uid/gid (which clears the rest);
 *   6. no_new_privs, the working directory, seccomp, execve.
 */
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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

static void fail(const struct child_plan *plan, const char *what, const char *path) {
    int err = errno;
    char buf[PATH_BUF + 256];
    size_t n = 0;
    memcpy(buf, &err, sizeof err);
    n += sizeof err;
    for (const char *s = what; *s && n < sizeof buf - 2; s++) buf[n++] = *s;
    if (path) {
        buf[n++] = ' ';
        for (const char *s = path; *s && n < sizeof buf - 1; s++) buf[n++] = *s;
    }
    ssize_t ignored = write(plan->error_fd, buf, n);
    (void)ignored;
    _exit(127);
}

/* dst = a + b, truncated to PATH_BUF; both are absolute paths, so "/root" + "/usr" gives "/root/usr". */
static void join(char *dst, const char *a, const char *b) {
    size_t n = 0;
    for (; *a && n < PATH_BUF - 1; a++) dst[n++] = *a;
    if (n > 0 && dst[n - 1] == '/' && *b == '/') n--;
    for (; *b && n < PATH_BUF - 1; b++) dst[n++] = *b;
    dst[n] = '\0';
}

/* mkdir -p. Existing directories are fine; a missing parent inside a read-only bind is the caller's error. */
static int mkdir_p(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc != 0 && errno != EEXIST) return -1;
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST) return -1;
    return 0;
}

/* Creates the mount point for dest: a directory, or an empty file when the source is not a directory. */
static void make_mount_point(const struct child_plan *plan, char *target, const char *src) {
    struct stat st;
    int want_file = src != NULL && stat(src, &st) == 0 && !S_ISDIR(st.st_mode);
    if (!want_file) {
        if (mkdir_p(target) != 0) fail(plan, "cannot create mount point", target);
        return;
    }
    char *slash = strrchr(target, '/');
    if (slash && slash != target) {
        *slash = '\0';
        int rc = mkdir_p(target);
        *slash = '/';
        if (rc != 0) fail(plan, "cannot create mount point", target);
    }
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST && errno != EISDIR) fail(plan, "cannot create mount point", target);
    if (fd >= 0) close(fd);
}

static void set_attrs_recursive(const struct child_plan *plan, const char *target, uint64_t attrs) {
    struct mount_attr attr = {.attr_set = attrs};
    if (syscall(SYS_mount_setattr, AT_FDCWD, target, AT_RECURSIVE, &attr, sizeof attr) != 0)
        fail(plan, "cannot make read-only", target);
}

static void bind_read_only(const struct child_plan *plan, const struct mount_step *m, char *target) {
    make_mount_point(plan, target, m->src);
    if (mount(m->src, target, NULL, MS_BIND | MS_REC, NULL) != 0) fail(plan, "cannot bind", m->src);
    set_attrs_recursive(plan, target, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
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
    if (mkdir(upper, 0755) != 0) fail(plan, "cannot create overlay dir", upper);
    join(work, upper, "/work");
    join(upper, upper, "/upper");
    if (mkdir(upper, 0755) != 0 || mkdir(work, 0755) != 0) fail(plan, "cannot create overlay dir", upper);
    if (chown(upper, plan->uid, plan->gid) != 0) fail(plan, "cannot chown overlay dir", upper);
    options[0] = '\0';
    strcat(options, "userxattr,lowerdir=");
    strcat(options, m->src);
    strcat(options, ",upperdir=");
    strcat(options, upper);
    strcat(options, ",workdir=");
    strcat(options, work);
    make_mount_point(plan, target, NULL);
    if (mount("overlay", target, "overlay", MS_NOSUID | MS_NODEV, options) != 0)
        fail(plan, "cannot mount writable overlay on", m->src);
}

static void tmpfs(const struct child_plan *plan, char *target, const char *options) {
    if (mkdir_p(target) != 0) fail(plan, "cannot create mount point", target);
    if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0) fail(plan, "cannot mount tmpfs", target);
}

static void build_root(const struct child_plan *plan) {
    char target[PATH_BUF];
    /* The launcher's own mounts are all private, so these copies are too: nothing here reaches the host. */
    if (mount("tmpfs", plan->new_root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
        fail(plan, "cannot mount root tmpfs", plan->new_root);
    if (chown(plan->new_root, plan->uid, plan->gid) != 0) fail(plan, "cannot chown root", plan->new_root);
    if (plan->writable && mount("tmpfs", plan->scratch_dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
        fail(plan, "cannot mount scratch tmpfs", plan->scratch_dir);

    for (int i = 0; i < plan->mount_count; i++) {
        const struct mount_step *m = &plan->mounts[i];
        join(target, plan->new_root, m->dest);
        switch (m->kind) {
        case MOUNT_BIND_RO:
            if (plan->writable) overlay(plan, m, target, i);
            else bind_read_only(plan, m, target);
            break;
        case MOUNT_SYMLINK:
            if (symlink(m->src, target) != 0) fail(plan, "cannot create symlink", target);
            break;
        case MOUNT_TMPFS:
            tmpfs(plan, target, "mode=1777");
            break;
        case MOUNT_PROC:
            if (mkdir_p(target) != 0) fail(plan, "cannot create mount point", target);
            if (mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
                fail(plan, "cannot mount proc on", target);
            break;
        case MOUNT_DEV: {
            if (mkdir_p(target) != 0) fail(plan, "cannot create mount point", target);
            if (mount(plan->dev_template, target, NULL, MS_BIND | MS_REC, NULL) != 0)
                fail(plan, "cannot bind /dev template", plan->dev_template);
            char shm[PATH_BUF];
            join(shm, target, "/shm");
            tmpfs(plan, shm, "mode=1777");
            break;
        }
        }
    }
    if (!plan->writable) {
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        if (syscall(SYS_mount_setattr, AT_FDCWD, plan->new_root, 0, &attr, sizeof attr) != 0)
            fail(plan, "cannot make root read-only", plan->new_root);
    }
    /* pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves only the new root. */
    if (chdir(plan->new_root) != 0) fail(plan, "cannot enter new root", plan->new_root);
    if (syscall(SYS_pivot_root, ".", ".") != 0) fail(plan, "cannot pivot into new root", plan->new_root);
    if (umount2(".", MNT_DETACH) != 0) fail(plan, "cannot detach host root", NULL);
    if (chdir("/") != 0) fail(plan, "cannot enter new root", "/");
}

static void drop_privileges(const struct child_plan *plan) {
    for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) fail(plan, "cannot drop capability", NULL);
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) fail(plan, "cannot clear ambient caps", NULL);
    if (setgroups(0, NULL) != 0) fail(plan, "cannot clear supplementary groups", NULL);
    if (setresgid(plan->gid, plan->gid, plan->gid) != 0) fail(plan, "cannot set gid", NULL);
    if (setresuid(plan->uid, plan->uid, plan->uid) != 0) fail(plan, "cannot set uid", NULL);
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &header, data) != 0) fail(plan, "cannot clear capabilities", NULL);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(plan, "cannot set no_new_privs", NULL);
}

static const char *env_value(char *const envp[], const char *name) {
    size_t len = strlen(name);
    for (int i = 0; envp[i]; i++) {
        if (strncmp(envp[i], name, len) == 0 && envp[i][len] == '=') return envp[i] + len + 1;
    }
    return NULL;
}

/* execvpe() is not async-signal-safe, so search PATH by hand. ENOENT wins only if nothing better was seen. */
static void exec_program(const struct child_plan *plan) {
    const char *program = plan->argv[0];
    if (strchr(program, '/')) {
        execve(program, plan->argv, plan->envp);
        fail(plan, "cannot execute", program);
    }
    const char *path = env_value(plan->envp, "PATH");
    if (path == NULL) path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
    int saved = ENOENT;
    char candidate[PATH_BUF];
    while (*path) {
        size_t n = 0;
        for (; *path && *path != ':' && n < PATH_BUF - 2; path++) candidate[n++] = *path;
        if (*path == ':') path++;
        if (n == 0) candidate[n++] = '.';
        candidate[n++] = '/';
        candidate[n] = '\0';
        strncat(candidate, program, PATH_BUF - n - 1);
        execve(candidate, plan->argv, plan->envp);
        if (errno != ENOENT && errno != ENOTDIR) saved = errno;
    }
    errno = saved;
    fail(plan, saved == ENOENT ? "program not found:" : "cannot execute", program);
}

int child_main(void *arg) {
    const struct child_plan *plan = arg;
    char go;
    /* Set before waiting: a launcher that dies earlier closes the sync pipe, so the read below sees EOF. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) _exit(127);
    if (read(plan->sync_fd, &go, 1) != 1) _exit(127); /* the launcher gave up on us */
    close(plan->sync_fd);
    if (setsid() < 0) fail(plan, "cannot start a session", NULL);
    if (dup2(plan->stdin_fd, 0) < 0 || dup2(plan->stdout_fd, 1) < 0 || dup2(plan->stderr_fd, 2) < 0)
        fail(plan, "cannot attach standard streams", NULL);

    build_root(plan);
    if (sethostname(plan->hostname, strlen(plan->hostname)) != 0) fail(plan, "cannot set hostname", plan->hostname);
    drop_privileges(plan);
    if (chdir(plan->workdir) != 0) fail(plan, "working directory", plan->workdir);
    if (install_seccomp_filter() != 0) fail(plan, "cannot install seccomp filter", NULL);
    exec_program(plan);
    return 127;
}
