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
 * The child is root of its user namespace, and that root is the host's root, until step 5. So nothing it does as
 * root may be steered by what a layer contains: every mount destination is resolved with openat2(RESOLVE_IN_ROOT)
 * against the new root, one component at a time, so that a symlink in a layer (absolute or relative) can only ever
 * lead to another place inside the new root, never to the host's files. Mounts are built detached (open_tree,
 * fsopen), given their final attributes (read-only, nosuid, nodev) while detached, and only then attached to the
 * file descriptor of their destination, so no mount is ever briefly writable and no path is looked up twice.
 *
 * Order matters, and each step depends on the one before:
 *   1. die with the launcher, then wait until it has written the uid/gid maps and put us in our cgroups;
 *   2. default signal handling, a new session, the job's stdin/stdout/stderr;
 *   3. assemble the root filesystem in the tmpfs at plan->new_root, mask what /proc must not show, then pivot
 *      into the new root and detach the host's tree;
 *   4. the hostname;
 *   5. drop every capability from the bounding set, become the job's uid/gid (which clears the rest);
 *   6. die with the launcher again (the uid change cleared the death signal), and make sure it is still alive;
 *   7. no_new_privs, the working directory, the shared directory as fd 3, seccomp;
 *   8. become the container's init: clone the job's own process, which executes the program, then pass signals on
 *      to it, reap orphans, and report the job's wait status once it ends (see run_init()).
 */
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { PATH_BUF = 4096, NAME_BUF = 256 };

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

/* Fails the job with `what` when a system call returned -errno; else returns its result. */
static long check(const struct child_plan *plan, long rc, const char *what, const char *path) {
    if (rc < 0) fail(plan, what, path, rc);
    return rc;
}

static void close_fd(long fd) {
    if (fd >= 0) SYS1(__NR_close, fd);
}

/* ---------- paths inside the new root ---------- */

/* Opens `path` (absolute) inside the root: "/", ".." and every symlink on the way stay inside it. */
static long open_in_root(int root_fd, const char *path, int flags) {
    struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    return SYS4(__NR_openat2, root_fd, path, &how, sizeof how);
}

/* Opens `name` (one component) below `dir` with no symlink and no ".." at all: for /proc, which we mounted. */
static long open_beneath(long dir, const char *name, int flags) {
    struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
    return SYS4(__NR_openat2, dir, name, &how, sizeof how);
}

/*
 * mkdir -p inside the root: opens directory `path` (absolute and normalized: the spec was validated), creating
 * each missing component in the directory its parent resolved to. Returns an O_PATH descriptor, or -errno.
 */
static long dir_in_root(int root_fd, const char *path) {
    char prefix[PATH_BUF], name[NAME_BUF];
    long dir = open_in_root(root_fd, "/", O_PATH | O_DIRECTORY);
    size_t end = 0;
    while (dir >= 0 && path[end]) {
        while (path[end] == '/') end++;
        size_t start = end;
        while (path[end] && path[end] != '/') end++;
        if (end == start) break;
        if (end >= PATH_BUF || end - start >= NAME_BUF) {
            close_fd(dir);
            return -ENAMETOOLONG;
        }
        memcpy(prefix, path, end);
        prefix[end] = '\0';
        memcpy(name, path + start, end - start);
        name[end - start] = '\0';
        long next = open_in_root(root_fd, prefix, O_PATH | O_DIRECTORY);
        if (next == -ENOENT) {
            /* mkdirat never follows a symlink at `name`: a dangling one makes it fail, and the job with it. */
            long rc = SYS3(__NR_mkdirat, dir, name, 0755);
            next = rc < 0 && rc != -EEXIST ? rc : open_in_root(root_fd, prefix, O_PATH | O_DIRECTORY);
        }
        close_fd(dir);
        dir = next;
    }
    return dir;
}

/* Splits "/a/b/c" into its parent "/a/b" (written to `parent`) and returns a pointer to "c". */
static const char *split_last(const char *path, char *parent) {
    const char *slash = strrchr(path, '/');
    size_t n = (size_t)(slash - path);
    if (n >= PATH_BUF) n = PATH_BUF - 1;
    memcpy(parent, path, n);
    parent[n] = '\0';
    if (n == 0) {
        parent[0] = '/';
        parent[1] = '\0';
    }
    return slash + 1;
}

/*
 * The destination of a mount, inside the root, as an O_PATH descriptor: a directory, created if missing, or for a
 * source that is not a directory, an empty file created in its parent (with O_EXCL, which never follows a link).
 */
static long mount_point(const struct child_plan *plan, int root_fd, const char *dest, int want_file) {
    if (!want_file) return check(plan, dir_in_root(root_fd, dest), "cannot create mount point", dest);
    long target = open_in_root(root_fd, dest, O_PATH);
    if (target != -ENOENT) return check(plan, target, "cannot open mount point", dest);
    char parent_path[PATH_BUF];
    const char *name = split_last(dest, parent_path);
    long parent = check(plan, dir_in_root(root_fd, parent_path), "cannot create mount point", dest);
    long fd = SYS4(__NR_openat, parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    close_fd(parent);
    close_fd(check(plan, fd, "cannot create mount point", dest));
    return check(plan, open_in_root(root_fd, dest, O_PATH), "cannot open mount point", dest);
}

/* ---------- detached mounts ---------- */

/* Attaches a detached mount at a destination descriptor; both descriptors are consumed. */
static void attach(const struct child_plan *plan, long mount_fd, long target_fd, const char *dest) {
    check(plan, SYS5(__NR_move_mount, mount_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH),
          "cannot mount on", dest);
    close_fd(mount_fd);
    close_fd(target_fd);
}

/* A detached recursive copy of the mount at `dir`/`path`, with `attrs` set on all of it. */
static long bind_tree(const struct child_plan *plan, long dir, const char *path, uint64_t attrs, int flags) {
    long tree = check(plan, SYS3(__NR_open_tree, dir, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | flags),
                      "cannot bind", path);
    struct mount_attr attr = {.attr_set = attrs};
    check(plan, SYS5(__NR_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr),
          "cannot set mount attributes of", path);
    return tree;
}

/* A detached new filesystem; `options` are name/value pairs ending in a NULL name, a NULL value is a flag. */
static long new_fs(const struct child_plan *plan, const char *type, const char *const *options, uint64_t attrs,
                   const char *dest) {
    long fs = check(plan, SYS2(__NR_fsopen, type, FSOPEN_CLOEXEC), "cannot create filesystem for", dest);
    for (int i = 0; options[i]; i += 2) {
        unsigned cmd = options[i + 1] ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG;
        check(plan, SYS5(__NR_fsconfig, fs, cmd, options[i], options[i + 1], 0), "cannot configure filesystem for",
              dest);
    }
    check(plan, SYS5(__NR_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0), "cannot create filesystem for", dest);
    long mnt = check(plan, SYS3(__NR_fsmount, fs, FSMOUNT_CLOEXEC, attrs), "cannot mount filesystem for", dest);
    close_fd(fs);
    return mnt;
}

/* A tmpfs held to the plan's size and file count, so that no job can fill the node's memory through it. */
static long capped_tmpfs(const struct child_plan *plan, const char *mode, uint64_t attrs, const char *dest) {
    const char *options[] = {"mode", mode, "size", plan->tmpfs_size, "nr_inodes", plan->tmpfs_inodes, NULL};
    return new_fs(plan, "tmpfs", options, attrs, dest);
}

/* ---------- the mounts of the plan ---------- */

static void bind_read_only(const struct child_plan *plan, int root_fd, const struct mount_step *m, int want_file) {
    long tree = bind_tree(plan, AT_FDCWD, m->src, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0);
    attach(plan, tree, mount_point(plan, root_fd, m->dest, want_file), m->dest);
}

/* A writable job sees each read-only directory layer through an overlay whose upper layer lives in the scratch
 * tmpfs, so its writes are held to the tmpfs cap and vanish with it. */
static void overlay(const struct child_plan *plan, int root_fd, const struct mount_step *m, int index) {
    char upper[PATH_BUF], work[PATH_BUF];
    size_t n = strlen(plan->scratch_dir);
    if (n + 32 > PATH_BUF) fail(plan, "scratch path too long", plan->scratch_dir, -ENAMETOOLONG);
    memcpy(upper, plan->scratch_dir, n);
    upper[n++] = '/';
    upper[n++] = 'l';
    char digits[12];
    int d = 0;
    do { digits[d++] = (char)('0' + index % 10); index /= 10; } while (index > 0);
    while (d > 0) upper[n++] = digits[--d];
    upper[n] = '\0';
    check(plan, SYS3(__NR_mkdirat, AT_FDCWD, upper, 0755), "cannot create overlay dir", upper);
    memcpy(work, upper, n);
    strcpy(work + n, "/work");
    strcpy(upper + n, "/upper");
    check(plan, SYS3(__NR_mkdirat, AT_FDCWD, upper, 0755), "cannot create overlay dir", upper);
    check(plan, SYS3(__NR_mkdirat, AT_FDCWD, work, 0755), "cannot create overlay dir", work);
    /* The job owns the top of each layer, so it can add entries there; its writes still vanish with it. */
    check(plan, SYS5(__NR_fchownat, AT_FDCWD, upper, plan->uid, plan->gid, 0), "cannot chown overlay dir", upper);
    const char *options[] = {"userxattr", NULL, "lowerdir", m->src, "upperdir", upper, "workdir", work, NULL};
    long mnt = new_fs(plan, "overlay", options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, m->dest);
    attach(plan, mnt, mount_point(plan, root_fd, m->dest, 0), m->dest);
}

/* What container runtimes hide of /proc: files that show the host kernel's memory, keys, timers and devices. */
static const char *const PROC_MASKED_FILES[] = {"kcore", "kallsyms", "keys", "timer_list", "timer_stats",
                                                "sched_debug", "latency_stats", NULL};
static const char *const PROC_MASKED_DIRS[] = {"acpi", "asound", "scsi", NULL};
/* ... and what they leave readable but never writable, whatever a job's credentials. */
static const char *const PROC_READ_ONLY[] = {"sys", "sysrq-trigger", "bus", "fs", "irq", NULL};

/* Mounts over /proc/NAME, when this kernel has it, a read-only bind of `src`, or of the entry itself when src is
 * NULL (to make it read-only). */
static void cover_proc_entry(const struct child_plan *plan, long proc, const char *name, const char *src,
                             uint64_t attrs) {
    long target = open_beneath(proc, name, O_PATH);
    if (target == -ENOENT) return;
    check(plan, target, "cannot open /proc entry", name);
    long tree = src ? bind_tree(plan, AT_FDCWD, src, attrs, 0)
                    : bind_tree(plan, proc, name, attrs, AT_SYMLINK_NOFOLLOW);
    attach(plan, tree, target, name);
}

static void mask_proc(const struct child_plan *plan, int root_fd, const char *dest) {
    const uint64_t hidden = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
    long proc = check(plan, open_in_root(root_fd, dest, O_PATH | O_DIRECTORY), "cannot open", dest);
    /* /dev/null keeps working as a device over the masked files, so they read as empty rather than failing. */
    for (int i = 0; PROC_MASKED_FILES[i]; i++)
        cover_proc_entry(plan, proc, PROC_MASKED_FILES[i], "/dev/null", hidden & ~(uint64_t)MOUNT_ATTR_NODEV);
    for (int i = 0; PROC_MASKED_DIRS[i]; i++)
        cover_proc_entry(plan, proc, PROC_MASKED_DIRS[i], plan->empty_dir, hidden);
    for (int i = 0; PROC_READ_ONLY[i]; i++) cover_proc_entry(plan, proc, PROC_READ_ONLY[i], NULL, hidden);
    close_fd(proc);
}

/*
 * Writes `len` bytes of `text` to a new file `name` at the top of the root tmpfs, binds it read-only over `dest`
 * (a file the base's /etc has), and unlinks the name again: the container has the file only where it belongs.
 */
static void own_file(const struct child_plan *plan, int root_fd, const char *name, const char *text, size_t len,
                     const char *dest) {
    long fd = check(plan, SYS4(__NR_openat, root_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444),
                    "cannot create", dest);
    while (len > 0) {
        long n = check(plan, SYS3(__NR_write, fd, text, len), "cannot write", dest);
        text += n;
        len -= (size_t)n;
    }
    close_fd(fd);
    long tree = bind_tree(plan, root_fd, name, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0);
    attach(plan, tree, mount_point(plan, root_fd, dest, 1), dest);
    check(plan, SYS3(__NR_unlinkat, root_fd, name, 0), "cannot unlink", name);
}

/* The container's own identity in /etc: a machine-id drawn for it alone, and hosts naming its hostname. */
static void own_identity(const struct child_plan *plan, int root_fd) {
    static const char HEX[] = "0123456789abcdef";
    unsigned char id[16];
    char text[2 * sizeof id + 1];
    check(plan, SYS3(__NR_getrandom, id, sizeof id, 0) == (long)sizeof id ? 0 : -EIO, "cannot draw a machine id",
          NULL);
    for (size_t i = 0; i < sizeof id; i++) {
        text[2 * i] = HEX[id[i] >> 4];
        text[2 * i + 1] = HEX[id[i] & 15];
    }
    text[2 * sizeof id] = '\n';
    own_file(plan, root_fd, ".flotilla-machine-id", text, sizeof text, "/etc/machine-id");
    own_file(plan, root_fd, ".flotilla-hosts", plan->hosts, plan->hosts_len, "/etc/hosts");
}

static void build_root(const struct child_plan *plan) {
    /* The launcher's own mounts are all private, so these copies are too: nothing here reaches the host. */
    long root = capped_tmpfs(plan, "0755", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, "/");
    check(plan, SYS5(__NR_move_mount, root, "", AT_FDCWD, plan->new_root, MOVE_MOUNT_F_EMPTY_PATH),
          "cannot mount root tmpfs", plan->new_root);
    close_fd(root);
    int root_fd = (int)check(plan, SYS4(__NR_openat, AT_FDCWD, plan->new_root, O_PATH | O_DIRECTORY | O_CLOEXEC, 0),
                             "cannot open new root", plan->new_root);
    check(plan, SYS5(__NR_fchownat, root_fd, "", plan->uid, plan->gid, AT_EMPTY_PATH), "cannot chown root",
          plan->new_root);
    if (plan->writable) {
        long scratch = capped_tmpfs(plan, "0755", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, plan->scratch_dir);
        check(plan, SYS5(__NR_move_mount, scratch, "", AT_FDCWD, plan->scratch_dir, MOVE_MOUNT_F_EMPTY_PATH),
              "cannot mount scratch tmpfs", plan->scratch_dir);
        close_fd(scratch);
    }

    for (int i = 0; i < plan->mount_count; i++) {
        const struct mount_step *m = &plan->mounts[i];
        switch (m->kind) {
        case MOUNT_BIND_RO: {
            struct stat st;
            int is_file = SYS4(__NR_newfstatat, AT_FDCWD, m->src, &st, 0) == 0 && !S_ISDIR(st.st_mode);
            if (plan->writable && !is_file) overlay(plan, root_fd, m, i);
            else bind_read_only(plan, root_fd, m, is_file);
            break;
        }
        case MOUNT_SYMLINK: {
            char parent_path[PATH_BUF];
            const char *name = split_last(m->dest, parent_path);
            long parent = check(plan, dir_in_root(root_fd, parent_path), "cannot create symlink", m->dest);
            check(plan, SYS3(__NR_symlinkat, m->src, parent, name), "cannot create symlink", m->dest);
            close_fd(parent);
            break;
        }
        case MOUNT_TMPFS:
            attach(plan, capped_tmpfs(plan, "1777", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, m->dest),
                   mount_point(plan, root_fd, m->dest, 0), m->dest);
            break;
        case MOUNT_PROC: {
            const char *none[] = {NULL};
            attach(plan, new_fs(plan, "proc", none, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, m->dest),
                   mount_point(plan, root_fd, m->dest, 0), m->dest);
            mask_proc(plan, root_fd, m->dest);
            break;
        }
        case MOUNT_DEV: {
            /* The template is read-only already; its device nodes must keep working, so no nodev here. */
            attach(plan, bind_tree(plan, AT_FDCWD, plan->dev_template, MOUNT_ATTR_NOSUID, 0),
                   mount_point(plan, root_fd, m->dest, 0), m->dest);
            char shm[PATH_BUF];
            size_t n = strlen(m->dest);
            if (n + 5 > PATH_BUF) fail(plan, "path too long", m->dest, -ENAMETOOLONG);
            memcpy(shm, m->dest, n);
            strcpy(shm + n, "/shm");
            attach(plan, capped_tmpfs(plan, "1777", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, shm),
                   check(plan, open_in_root(root_fd, shm, O_PATH | O_DIRECTORY), "cannot open", shm), shm);
            break;
        }
        default:
            fail(plan, "unknown mount kind for", m->dest, -EINVAL);
        }
    }
    if (plan->hosts) own_identity(plan, root_fd);
    if (!plan->writable) {
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        check(plan, SYS5(__NR_mount_setattr, root_fd, "", AT_EMPTY_PATH, &attr, sizeof attr),
              "cannot make root read-only", plan->new_root);
    }
    /* pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves only the new root. */
    check(plan, SYS1(__NR_fchdir, root_fd), "cannot enter new root", plan->new_root);
    close_fd(root_fd);
    check(plan, SYS2(__NR_pivot_root, ".", "."), "cannot pivot into new root", plan->new_root);
    check(plan, SYS2(__NR_umount2, ".", MNT_DETACH), "cannot detach host root", NULL);
    check(plan, SYS1(__NR_chdir, "/"), "cannot enter new root", "/");
}

/* ---------- credentials, signals, exec ---------- */

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
}

/*
 * The uid change cleared the death signal, so it is set again, and only then is the launcher checked, through a
 * pidfd of it that becomes readable once it has exited: once the signal is armed, a launcher that dies later kills
 * the job, and one that died before is seen here.
 */
static void die_with_launcher(const struct child_plan *plan) {
    check(plan, SYS2(__NR_prctl, PR_SET_PDEATHSIG, SIGKILL), "cannot set the death signal", NULL);
    struct pollfd launcher = {.fd = plan->launcher_pidfd, .events = POLLIN};
    struct timespec now = {0, 0};
    long ready = SYS5(__NR_ppoll, &launcher, 1, &now, NULL, 0);
    if (ready != 0) child_exit(127); /* gone, or it cannot be told: either way no job starts unsupervised */
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

/* ---------- the container's init ---------- */

/* The job's own process, pid 2: it starts with no signal blocked, in a session of its own. */
static int job_main(void *arg) {
    const struct child_plan *plan = arg;
    uint64_t none = 0;
    check(plan, SYS4(__NR_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof none), "cannot unblock signals", NULL);
    check(plan, SYS0(__NR_setsid), "cannot start a session", NULL);
    exec_program(plan);
    return 127;
}

/*
 * pid 1 of the container, as tini, `docker --init` and Bazel's linux-sandbox-pid1 are. The kernel drops a signal
 * that pid 1 of a pid namespace sends itself, or gets from inside its namespace, unless it has a handler: a job run
 * as pid 1 could not abort() (it died of the SIGSEGV that followed) and its `kill -TERM $$` did nothing. So the job
 * runs as this process's child, where signals mean what they mean anywhere else, and this process:
 *   - blocks every signal (blocked signals are never dropped, not even for pid 1) and waits for them;
 *   - passes each one that can be caught (a timeout's SIGTERM, SIGINT, SIGHUP, SIGUSR1...) on to the job;
 *   - reaps every orphan, so none stays a zombie;
 *   - when the job ends, writes "0, wait status" on the failure pipe and exits; the kernel then kills whatever is
 *     left in the namespace, and the launcher reports the job's own status.
 * It stays in the launcher's memory (a clone with CLONE_VM and CLONE_VFORK, so no page tables are copied and no
 * second program is executed) and keeps to the rules of this file. Jobs run as the same user, but cannot reach it:
 * the uid change made this memory non-dumpable (and it is made so again here), so /proc/1/fd, /proc/1/mem and ptrace
 * are refused, and the failure pipe is close-on-exec in the job.
 */
static void run_init(const struct child_plan *plan) {
    SYS2(__NR_prctl, PR_SET_NAME, "flotilla-init");
    check(plan, SYS2(__NR_prctl, PR_SET_DUMPABLE, 0), "cannot make init non-dumpable", NULL);
    uint64_t all = ~(uint64_t)0;
    check(plan, SYS4(__NR_rt_sigprocmask, SIG_SETMASK, &all, NULL, sizeof all), "cannot block signals", NULL);
    const char *home = env_value(plan->envp, "HOME");
    if (home) SYS3(__NR_mkdirat, AT_FDCWD, home, 0700); /* best effort: one that exists or cannot be made is fine */
    /* glibc's clone() is a few instructions around the system call; it touches no thread state in the child. */
    long job = clone(job_main, plan->job_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, (void *)plan);
    if (job < 0) fail(plan, "cannot start the job's process", NULL, -EAGAIN);
    for (;;) {
        siginfo_t info;
        long sig = SYS4(__NR_rt_sigtimedwait, &all, &info, NULL, sizeof all);
        if (sig <= 0) continue;
        if (sig != SIGCHLD) {
            SYS2(__NR_kill, job, sig);
            continue;
        }
        int status;
        long pid;
        while ((pid = SYS4(__NR_wait4, -1, &status, WNOHANG, NULL)) > 0) {
            if (pid != job) continue;
            int report[2] = {0, status};
            SYS3(__NR_write, plan->error_fd, report, sizeof report);
            child_exit(0);
        }
    }
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
    die_with_launcher(plan);
    check(plan, SYS2(__NR_prctl, PR_SET_NO_NEW_PRIVS, 1), "cannot set no_new_privs", NULL);
    check(plan, SYS1(__NR_chdir, plan->workdir), "working directory", plan->workdir);
    /* The launcher keeps fd 3 for itself, so no descriptor the child still needs can be there. */
    if (plan->shared_dir_fd >= 0)
        check(plan, SYS3(__NR_dup3, plan->shared_dir_fd, SHARED_DIR_FD, 0), "cannot pass the shared directory", NULL);
    check(plan, install_seccomp_filter(), "cannot install seccomp filter", NULL);
    run_init(plan);
    return 127;
}
