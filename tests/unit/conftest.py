# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared fixtures: an in-process emulator, and a way to run a module and read its result."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import errno
import json
import os
import sys

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.common.parameters import PASS_VARS

try:
    from ansible.module_utils.testing import patch_module_args  # ansible-core 2.19+
except ImportError:  # ansible-core 2.16 to 2.18: no serialization profiles, the args are plain JSON
    @contextlib.contextmanager
    def patch_module_args(args):
        """Expose args to AnsibleModule instances created within this context, as 2.19's helper does."""
        payload = json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode('utf-8')
        saved = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
        basic._ANSIBLE_ARGS = payload  # pylint: disable=protected-access
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved  # pylint: disable=protected-access

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'emulator'))
import docspace_emulator  # noqa: E402  pylint: disable=wrong-import-position

ADMIN_KEY = 'sk-unit-admin-key-0123456789'


class Running(object):
    def __init__(self, emulator, url):
        self.emulator = emulator
        self.url = url

    def writes(self):
        """Write requests that reached the client store since the last clear."""
        return [r for r in self.emulator.requests if r['method'] != 'GET' and '/clients' in r['path']]

    def clear(self):
        self.emulator.requests = []

    def connection(self, **extra):
        return dict(dict(base_url=self.url, api_key=ADMIN_KEY, retries=2), **extra)


@pytest.fixture
def portal():
    emulator = docspace_emulator.Emulator(admin_api_key=ADMIN_KEY)
    with docspace_emulator.running(emulator) as url:
        yield Running(emulator, url)


def _runner(capsys):
    def run(module, args, check_mode=False, diff=False):
        # Warnings live in a process-wide registry: start each run with none, as a real one does.
        ansible_warnings._global_warnings.clear()  # pylint: disable=protected-access
        ansible_warnings._global_deprecations.clear()  # pylint: disable=protected-access
        args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        # Internal args newer than the running core (_ansible_tracebacks_for: 2.20, _ansible_inject_invocation:
        # 2.21) are left out, as the controller of that core would: older cores refuse them as unsupported.
        # Without them the invocation is always returned, and a traceback follows _ansible_verbosity/_debug.
        args = dict((k, v) for k, v in args.items() if not k.startswith('_ansible_') or k[len('_ansible_'):] in PASS_VARS)
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
        result = json.loads(capsys.readouterr().out)
        # ansible-core 2.19+ sends warnings as summaries; tests read their text.
        result['warnings'] = [w['event']['msg'] if isinstance(w, dict) and 'event' in w else w
                              for w in result.get('warnings', [])]
        return result
    return run


@pytest.fixture
def run_module(capsys, monkeypatch):
    """Run a module's main() with args; return its JSON result (failed results included)."""
    monkeypatch.setattr('time.sleep', lambda seconds: None)  # retries wait in real runs only
    return _runner(capsys)


@pytest.fixture
def run_module_in_real_time(capsys):
    """As run_module, but retries really wait (for timeouts and slow answers)."""
    return _runner(capsys)


@pytest.fixture
def break_local_write(monkeypatch):
    """break_local_write(name) makes the module's next local file write fail: 'the rename fails' or
    'the disk is full' (every write to a file opened from a descriptor raises ENOSPC)."""
    def rename_fails():
        def busy(src, dest, *args, **kwargs):
            raise OSError(errno.EBUSY, 'Device or resource busy')
        monkeypatch.setattr(os, 'rename', busy)

    def disk_full():
        real = os.fdopen

        class Full(object):
            def __init__(self, handle):
                self.handle = handle

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

            def write(self, text):
                raise OSError(errno.ENOSPC, 'No space left on device')
        monkeypatch.setattr(os, 'fdopen', lambda fd, *a, **k: Full(real(fd, *a, **k)))

    failures = {'the rename fails': rename_fails, 'the disk is full': disk_full}
    return lambda name: failures[name]()
