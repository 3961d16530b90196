# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A file that receives a client secret on the host the module runs on.

Private to this collection: it may change in any release. The module declares Ansible's common
file arguments (``add_file_common_args=True``, the ``ansible.builtin.files`` fragment), and the
file is written through AnsibleModule's own helpers: a temp file in the target's folder,
``atomic_move`` into place, then ``set_fs_attributes_if_different`` with the user's mode, owner,
group, SELinux context and attributes (mode 0600 when none is given).

Everything that could stop the write is checked when the object is made, before any request,
so that no secret is ever created or rotated that cannot be kept: the path (absolute), its folder
(named in the message, never a temp file), the mode as Ansible parses it (permission bits only),
an owner or group that does not exist, is out of chown's range, or that this user cannot give the
file to; an existing file that is immutable or append-only, or a mount point (a rename gives
EBUSY) without unsafe_writes; with unsafe_writes, an existing path that a write in place would
hand the secret to (not a regular single-link file of this user).

An existing file is the secret file (kept when it holds the secret, else replaced) only when it
is a regular single-link file of this user or of the wanted owner (is_ours): a file planted by
another user is never adopted, and a hard link is replaced, never chmod-ed (that would reach its
other name).

The secret is never in a file that others can read, not even for a moment (where this module
steps past the plain helpers, and why):

- the temp file is made and moved under a 077 umask: ``atomic_move`` gives a file it creates
  ``0666 & ~umask``, which with the usual 022 would be 0644 until the mode is set;
- ``keep_dest_attrs=False`` (ansible-core 2.17+): by default ``atomic_move`` copies the replaced
  file's mode and owner onto the new one, so a 0644 file would pass 0644 on, and a file that
  another user planted would pass its owner on. The new file is this user's, 0600, and then
  gets the options asked for;
- ansible-core 2.16 has no ``keep_dest_attrs``, and an unsafe write (``unsafe_writes``, when the
  rename fails) writes into the old file in place, keeping its mode. So an existing regular
  file of this user is first narrowed to its owner (it holds at most an old secret), and on
  2.16 a link or another user's file is removed just before the move (the path is then missing
  for an instant; the move would otherwise hand on its target's mode or its owner);
- ansible-core's helpers fail with their own wording, which names temp files: while they run,
  ``fail_json`` raises instead, and the caller gets a SecretFileError that names the option,
  the path and the system's reason.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import grp
import inspect
import os
import pwd
import re
import stat
import sys
import tempfile
import threading
from contextlib import contextmanager

from ansible.module_utils.basic import AnsibleModule

PREFIX = '.docspace-secret-'
DEFAULT_MODE = 0o600
LAST_ID = 4294967294  # chown reads 4294967295 (-1) as "leave it as it is"
SLACK = 4096  # holds() reads at most this much past the secret: a huge planted file costs nothing
# One write at a time in a process: the umask is process-wide, and the helpers' fail_json is patched on the module.
_WRITING = threading.RLock()


def _keeps_dest_attrs():
    """ansible-core 2.17 added keep_dest_attrs; 2.16 always copies the replaced file's mode and owner."""
    try:
        return 'keep_dest_attrs' in inspect.signature(AnsibleModule.atomic_move).parameters
    except (AttributeError, TypeError, ValueError):  # ansible-test's import check stands in a bare class
        return False


KEEPS_DEST_ATTRS = _keeps_dest_attrs()
ATTRIBUTES_RE = re.compile(r'[-+=]?[aAcCdDeFijmPsStTux]*\Z')  # what chattr takes


FILE_OPTIONS = ('mode', 'owner', 'group', 'seuser', 'serole', 'setype', 'selevel', 'attributes')


def file_options_alone(params, option='secret_path', names=FILE_OPTIONS):
    """The file options apply to ``option``'s file: without it they would be ignored in silence.
    None, or the message that says so."""
    given = [name for name in names if params.get(name) is not None]
    if given and params.get(option) is None:
        return ('%s %s only with %s (the file that receives the secret), which is not set.'
                % (', '.join(given), 'applies' if len(given) == 1 else 'apply', option))
    return None


def refuse_file_options_alone(module, option='secret_path'):
    problem = file_options_alone(module.params, option)
    if problem:
        module.fail(problem)


class SecretFileError(Exception):
    """The secret could not be put in place; ``written`` when it is in the file all the same
    (only its file options could not be applied)."""

    def __init__(self, message, written=False):
        super(SecretFileError, self).__init__(message)
        self.written = written


class _HelperFailed(Exception):
    """ansible-core's file helper called fail_json; ``cause`` is the exception it was handling."""

    def __init__(self, msg, cause):
        super(_HelperFailed, self).__init__(msg)
        self.cause = cause


def _reason(exc):
    """The operating system's words for a failure (they never name a temp file), else the message."""
    seen, link = set(), exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if isinstance(link, EnvironmentError) and getattr(link, 'strerror', None):
            return link.strerror
        link = getattr(link, 'cause', None) or link.__cause__ or link.__context__
    return '%s' % (exc,)


def _mount_points():
    """Where something is mounted, from /proc/self/mountinfo: a bind-mounted file on the same file
    system is a mount point that os.path.ismount does not see (same device)."""
    points = set()
    try:
        with open('/proc/self/mountinfo') as handle:
            for line in handle:
                fields = line.split(' ')
                if len(fields) > 4:  # octal escapes: \040 is a space
                    points.add(re.sub(r'\\([0-7]{3})', lambda m: chr(int(m.group(1), 8)), fields[4]))
    except (IOError, OSError):
        pass
    return points


def _is_mount_point(path):
    real = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
    return os.path.ismount(path) or real in _mount_points()


def _single_file(info, owners):
    """A regular file (not a link) with one name, owned by one of ``owners``: the only kind of file the
    module writes into, keeps or chmods; any other is replaced through the rename, or refused."""
    return stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and info.st_uid in owners


def _user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return 'uid %d' % uid


class SecretFile(object):

    def __init__(self, module, path, option='secret_path', params=None, where=''):
        # params: the file options (mode, owner, ...), the module's unless a set item has its own;
        # where: how a message names the item ('config[2]: ').
        self.module = module
        self.params = module.params if params is None else params
        self.where = where
        self.path = path
        self.option = option
        self.folder = os.path.dirname(os.path.abspath(path)) if path else ''
        self.unwritable = None  # why an existing file cannot be written, when the task may still just keep it
        self._check()
        self._check_file_options()

    # ----- checks, before any request ------------------------------------------------------
    def _refuse(self, msg):
        self.module.fail(self.where + msg)

    def _fail(self, rule):
        self._refuse('%s %s: %s.' % (self.option, self.path, rule))

    def _check(self):
        if not self.path:
            self._refuse('%s is empty: give the file to write the secret to, or leave the option out (the '
                         'secret is then returned).' % self.option)
        if not os.path.isabs(self.path):  # it would land relative to whatever folder the module runs in
            self._fail('must be an absolute path (as /etc/myapp/secret or ~/secret)')
        if self.path.endswith(os.sep):
            self._fail('names a folder (it ends with %s); give the file to write the secret to' % os.sep)
        if not os.path.isdir(self.folder):
            self._fail('the folder %s does not exist or is not a folder; create it first' % self.folder)
        try:
            longest = os.pathconf(self.folder, 'PC_NAME_MAX')
        except (OSError, ValueError):
            longest = 255
        if len(os.path.basename(self.path).encode('utf-8')) > longest - len(PREFIX) - 8:
            self._fail('the file name is longer than this file system allows (%d bytes)' % (longest - len(PREFIX) - 8))
        if os.path.lexists(self.path) and not os.path.islink(self.path) and not os.path.isfile(self.path):
            self._fail('exists and is not a regular file (a folder, fifo, socket or device)')
        self._check_sticky_folder()
        self._check_existing()
        if self.module.check_mode:
            if not os.access(self.folder, os.W_OK | os.X_OK):
                self._fail('the folder %s is not writable by this user' % self.folder)
            return
        try:  # the real check: os.access says yes to root even on a read-only mount
            fd, probe = tempfile.mkstemp(dir=self.folder, prefix=PREFIX)
            os.close(fd)
            os.remove(probe)
        except (IOError, OSError) as exc:
            self._fail('the folder %s is not writable by this user (%s)' % (self.folder, exc.strerror))

    def _check_sticky_folder(self):
        """In a sticky folder (as /tmp) only the owner of a file, of the folder, or root may replace it."""
        try:
            info, folder = os.lstat(self.path), os.stat(self.folder)
        except OSError:
            return
        me = os.geteuid()
        if folder.st_mode & stat.S_ISVTX and me not in (0, info.st_uid, folder.st_uid):
            self._fail('exists and belongs to %s, in a folder with the sticky bit (as /tmp), so this user cannot '
                       'replace it; remove it or choose another path' % _user_name(info.st_uid))

    def _check_existing(self):
        """An existing file that the write could not replace, or (unsafe_writes) that a write in
        place would hand the secret to."""
        try:
            info = os.lstat(self.path)
        except OSError:
            return
        unsafe = bool(self.params.get('unsafe_writes'))
        if unsafe and not _single_file(info, (os.geteuid(),)):
            # ansible-core writes in place into the file when the rename fails: it would keep its owner,
            # and a hard link's other name or a link's target would get the secret.
            self._fail('with unsafe_writes, an existing file is written in place when a rename fails, so it must be '
                       'a regular file with a single link, owned by this user (%s); this one is %s. Remove it, or '
                       'leave unsafe_writes out' % (_user_name(os.geteuid()), self._what_it_is(info)))
        if not stat.S_ISREG(info.st_mode):
            return  # a link is replaced, its target left alone
        if not unsafe and _is_mount_point(self.path):
            self._fail('is a mount point (a bind-mounted file), which a rename cannot replace; set unsafe_writes: '
                       'true to write into it in place, or point %s at a path that is not a mount point' % self.option)
        self.unwritable = None
        try:  # opening for writing, without truncating or writing, is refused to an immutable or append-only file
            os.close(os.open(self.path, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, 'O_NOCTTY', 0)))
        except OSError as exc:
            if exc.errno == errno.EPERM:
                self.unwritable = ('is immutable or append-only (chattr +i or +a; lsattr shows it), so it cannot be '
                                   'replaced; remove the attribute first (chattr -i -a)')
        if self.unwritable and not self._keeps_own_attribute(info):
            self._fail(self.unwritable)

    def _keeps_own_attribute(self, info):
        """This user's file that the task itself makes immutable or append-only (attributes: '+i'): a run
        that only applies the file options still works; one that must write it is refused (writable())."""
        attributes = self.params.get('attributes') or ''
        return (_single_file(info, (os.geteuid(),)) and not attributes.startswith('-')
                and ('i' in attributes or 'a' in attributes))

    def writable(self):
        """Fails the task now, before any request, when the file must be written and cannot be."""
        problem = self.cannot_write()
        if problem:
            self.module.fail(problem)

    def cannot_write(self):
        """Why the file could not take a new secret (writable() as a message), or None."""
        return '%s%s %s: %s.' % (self.where, self.option, self.path, self.unwritable) if self.unwritable else None

    @staticmethod
    def _what_it_is(info):
        if stat.S_ISLNK(info.st_mode):
            return 'a link'
        if not stat.S_ISREG(info.st_mode):
            return 'not a regular file'
        if info.st_nlink != 1:
            return 'a file with %d hard links' % info.st_nlink
        return 'owned by %s' % _user_name(info.st_uid)

    def _check_file_options(self):
        """mode, owner, group and attributes as ansible-core's helpers would apply them, refused now
        rather than after the secret was created or rotated."""
        p = self.params
        self.mode = self._mode(p.get('mode'))
        me = os.geteuid()
        self.owner_uid = None
        if p.get('owner') is not None:
            uid = self.owner_uid = self._id_of('owner', p['owner'], lambda name: pwd.getpwnam(name).pw_uid, 'user')
            if me != 0 and uid != me:
                self._refuse('owner %s: only root can give a file to another user, and this module runs as %s. '
                             'Leave owner out (the file is then yours), or run the task as root (become).'
                             % (p['owner'], _user_name(me)))
        if p.get('group') is not None:
            gid = self._id_of('group', p['group'], lambda name: grp.getgrnam(name).gr_gid, 'group')
            if me != 0 and gid != os.getegid() and gid not in os.getgroups():
                self._refuse('group %s: this module runs as %s, who is not a member of it, and only root can give '
                             'a file to a group its user is not in.' % (p['group'], _user_name(me)))
        attributes = p.get('attributes')
        if attributes is not None and not ATTRIBUTES_RE.match(attributes):
            self._refuse('attributes %r: chattr takes an optional +, - or = and then letters of aAcCdDeFijmPsStTux.'
                         % attributes)

    def _id_of(self, option, value, lookup, kind):
        """A numeric value is an id, as for chown and ansible-core; a name must exist on this host."""
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is not None:
            if not 0 <= number <= LAST_ID:
                self._refuse('%s %s: a numeric %s id must be 0 to %d (chown reads 4294967295 as "no change").'
                             % (option, value, kind, LAST_ID))
            return number
        try:
            return lookup(value)
        except KeyError:
            self._refuse('%s %s: no %s of that name on the host the module runs on; the secret file could not '
                         'be given to it.' % (option, value, kind))

    def _mode(self, mode):
        """The user's mode, checked with ansible-core's own parsing (octal, or symbolic through
        AnsibleModule._symbolic_mode_to_octal); kept as given, so that a symbolic mode applies to the
        file as ansible-core applies it. 0600 when none is given."""
        self.mode_bits = DEFAULT_MODE
        if mode is None:
            return DEFAULT_MODE
        value = None
        if isinstance(mode, int) and not isinstance(mode, bool):
            value = mode
        elif isinstance(mode, str):
            try:
                value = int(mode, 8)
            except ValueError:
                sample = os.stat_result((stat.S_IFREG | DEFAULT_MODE,) + (0,) * 9)
                try:
                    value = AnsibleModule._symbolic_mode_to_octal(sample, mode)  # pylint: disable=protected-access
                except Exception:  # pylint: disable=broad-except
                    value = None
        if value is None or value < 0 or value & ~0o777:  # no setuid, setgid or sticky bit on a secret
            hint = ''
            if isinstance(mode, int) and re.match(r'[0-7]{3}\Z', '%d' % mode):
                hint = ' An unquoted %d is the decimal number %d (octal %04o): quote it: mode: \'0%d\'.' % (
                    mode, mode, mode, mode)
            self._refuse('mode %r must be an octal mode such as \'0600\' (quoted) or a symbolic one such as '
                         'u=rw,g=r, with permission bits only (no setuid, setgid or sticky bit).%s' % (mode, hint))
        self.mode_bits = value
        return mode

    # ----- the file --------------------------------------------------------------------------
    def is_link(self):
        """A link that leads to something: left alone, with a warning (enforce)."""
        return os.path.islink(self.path) and os.path.exists(self.path)

    def is_ours(self):
        """Whether the path is the secret file this module keeps: a regular file (not a link) with a
        single link, owned by this user or by the owner asked for. Anything else (a file planted by
        another user, a hard link to some other file) is replaced by a fresh write, never adopted."""
        try:
            info = os.lstat(self.path)
        except OSError:
            return False
        return _single_file(info, (os.geteuid(), self.owner_uid))

    def holds(self, secret):
        """Whether the path already is the secret file (is_ours) holding ``secret``; reads at most a
        little more than the secret."""
        if not self.is_ours():
            return False
        wanted = secret.encode('utf-8')
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, 'O_NOCTTY', 0))
        except (IOError, OSError):
            return False
        try:
            content, left = b'', len(wanted) + SLACK
            while left > 0:
                chunk = os.read(fd, left)
                if not chunk:
                    break
                content, left = content + chunk, left - len(chunk)
            return content == wanted
        except (IOError, OSError):
            return False
        finally:
            os.close(fd)

    def write(self, secret):
        """Put ``secret`` in place with the file options; True when anything changed (in check mode:
        would change). A file that already holds it is kept, and only its file options are applied.
        Raises SecretFileError."""
        if self.holds(secret):
            return self.enforce()
        if self.module.check_mode:
            return True
        if self.unwritable:
            raise SecretFileError('%s %s: %s.' % (self.option, self.path, self.unwritable))
        self._replace(secret)
        self.enforce(written=True)
        return True

    def enforce(self, written=False):
        """Apply mode (0600 unless given), owner, group, SELinux context and attributes to the file as
        it is; True when any differed (in check mode: reported, not done). Raises SecretFileError."""
        if os.path.islink(self.path):
            self.module.warn('%s %s is a link: the module never follows one, so it leaves the link and its target '
                             'alone and applies no mode, owner or group. Set %s to the file itself.'
                             % (self.option, self.path, self.option))
            return False
        args = self.module.load_file_common_arguments(self.params, path=self.path)
        args.update(path=self.path, mode=self.mode)
        try:
            with self._helpers_raise():
                return self.module.set_fs_attributes_if_different(args, False, expand=False)
        except Exception as exc:  # pylint: disable=broad-except
            raise SecretFileError('%s %s: %sits mode, owner, group or attributes could not be set (%s).'
                                  % (self.option, self.path, 'the secret is in the file, but ' if written else '',
                                     _reason(exc)), written=written)

    def _replace(self, secret):
        tmp, problem = None, None
        unsafe = bool(self.params.get('unsafe_writes'))
        _WRITING.acquire()
        umask = os.umask(0o077)  # atomic_move gives a file it creates 0666 & ~umask: 0600, never 0644
        try:
            with self._helpers_raise():
                fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=PREFIX)  # 0600, this user's
                with os.fdopen(fd, 'w') as handle:
                    handle.write(secret)
                    handle.flush()
                    os.fsync(handle.fileno())
                self._make_way(legacy=not KEEPS_DEST_ATTRS, unsafe=unsafe)
                if KEEPS_DEST_ATTRS:
                    self.module.atomic_move(tmp, self.path, unsafe_writes=unsafe, keep_dest_attrs=False)
                else:
                    self.module.atomic_move(tmp, self.path, unsafe_writes=unsafe)
        except Exception as exc:  # pylint: disable=broad-except
            problem = exc  # ansible-core 2.17+ raises a bare Exception when the move fails
        finally:
            os.umask(umask)
            _WRITING.release()
            if tmp and os.path.lexists(tmp):  # moved, it is gone; left by a failure, it goes now
                os.remove(tmp)
        if problem is not None:
            raise SecretFileError('%s %s: could not be written (%s).' % (self.option, self.path, _reason(problem)))

    def _make_way(self, legacy, unsafe):
        """What the helpers would carry over from the file being replaced must not widen the secret:
        on 2.16 atomic_move copies its mode (and, as root, its owner) onto the new file, and an unsafe
        write goes into it in place. This user's own file is narrowed to its owner (it holds at most
        an old secret); on 2.16 a link or another user's file is removed first."""
        if not (legacy or unsafe):
            return
        try:
            info = os.lstat(self.path)
        except OSError:
            return
        if _single_file(info, (os.geteuid(),)):
            # 0600, or the mode asked for where it is narrower; the owner keeps write for the write in place
            narrow = (self.mode_bits & 0o600) | 0o200
            if stat.S_IMODE(info.st_mode) != narrow:
                os.chmod(self.path, narrow)
        elif unsafe:  # checked before any request: it changed since
            raise SecretFileError('%s %s: %s' % (self.option, self.path, 'was replaced by %s while the module ran; with '
                                                 'unsafe_writes it is not written in place' % self._what_it_is(info)))
        elif os.path.exists(self.path) or info.st_nlink != 1:  # a hard link: chmod would reach its other names
            os.unlink(self.path)

    @contextmanager
    def _helpers_raise(self):
        """While ansible-core's helpers run, their fail_json raises (they would exit with their own
        wording, which names temp files); the caller says what failed, naming the option."""
        module = self.module

        def refuse(msg, **kwargs):
            raise _HelperFailed(('%s %s' % (msg, kwargs.get('details') or '')).strip(), sys.exc_info()[1])
        with _WRITING:
            saved = module.__dict__.get('fail_json')
            module.fail_json = refuse
            try:
                yield
            finally:
                if saved is None:
                    del module.fail_json
                else:
                    module.fail_json = saved
