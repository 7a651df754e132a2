/* The run's private directory for libfiu's control fifos: whoever can open
 * a fifo can switch faults on and off in a fleet process, so the directory
 * is ours alone (0700, owned by us, no symlink), the fifos in it are 0600
 * (libfiu's mkfifo mode; fs-exec's umask 077 keeps it so), and none is left
 * once the fleet is down. */
#ifndef FS_PRIVDIR_H
#define FS_PRIVDIR_H

#include <stddef.h>

/* Creates dir with mode 0700 (its parent must exist), or takes an existing
 * one: a real directory (not a symlink) owned by our effective uid, whose
 * mode is then set to 0700. Returns 0, or a negative errno code with err
 * naming dir and why: -ENOTDIR (not a directory), -ELOOP (a symlink),
 * -EPERM (someone else's), or that of mkdir/open/fchmod. */
int fs_privdir_make(const char *dir, char *err, size_t errlen);

/* Unlinks every fifo in dir (nothing else), then removes dir when that
 * left it empty. Only a real directory of ours: a symlink or someone
 * else's directory is left alone. Returns the number of fifos removed, or
 * a negative errno code (-ENOENT: nothing to sweep; -ELOOP/-ENOTDIR: not a
 * directory; -EPERM: not ours). */
int fs_privdir_sweep(const char *dir);

#endif
