# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A file that receives a client secret on the host the module runs on.

Private to this collection: it may change in any release. Everything that could stop the
write is checked when the object is made, before any request, so that no secret is ever
rotated or created that cannot be kept. The secret goes to a new 0600 file of the running
user beside the target, which then replaces the target with one rename: never a moment
when the path holds half a secret, or a file another user owns or can read. (AnsibleModule's
atomic_move keeps the owner and mode of the file it replaces, which for a secret is the
wrong way round, so it is not used here.)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import tempfile

PREFIX = '.docspace-secret-'


class SecretFile(object):

    def __init__(self, module, path, option='secret_path'):
        self.module = module
        self.path = path
        self.option = option
        self.folder = os.path.dirname(os.path.abspath(path)) if path else ''
        self._check()

    def _fail(self, rule):
        self.module.fail('%s %s: %s.' % (self.option, self.path, rule))

    def _check(self):
        if not self.path:
            self.module.fail('%s is empty: give the file to write the secret to, or leave the option out (the '
                             'secret is then returned).' % self.option)
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

    def holds(self, secret):
        """Whether the path already is this user's regular 0600 file holding ``secret``."""
        try:
            info = os.lstat(self.path)
            if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o777 != 0o600 or info.st_uid != os.geteuid():
                return False
            with open(self.path) as handle:
                return handle.read() == secret
        except (IOError, OSError, ValueError):
            return False

    def write(self, secret):
        """Put ``secret`` in place; True when the file changed (in check mode: would change)."""
        if self.holds(secret):
            return False
        if self.module.check_mode:
            return True
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=PREFIX)  # 0600, this user's
            with os.fdopen(fd, 'w') as handle:
                handle.write(secret)
                handle.flush()
                os.fsync(handle.fileno())
            os.rename(tmp, self.path)  # replaces a link itself, never its target
            tmp = None
        except (IOError, OSError) as exc:
            self._fail('could not be written (%s)' % (exc.strerror or exc))
        finally:
            if tmp and os.path.lexists(tmp):
                os.remove(tmp)
        return True
