# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fuzzer's two servers: the emulator with two extra records, and a capture server.

The emulator runs in this process (a thread), so the harness can keep what no control call
gives: the plain value of every credential handed out (to find it in any output, escaped or
not) and every request the emulator really processed, named by the User-Agent of the module
run that sent it (each run gets its own ``http_agent``), so commits are counted per run.
"""

import contextlib
import inspect
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'emulator'))
import docspace_emulator  # noqa: E402  pylint: disable=wrong-import-position

ADMIN_KEY = 'sk-fuzz-admin-key-6c1f0e2a9b7d4e3f'
WRITES = ('POST', 'PUT', 'PATCH', 'DELETE')


class RecordingEmulator(docspace_emulator.Emulator):

    def __init__(self, **kwargs):
        self.plain = set()  # every client secret, x-signature and login token handed out
        self.commits = []   # every request processed: {'ua', 'method', 'path', 'status', 't'}
        super().__init__(**kwargs)

    def remember(self, kind, value):
        super().remember(kind, value)
        self.plain.add(value)

    def handle(self, method, path, query, headers, *rest, **kwargs):
        # Called only for a request the emulator processes (a status/drop fault answers before it).
        answer = super().handle(method, path, query, headers, *rest, **kwargs)
        with self.lock:
            self.commits.append({'ua': headers.get('user-agent', ''), 'method': method, 'path': path,
                                 'status': answer[0], 't': time.time()})
        return answer

    def snapshot(self):
        """The stored clients, copied under the lock (secrets as SHA-256, as the control API gives)."""
        with self.lock:
            status, rows = self.control('GET', '/__emulator__/clients', b'')
        return json.loads(json.dumps(rows))


@contextlib.contextmanager
def serving(emulator):
    """The emulator on 127.0.0.1, from a thread; yields its URL. Runs that time out or are killed hang up
    on it all the time: a broken pipe is no error here (socketserver would print each one)."""
    server = docspace_emulator.build_server(emulator)
    base = server.handle_error

    def handle_error(request, address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            base(request, address)
    server.handle_error = handle_error
    threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.02}, daemon=True).start()
    try:
        yield 'http://127.0.0.1:%d' % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def supported_actions():
    """The fault actions this emulator implements (some were added while the fuzzer was written).

    An in-process fault bypasses the control API's check, and the handler treats an unknown action as
    no fault at all, so a kind it does not know would be counted as injected while nothing happened.
    """
    if hasattr(docspace_emulator, 'FAULT_ACTIONS'):
        return set(docspace_emulator.FAULT_ACTIONS)
    source = inspect.getsource(docspace_emulator.Handler)
    return set(a for a in ('status', 'drop', 'delay', 'slow_answer', 'commit_then_drop', 'commit_then_status')
               if a == 'status' or "'%s'" % a in source)


class Capture(object):
    """Another origin on 127.0.0.1: records every request a redirect brought to it.

    ``/r/200`` answers 200 '{}' (an origin you do not control may answer anything), others 404.
    """

    def __init__(self):
        self.requests = []
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _any(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else b''
                capture.requests.append({'method': self.command, 'path': self.path, 'headers': dict(self.headers),
                                         'body': body.decode('utf-8', 'replace'), 't': time.time()})
                payload = b'{}' if self.path.startswith('/r/200') else b''
                self.send_response(200 if payload else 404)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _any

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
