# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module runs as their own processes: what a task does, and the only way to run two at once or kill one.

AnsibleModule reads its arguments from the file named by argv[1]; stdout is the JSON result.
"""

import json
import os
import signal
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
COLLECTIONS = os.path.join(ROOT, '.build', 'collections')
PACKAGE = 'ansible_collections.onlyoffice.docspace.plugins.modules.'
MODULES = {'client': 'docspace_oauth_client', 'absent': 'docspace_oauth_client', 'rotate': 'docspace_oauth_secret',
           'read': 'docspace_oauth_secret', 'info': 'docspace_oauth_client_info'}
HANG = 40.0  # seconds: a run still going then is hung (its retries cannot add up to this)


def environment():
    """No proxy (every request goes to 127.0.0.1) and no DOCSPACE_* setting from the caller's shell."""
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith('DOCSPACE_') and not k.lower().endswith('_proxy'))
    env.update(PYTHONPATH=COLLECTIONS, NO_PROXY='*', no_proxy='*', PYTHONDONTWRITEBYTECODE='1')
    return env


class Process(object):
    """One module run: started at once, then ``finish``ed (or killed)."""

    def __init__(self, module, args, workdir, tag):
        self.tag = tag
        path = os.path.join(workdir, '%s.args.json' % tag)
        with open(path, 'w') as handle:
            json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
        self.out_path, self.err_path = path[:-10] + '.out', path[:-10] + '.err'
        self.started = time.time()
        with open(self.out_path, 'wb') as out, open(self.err_path, 'wb') as err:
            self.proc = subprocess.Popen([sys.executable, '-m', PACKAGE + MODULES[module], path], cwd=workdir,
                                         stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=environment())
        self.killed = self.hung = False

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)  # this run only, by its pid
            self.killed = True

    def finish(self):
        """Wait for the run; returns its record: stdout, stderr, rc, result (parsed JSON or None)."""
        try:
            self.proc.wait(timeout=max(0.1, HANG - (time.time() - self.started)))
        except subprocess.TimeoutExpired:
            self.hung = True
            self.kill()
            self.proc.wait()
        self.ended = time.time()
        with open(self.out_path, 'rb') as out, open(self.err_path, 'rb') as err:
            stdout, stderr = out.read().decode('utf-8', 'replace'), err.read().decode('utf-8', 'replace')
        try:
            result = json.loads(stdout)
        except ValueError:
            result = None
        return {'tag': self.tag, 'rc': self.proc.returncode, 'stdout': stdout, 'stderr': stderr,
                'result': result if isinstance(result, dict) else None, 'killed': self.killed and not self.hung,
                'hung': self.hung, 'started': self.started, 'ended': self.ended}
