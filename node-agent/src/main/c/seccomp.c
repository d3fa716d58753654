/*
 * The seccomp filter every job runs under.
 *
 * It is an allow list, modelled on Docker's default profile (moby's profiles/seccomp/default.json) for a container
 * that has no capabilities: a system call that is not on the list fails with EPERM, and one numbered above every
 * call on the list (one the kernel grew after this list was written) with ENOSYS, as on a kernel without it, so
 * libc falls back the way it would there. Either way it is refused until someone decides it is safe, and a job
 * that probes for one gets an error, not a kill. The list is Docker's unconditional one for x86_64 and aarch64, less what this sandbox
 * refuses although Docker allows it: the io_uring calls (a second system call interface that seccomp cannot see
 * into; Docker dropped them too), the keyrings (keyctl, add_key, request_key), name_to_handle_at, and adjtimex
 * and clock_adjtime. Refused with it, as in Docker without capabilities: mounting (mount, umount2, pivot_root,
 * chroot and the fsopen/fsmount/move_mount/open_tree family), new namespaces (unshare, setns), bpf, perf, userfaultfd,
 * module loading, kexec, reboot, swap, accounting, quotas, setting the clock, handle-based opens, iopl/ioperm and
 * the rest Docker gates behind a capability. ptrace and process_vm_readv/writev are allowed, as Docker does on
 * kernels since 4.8 (which re-check the filter after a tracer changes a system call, so tracing cannot get round
 * it): the job has no capabilities and its own pid namespace, so it can trace only its own processes, which is
 * what debuggers, strace and sanitizers do.
 *
 * Four calls are treated apart, again as in Docker: clone() with any CLONE_NEW* flag fails with EPERM; clone3()
 * fails with ENOSYS, because its flags sit behind a pointer a filter cannot read, and libc then falls back to
 * clone(), which the filter can check; socket() fails with EPERM for AF_VSOCK, the channel to the hypervisor;
 * personality() is allowed only to query (0xffffffff) or to set PER_LINUX, PER_LINUX32, UNAME26 or both of the last
 * two. System calls of another ABI are refused: x32 with EPERM, a foreign architecture (i386 by int 0x80, arm32) by
 * killing the process.
 *
 * Every other allowed call's verdict depends on its number only, so the kernel's action cache (5.11+) lets it
 * through without running the filter. The launcher builds the program once (prepare_seccomp_filter), as sorted
 * ranges of numbers, which keeps it short: each job's child only installs it. Each entry is guarded by
 * #ifdef so that the file compiles against old headers, and the calls numbered 424 and up, which have the same
 * number on every architecture, are given their numbers here when the headers are older than the call, so that
 * what a job may do does not depend on how old the build machine's headers were.
 */
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
#define FILTER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FILTER_ARCH AUDIT_ARCH_AARCH64
#else
#error "the seccomp filter knows x86_64 and aarch64 only"
#endif

/* The generic numbers (scripts/syscall.tbl, x86_64's syscall_64.tbl) of the calls newer than some headers. */
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_faccessat2
#define __NR_faccessat2 439
#endif
#ifndef __NR_epoll_pwait2
#define __NR_epoll_pwait2 441
#endif
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif
#ifndef __NR_memfd_secret
#define __NR_memfd_secret 447
#endif
#ifndef __NR_process_mrelease
#define __NR_process_mrelease 448
#endif
#ifndef __NR_futex_waitv
#define __NR_futex_waitv 449
#endif
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef __NR_map_shadow_stack
#define __NR_map_shadow_stack 453
#endif
#ifndef __NR_futex_wake
#define __NR_futex_wake 454
#endif
#ifndef __NR_futex_wait
#define __NR_futex_wait 455
#endif
#ifndef __NR_futex_requeue
#define __NR_futex_requeue 456
#endif
#ifndef __NR_statmount
#define __NR_statmount 457
#endif
#ifndef __NR_listmount
#define __NR_listmount 458
#endif
#ifndef __NR_mseal
#define __NR_mseal 462
#endif
#ifndef __NR_setxattrat
#define __NR_setxattrat 463
#endif
#ifndef __NR_getxattrat
#define __NR_getxattrat 464
#endif
#ifndef __NR_listxattrat
#define __NR_listxattrat 465
#endif
#ifndef __NR_removexattrat
#define __NR_removexattrat 466
#endif

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

#define NAMESPACE_FLAGS \
    (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

/* The calls allowed whatever their arguments. clone, clone3, socket and personality are checked apart. */
static const int allowed[] = {
    /* In any order: the launcher sorts them into ranges. */
#ifdef __NR_read
    __NR_read,
#endif
#ifdef __NR_write
    __NR_write,
#endif
#ifdef __NR_openat
    __NR_openat,
#endif
#ifdef __NR_close
    __NR_close,
#endif
#ifdef __NR_fstat
    __NR_fstat,
#endif
#ifdef __NR_newfstatat
    __NR_newfstatat,
#endif
#ifdef __NR_statx
    __NR_statx,
#endif
#ifdef __NR_lseek
    __NR_lseek,
#endif
#ifdef __NR_mmap
    __NR_mmap,
#endif
#ifdef __NR_munmap
    __NR_munmap,
#endif
#ifdef __NR_mprotect
    __NR_mprotect,
#endif
#ifdef __NR_brk
    __NR_brk,
#endif
#ifdef __NR_futex
    __NR_futex,
#endif
#ifdef __NR_epoll_wait
    __NR_epoll_wait,
#endif
#ifdef __NR_epoll_pwait
    __NR_epoll_pwait,
#endif
#ifdef __NR_epoll_pwait2
    __NR_epoll_pwait2,
#endif
#ifdef __NR_epoll_ctl
    __NR_epoll_ctl,
#endif
#ifdef __NR_poll
    __NR_poll,
#endif
#ifdef __NR_ppoll
    __NR_ppoll,
#endif
#ifdef __NR_pread64
    __NR_pread64,
#endif
#ifdef __NR_pwrite64
    __NR_pwrite64,
#endif
#ifdef __NR_readv
    __NR_readv,
#endif
#ifdef __NR_writev
    __NR_writev,
#endif
#ifdef __NR_recvfrom
    __NR_recvfrom,
#endif
#ifdef __NR_sendto
    __NR_sendto,
#endif
#ifdef __NR_recvmsg
    __NR_recvmsg,
#endif
#ifdef __NR_sendmsg
    __NR_sendmsg,
#endif
#ifdef __NR_getdents64
    __NR_getdents64,
#endif
#ifdef __NR_fcntl
    __NR_fcntl,
#endif
#ifdef __NR_ioctl
    __NR_ioctl,
#endif
#ifdef __NR_rt_sigprocmask
    __NR_rt_sigprocmask,
#endif
#ifdef __NR_rt_sigaction
    __NR_rt_sigaction,
#endif
#ifdef __NR_rt_sigreturn
    __NR_rt_sigreturn,
#endif
#ifdef __NR_sched_yield
    __NR_sched_yield,
#endif
#ifdef __NR_clock_gettime
    __NR_clock_gettime,
#endif
#ifdef __NR_gettimeofday
    __NR_gettimeofday,
#endif
#ifdef __NR_nanosleep
    __NR_nanosleep,
#endif
#ifdef __NR_clock_nanosleep
    __NR_clock_nanosleep,
#endif
#ifdef __NR_getpid
    __NR_getpid,
#endif
#ifdef __NR_gettid
    __NR_gettid,
#endif
#ifdef __NR_madvise
    __NR_madvise,
#endif
#ifdef __NR_access
    __NR_access,
#endif
#ifdef __NR_faccessat
    __NR_faccessat,
#endif
#ifdef __NR_faccessat2
    __NR_faccessat2,
#endif
#ifdef __NR_readlink
    __NR_readlink,
#endif
#ifdef __NR_readlinkat
    __NR_readlinkat,
#endif
#ifdef __NR_stat
    __NR_stat,
#endif
#ifdef __NR_lstat
    __NR_lstat,
#endif
#ifdef __NR_open
    __NR_open,
#endif
#ifdef __NR_dup
    __NR_dup,
#endif
#ifdef __NR_dup2
    __NR_dup2,
#endif
#ifdef __NR_dup3
    __NR_dup3,
#endif
#ifdef __NR_pipe2
    __NR_pipe2,
#endif
#ifdef __NR_pipe
    __NR_pipe,
#endif
#ifdef __NR_wait4
    __NR_wait4,
#endif
#ifdef __NR_waitid
    __NR_waitid,
#endif
#ifdef __NR_execve
    __NR_execve,
#endif
#ifdef __NR_exit
    __NR_exit,
#endif
#ifdef __NR_exit_group
    __NR_exit_group,
#endif
#ifdef __NR_set_robust_list
    __NR_set_robust_list,
#endif
#ifdef __NR_rseq
    __NR_rseq,
#endif
#ifdef __NR_set_tid_address
    __NR_set_tid_address,
#endif
#ifdef __NR_getuid
    __NR_getuid,
#endif
#ifdef __NR_geteuid
    __NR_geteuid,
#endif
#ifdef __NR_getgid
    __NR_getgid,
#endif
#ifdef __NR_getegid
    __NR_getegid,
#endif
#ifdef __NR_getcwd
    __NR_getcwd,
#endif
#ifdef __NR_chdir
    __NR_chdir,
#endif
#ifdef __NR_unlink
    __NR_unlink,
#endif
#ifdef __NR_unlinkat
    __NR_unlinkat,
#endif
#ifdef __NR_rename
    __NR_rename,
#endif
#ifdef __NR_renameat
    __NR_renameat,
#endif
#ifdef __NR_renameat2
    __NR_renameat2,
#endif
#ifdef __NR_mkdir
    __NR_mkdir,
#endif
#ifdef __NR_mkdirat
    __NR_mkdirat,
#endif
#ifdef __NR_sched_getaffinity
    __NR_sched_getaffinity,
#endif
#ifdef __NR_prlimit64
    __NR_prlimit64,
#endif
#ifdef __NR_getrandom
    __NR_getrandom,
#endif
#ifdef __NR_kill
    __NR_kill,
#endif
#ifdef __NR_tgkill
    __NR_tgkill,
#endif
#ifdef __NR_select
    __NR_select,
#endif
#ifdef __NR_pselect6
    __NR_pselect6,
#endif
#ifdef __NR_accept4
    __NR_accept4,
#endif
#ifdef __NR_connect
    __NR_connect,
#endif
    /* The rest of Docker's unconditional list, in its (alphabetical) order. */
#ifdef __NR_accept
    __NR_accept,
#endif
#ifdef __NR_alarm
    __NR_alarm,
#endif
#ifdef __NR_bind
    __NR_bind,
#endif
#ifdef __NR_cachestat
    __NR_cachestat,
#endif
#ifdef __NR_capget
    __NR_capget,
#endif
#ifdef __NR_capset
    __NR_capset,
#endif
#ifdef __NR_chmod
    __NR_chmod,
#endif
#ifdef __NR_chown
    __NR_chown,
#endif
#ifdef __NR_clock_getres
    __NR_clock_getres,
#endif
#ifdef __NR_close_range
    __NR_close_range,
#endif
#ifdef __NR_copy_file_range
    __NR_copy_file_range,
#endif
#ifdef __NR_creat
    __NR_creat,
#endif
#ifdef __NR_epoll_create
    __NR_epoll_create,
#endif
#ifdef __NR_epoll_create1
    __NR_epoll_create1,
#endif
#ifdef __NR_epoll_ctl_old
    __NR_epoll_ctl_old,
#endif
#ifdef __NR_epoll_wait_old
    __NR_epoll_wait_old,
#endif
#ifdef __NR_eventfd
    __NR_eventfd,
#endif
#ifdef __NR_eventfd2
    __NR_eventfd2,
#endif
#ifdef __NR_execveat
    __NR_execveat,
#endif
#ifdef __NR_fadvise64
    __NR_fadvise64,
#endif
#ifdef __NR_fallocate
    __NR_fallocate,
#endif
#ifdef __NR_fanotify_mark
    __NR_fanotify_mark,
#endif
#ifdef __NR_fchdir
    __NR_fchdir,
#endif
#ifdef __NR_fchmod
    __NR_fchmod,
#endif
#ifdef __NR_fchmodat
    __NR_fchmodat,
#endif
#ifdef __NR_fchmodat2
    __NR_fchmodat2,
#endif
#ifdef __NR_fchown
    __NR_fchown,
#endif
#ifdef __NR_fchownat
    __NR_fchownat,
#endif
#ifdef __NR_fdatasync
    __NR_fdatasync,
#endif
#ifdef __NR_fgetxattr
    __NR_fgetxattr,
#endif
#ifdef __NR_flistxattr
    __NR_flistxattr,
#endif
#ifdef __NR_flock
    __NR_flock,
#endif
#ifdef __NR_fork
    __NR_fork,
#endif
#ifdef __NR_fremovexattr
    __NR_fremovexattr,
#endif
#ifdef __NR_fsetxattr
    __NR_fsetxattr,
#endif
#ifdef __NR_fstatfs
    __NR_fstatfs,
#endif
#ifdef __NR_fsync
    __NR_fsync,
#endif
#ifdef __NR_ftruncate
    __NR_ftruncate,
#endif
#ifdef __NR_futex_requeue
    __NR_futex_requeue,
#endif
#ifdef __NR_futex_wait
    __NR_futex_wait,
#endif
#ifdef __NR_futex_waitv
    __NR_futex_waitv,
#endif
#ifdef __NR_futex_wake
    __NR_futex_wake,
#endif
#ifdef __NR_futimesat
    __NR_futimesat,
#endif
#ifdef __NR_getcpu
    __NR_getcpu,
#endif
#ifdef __NR_getdents
    __NR_getdents,
#endif
#ifdef __NR_getgroups
    __NR_getgroups,
#endif
#ifdef __NR_getitimer
    __NR_getitimer,
#endif
#ifdef __NR_getpeername
    __NR_getpeername,
#endif
#ifdef __NR_getpgid
    __NR_getpgid,
#endif
#ifdef __NR_getpgrp
    __NR_getpgrp,
#endif
#ifdef __NR_getppid
    __NR_getppid,
#endif
#ifdef __NR_getpriority
    __NR_getpriority,
#endif
#ifdef __NR_getresgid
    __NR_getresgid,
#endif
#ifdef __NR_getresuid
    __NR_getresuid,
#endif
#ifdef __NR_getrlimit
    __NR_getrlimit,
#endif
#ifdef __NR_get_robust_list
    __NR_get_robust_list,
#endif
#ifdef __NR_getrusage
    __NR_getrusage,
#endif
#ifdef __NR_getsid
    __NR_getsid,
#endif
#ifdef __NR_getsockname
    __NR_getsockname,
#endif
#ifdef __NR_getsockopt
    __NR_getsockopt,
#endif
#ifdef __NR_get_thread_area
    __NR_get_thread_area,
#endif
#ifdef __NR_getxattr
    __NR_getxattr,
#endif
#ifdef __NR_getxattrat
    __NR_getxattrat,
#endif
#ifdef __NR_inotify_add_watch
    __NR_inotify_add_watch,
#endif
#ifdef __NR_inotify_init
    __NR_inotify_init,
#endif
#ifdef __NR_inotify_init1
    __NR_inotify_init1,
#endif
#ifdef __NR_inotify_rm_watch
    __NR_inotify_rm_watch,
#endif
#ifdef __NR_io_cancel
    __NR_io_cancel,
#endif
#ifdef __NR_io_destroy
    __NR_io_destroy,
#endif
#ifdef __NR_io_getevents
    __NR_io_getevents,
#endif
#ifdef __NR_io_pgetevents
    __NR_io_pgetevents,
#endif
#ifdef __NR_ioprio_get
    __NR_ioprio_get,
#endif
#ifdef __NR_ioprio_set
    __NR_ioprio_set,
#endif
#ifdef __NR_io_setup
    __NR_io_setup,
#endif
#ifdef __NR_io_submit
    __NR_io_submit,
#endif
#ifdef __NR_landlock_add_rule
    __NR_landlock_add_rule,
#endif
#ifdef __NR_landlock_create_ruleset
    __NR_landlock_create_ruleset,
#endif
#ifdef __NR_landlock_restrict_self
    __NR_landlock_restrict_self,
#endif
#ifdef __NR_lchown
    __NR_lchown,
#endif
#ifdef __NR_lgetxattr
    __NR_lgetxattr,
#endif
#ifdef __NR_link
    __NR_link,
#endif
#ifdef __NR_linkat
    __NR_linkat,
#endif
#ifdef __NR_listen
    __NR_listen,
#endif
#ifdef __NR_listmount
    __NR_listmount,
#endif
#ifdef __NR_listxattr
    __NR_listxattr,
#endif
#ifdef __NR_listxattrat
    __NR_listxattrat,
#endif
#ifdef __NR_llistxattr
    __NR_llistxattr,
#endif
#ifdef __NR_lremovexattr
    __NR_lremovexattr,
#endif
#ifdef __NR_lsetxattr
    __NR_lsetxattr,
#endif
#ifdef __NR_map_shadow_stack
    __NR_map_shadow_stack,
#endif
#ifdef __NR_membarrier
    __NR_membarrier,
#endif
#ifdef __NR_memfd_create
    __NR_memfd_create,
#endif
#ifdef __NR_memfd_secret
    __NR_memfd_secret,
#endif
#ifdef __NR_mincore
    __NR_mincore,
#endif
#ifdef __NR_mknod
    __NR_mknod,
#endif
#ifdef __NR_mknodat
    __NR_mknodat,
#endif
#ifdef __NR_mlock
    __NR_mlock,
#endif
#ifdef __NR_mlock2
    __NR_mlock2,
#endif
#ifdef __NR_mlockall
    __NR_mlockall,
#endif
#ifdef __NR_mq_getsetattr
    __NR_mq_getsetattr,
#endif
#ifdef __NR_mq_notify
    __NR_mq_notify,
#endif
#ifdef __NR_mq_open
    __NR_mq_open,
#endif
#ifdef __NR_mq_timedreceive
    __NR_mq_timedreceive,
#endif
#ifdef __NR_mq_timedsend
    __NR_mq_timedsend,
#endif
#ifdef __NR_mq_unlink
    __NR_mq_unlink,
#endif
#ifdef __NR_mremap
    __NR_mremap,
#endif
#ifdef __NR_mseal
    __NR_mseal,
#endif
#ifdef __NR_msgctl
    __NR_msgctl,
#endif
#ifdef __NR_msgget
    __NR_msgget,
#endif
#ifdef __NR_msgrcv
    __NR_msgrcv,
#endif
#ifdef __NR_msgsnd
    __NR_msgsnd,
#endif
#ifdef __NR_msync
    __NR_msync,
#endif
#ifdef __NR_munlock
    __NR_munlock,
#endif
#ifdef __NR_munlockall
    __NR_munlockall,
#endif
#ifdef __NR_openat2
    __NR_openat2,
#endif
#ifdef __NR_pause
    __NR_pause,
#endif
#ifdef __NR_pidfd_open
    __NR_pidfd_open,
#endif
#ifdef __NR_pidfd_send_signal
    __NR_pidfd_send_signal,
#endif
#ifdef __NR_pkey_alloc
    __NR_pkey_alloc,
#endif
#ifdef __NR_pkey_free
    __NR_pkey_free,
#endif
#ifdef __NR_pkey_mprotect
    __NR_pkey_mprotect,
#endif
#ifdef __NR_prctl
    __NR_prctl,
#endif
#ifdef __NR_preadv
    __NR_preadv,
#endif
#ifdef __NR_preadv2
    __NR_preadv2,
#endif
#ifdef __NR_process_mrelease
    __NR_process_mrelease,
#endif
#ifdef __NR_pwritev
    __NR_pwritev,
#endif
#ifdef __NR_pwritev2
    __NR_pwritev2,
#endif
#ifdef __NR_readahead
    __NR_readahead,
#endif
#ifdef __NR_recvmmsg
    __NR_recvmmsg,
#endif
#ifdef __NR_remap_file_pages
    __NR_remap_file_pages,
#endif
#ifdef __NR_removexattr
    __NR_removexattr,
#endif
#ifdef __NR_removexattrat
    __NR_removexattrat,
#endif
#ifdef __NR_restart_syscall
    __NR_restart_syscall,
#endif
#ifdef __NR_rmdir
    __NR_rmdir,
#endif
#ifdef __NR_rt_sigpending
    __NR_rt_sigpending,
#endif
#ifdef __NR_rt_sigqueueinfo
    __NR_rt_sigqueueinfo,
#endif
#ifdef __NR_rt_sigsuspend
    __NR_rt_sigsuspend,
#endif
#ifdef __NR_rt_sigtimedwait
    __NR_rt_sigtimedwait,
#endif
#ifdef __NR_rt_tgsigqueueinfo
    __NR_rt_tgsigqueueinfo,
#endif
#ifdef __NR_sched_getattr
    __NR_sched_getattr,
#endif
#ifdef __NR_sched_getparam
    __NR_sched_getparam,
#endif
#ifdef __NR_sched_get_priority_max
    __NR_sched_get_priority_max,
#endif
#ifdef __NR_sched_get_priority_min
    __NR_sched_get_priority_min,
#endif
#ifdef __NR_sched_getscheduler
    __NR_sched_getscheduler,
#endif
#ifdef __NR_sched_rr_get_interval
    __NR_sched_rr_get_interval,
#endif
#ifdef __NR_sched_setaffinity
    __NR_sched_setaffinity,
#endif
#ifdef __NR_sched_setattr
    __NR_sched_setattr,
#endif
#ifdef __NR_sched_setparam
    __NR_sched_setparam,
#endif
#ifdef __NR_sched_setscheduler
    __NR_sched_setscheduler,
#endif
#ifdef __NR_seccomp
    __NR_seccomp,
#endif
#ifdef __NR_semctl
    __NR_semctl,
#endif
#ifdef __NR_semget
    __NR_semget,
#endif
#ifdef __NR_semop
    __NR_semop,
#endif
#ifdef __NR_semtimedop
    __NR_semtimedop,
#endif
#ifdef __NR_sendfile
    __NR_sendfile,
#endif
#ifdef __NR_sendmmsg
    __NR_sendmmsg,
#endif
#ifdef __NR_setfsgid
    __NR_setfsgid,
#endif
#ifdef __NR_setfsuid
    __NR_setfsuid,
#endif
#ifdef __NR_setgid
    __NR_setgid,
#endif
#ifdef __NR_setgroups
    __NR_setgroups,
#endif
#ifdef __NR_setitimer
    __NR_setitimer,
#endif
#ifdef __NR_setpgid
    __NR_setpgid,
#endif
#ifdef __NR_setpriority
    __NR_setpriority,
#endif
#ifdef __NR_setregid
    __NR_setregid,
#endif
#ifdef __NR_setresgid
    __NR_setresgid,
#endif
#ifdef __NR_setresuid
    __NR_setresuid,
#endif
#ifdef __NR_setreuid
    __NR_setreuid,
#endif
#ifdef __NR_setrlimit
    __NR_setrlimit,
#endif
#ifdef __NR_setsid
    __NR_setsid,
#endif
#ifdef __NR_setsockopt
    __NR_setsockopt,
#endif
#ifdef __NR_set_thread_area
    __NR_set_thread_area,
#endif
#ifdef __NR_setuid
    __NR_setuid,
#endif
#ifdef __NR_setxattr
    __NR_setxattr,
#endif
#ifdef __NR_setxattrat
    __NR_setxattrat,
#endif
#ifdef __NR_shmat
    __NR_shmat,
#endif
#ifdef __NR_shmctl
    __NR_shmctl,
#endif
#ifdef __NR_shmdt
    __NR_shmdt,
#endif
#ifdef __NR_shmget
    __NR_shmget,
#endif
#ifdef __NR_shutdown
    __NR_shutdown,
#endif
#ifdef __NR_sigaltstack
    __NR_sigaltstack,
#endif
#ifdef __NR_signalfd
    __NR_signalfd,
#endif
#ifdef __NR_signalfd4
    __NR_signalfd4,
#endif
#ifdef __NR_socketpair
    __NR_socketpair,
#endif
#ifdef __NR_splice
    __NR_splice,
#endif
#ifdef __NR_statfs
    __NR_statfs,
#endif
#ifdef __NR_statmount
    __NR_statmount,
#endif
#ifdef __NR_symlink
    __NR_symlink,
#endif
#ifdef __NR_symlinkat
    __NR_symlinkat,
#endif
#ifdef __NR_sync
    __NR_sync,
#endif
#ifdef __NR_sync_file_range
    __NR_sync_file_range,
#endif
#ifdef __NR_syncfs
    __NR_syncfs,
#endif
#ifdef __NR_sysinfo
    __NR_sysinfo,
#endif
#ifdef __NR_tee
    __NR_tee,
#endif
#ifdef __NR_time
    __NR_time,
#endif
#ifdef __NR_timer_create
    __NR_timer_create,
#endif
#ifdef __NR_timer_delete
    __NR_timer_delete,
#endif
#ifdef __NR_timer_getoverrun
    __NR_timer_getoverrun,
#endif
#ifdef __NR_timer_gettime
    __NR_timer_gettime,
#endif
#ifdef __NR_timer_settime
    __NR_timer_settime,
#endif
#ifdef __NR_timerfd_create
    __NR_timerfd_create,
#endif
#ifdef __NR_timerfd_gettime
    __NR_timerfd_gettime,
#endif
#ifdef __NR_timerfd_settime
    __NR_timerfd_settime,
#endif
#ifdef __NR_times
    __NR_times,
#endif
#ifdef __NR_tkill
    __NR_tkill,
#endif
#ifdef __NR_truncate
    __NR_truncate,
#endif
#ifdef __NR_umask
    __NR_umask,
#endif
#ifdef __NR_uname
    __NR_uname,
#endif
#ifdef __NR_uretprobe
    __NR_uretprobe,
#endif
#ifdef __NR_utime
    __NR_utime,
#endif
#ifdef __NR_utimensat
    __NR_utimensat,
#endif
#ifdef __NR_utimes
    __NR_utimes,
#endif
#ifdef __NR_vfork
    __NR_vfork,
#endif
#ifdef __NR_vmsplice
    __NR_vmsplice,
#endif
    /* Docker's entries that it allows by kernel version (ptrace and its kin, since 4.8) or by architecture. */
#ifdef __NR_ptrace
    __NR_ptrace,
#endif
#ifdef __NR_process_vm_readv
    __NR_process_vm_readv,
#endif
#ifdef __NR_process_vm_writev
    __NR_process_vm_writev,
#endif
#ifdef __NR_arch_prctl
    __NR_arch_prctl,
#endif
#ifdef __NR_modify_ldt
    __NR_modify_ldt,
#endif
};

/* The only personality() arguments allowed: PER_LINUX, PER_LINUX32, UNAME26, UNAME26 | PER_LINUX32, and query. */
static const unsigned personalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

enum {
    ALLOWED_COUNT = sizeof allowed / sizeof allowed[0],
    PERSONALITY_COUNT = sizeof personalities / sizeof personalities[0],
    /* At worst every allowed call is a range of its own (two instructions), plus an "allow" every RUN of them (a
       conditional jump reaches at most 255 instructions ahead), plus the checks before and after the list. */
    RUN = 100,
    MAX_FILTER = 2 * ALLOWED_COUNT + 3 * (ALLOWED_COUNT / RUN + 1) + PERSONALITY_COUNT + 40,
};
_Static_assert(MAX_FILTER <= BPF_MAXINSNS, "the seccomp filter is too long");

/* The low 32 bits of an argument: all the kernel reads of socket()'s domain, personality()'s persona and the
   flags of clone(). */
#define ARG_LOW(i) \
    (offsetof(struct seccomp_data, args[i]) + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? sizeof(__u32) : 0))

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))
#define RETURN(action) STMT(BPF_RET | BPF_K, action)
#define DENY(errno_value) RETURN(SECCOMP_RET_ERRNO | (errno_value))
/* If the number is nr, go on with the next instruction, else skip the next `skip`. */
#define IF_NR(nr, skip) JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)(nr), 0, skip)

/* The program, built once by the launcher and only read by each job's child, which installs it. */
static struct sock_filter filter[MAX_FILTER];
static struct sock_fprog program;

static int by_number(const void *a, const void *b) {
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return x < y ? -1 : x > y;
}

void prepare_seccomp_filter(void) {
    unsigned n = 0;
    filter[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    filter[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, FILTER_ARCH, 1, 0);
    filter[n++] = RETURN(SECCOMP_RET_KILL_PROCESS);
    filter[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
    filter[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000 /* __X32_SYSCALL_BIT */, 0, 1);
    filter[n++] = DENY(EPERM);
#endif

    /* The calls checked by their arguments come first: their verdicts cannot be cached, so they run the filter
       every time, and clone() is frequent. Each block leaves the accumulator holding nr when it does not match. */
    filter[n++] = IF_NR(__NR_clone3, 1);
    filter[n++] = DENY(ENOSYS);

    filter[n++] = IF_NR(__NR_clone, 4);
    filter[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LOW(0));
    filter[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, NAMESPACE_FLAGS, 0, 1);
    filter[n++] = DENY(EPERM);
    filter[n++] = RETURN(SECCOMP_RET_ALLOW);

    filter[n++] = IF_NR(__NR_socket, 4);
    filter[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LOW(0));
    filter[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_VSOCK, 0, 1);
    filter[n++] = DENY(EPERM);
    filter[n++] = RETURN(SECCOMP_RET_ALLOW);

    filter[n++] = IF_NR(__NR_personality, PERSONALITY_COUNT + 3);
    filter[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LOW(0));
    for (unsigned i = 0; i < PERSONALITY_COUNT; i++)
        filter[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, personalities[i], (unsigned char)(PERSONALITY_COUNT - i), 0);
    filter[n++] = DENY(EPERM);
    filter[n++] = RETURN(SECCOMP_RET_ALLOW);

    /* The list, sorted and merged into ranges of consecutive numbers, in ascending order: a number below a range
       is on no range after it (refused), one above it goes on to the next. Short programs cost little to attach:
       the kernel runs the filter for every system call number once, to fill its action cache. */
    unsigned sorted[ALLOWED_COUNT];
    for (unsigned i = 0; i < ALLOWED_COUNT; i++) sorted[i] = (unsigned)allowed[i];
    qsort(sorted, ALLOWED_COUNT, sizeof sorted[0], by_number);
    unsigned lows[ALLOWED_COUNT], highs[ALLOWED_COUNT], ranges = 0;
    for (unsigned i = 0; i < ALLOWED_COUNT; i++) {
        if (ranges > 0 && sorted[i] <= highs[ranges - 1] + 1) {
            if (sorted[i] > highs[ranges - 1]) highs[ranges - 1] = sorted[i];
        } else {
            lows[ranges] = highs[ranges] = sorted[i];
            ranges++;
        }
    }
    for (unsigned start = 0; start < ranges; start += RUN) {
        unsigned length = ranges - start < RUN ? ranges - start : RUN;
        for (unsigned i = 0; i < length; i++) {
            unsigned after = 2 * (length - 1 - i); /* instructions of the run's later ranges */
            /* Below the range: on none after it, so refused (the run's deny, after its jump and allow). */
            filter[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, lows[start + i], 0, (unsigned char)(after + 3));
            /* Above it: the next range; within it: the run's allow. */
            filter[n++] = JUMP(BPF_JMP | BPF_JGT | BPF_K, highs[start + i], 0, (unsigned char)(after + 1));
        }
        /* Past the run's last range: on to the next run. */
        filter[n++] = JUMP(BPF_JMP | BPF_JA, 2, 0, 0);
        filter[n++] = RETURN(SECCOMP_RET_ALLOW);
        filter[n++] = DENY(EPERM);
    }
    /* A number above every call on the list is newer than the list: ENOSYS, as from a kernel without it, so that
       libc falls back as it would there (runc does the same); a known call that is not on the list gets EPERM. */
    filter[n++] = DENY(ENOSYS);
    program = (struct sock_fprog){.len = (unsigned short)n, .filter = filter};
}

long install_seccomp_filter(void) {
    return SYS3(__NR_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program);
}
