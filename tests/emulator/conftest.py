# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The target of the emulator's HTTP-level tests, and the differential report of what it answered.

By default the ``portal`` fixture is an in-process emulator. With DOCSPACE_LIVE_URL (the live guard of
tests/live/guard.py, on 127.0.0.1) it is a live portal behind the guard: keys from DOCSPACE_API_KEY (admin),
DOCSPACE_USER_API_KEY and DOCSPACE_GUEST_API_KEY, the admin's login from DOCSPACE_USERNAME and
DOCSPACE_PASSWORD (the optional ones skip the tests that need them), and the tests marked emulator_only
are skipped. Either way every exchange of a test through the portal's session is recorded (differential.py)
and compared with what the emulator answers (expected_answers.json); the report goes to
DOCSPACE_DIFF_REPORTS (default .build/reports of the repository) as differential-<emulator|live>.json/.md.
On the emulator any difference fails the run; DOCSPACE_RECORD_EXPECTATIONS=1 re-records instead.
"""

import base64
import contextlib
import json
import os
import sys
import time
from urllib.parse import urlsplit

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import differential  # noqa: E402  pylint: disable=wrong-import-position
import docspace_emulator as emu  # noqa: E402  pylint: disable=wrong-import-position

REPO = os.path.dirname(os.path.dirname(HERE))
LIVE_URL = (os.environ.get('DOCSPACE_LIVE_URL') or '').rstrip('/')
RECORD = os.environ.get('DOCSPACE_RECORD_EXPECTATIONS') == '1'
TARGET = 'live' if LIVE_URL else 'emulator'
KEY_VARS = {'admin': 'DOCSPACE_API_KEY', 'user': 'DOCSPACE_USER_API_KEY', 'guest': 'DOCSPACE_GUEST_API_KEY'}
EMULATOR_ONLY = 'emulator only'
LIVE_RETRIES = 5  # 429s in a row before the answer is left to the test
JWT_RENEW = 180  # seconds: an x-signature lasts 300, and a live test may wait out a rate limit or two

LOGO = 'data:image/png;base64,' + base64.b64encode(b'\x89PNG\r\n\x1a\n' + b'x' * 40).decode()
APP = {
    'name': 'Reporting', 'description': 'reports', 'logo': LOGO,
    'website_url': 'https://app.example.com', 'terms_url': 'https://app.example.com/terms',
    'policy_url': 'https://app.example.com/privacy', 'logout_redirect_uri': 'https://app.example.com/logout',
    'redirect_uris': ['https://app.example.com/cb', 'http://localhost:3000/cb'],
    'allowed_origins': ['https://app.example.com'], 'scopes': ['files:read', 'openid'],
}

RECORDER = differential.Recorder()
OUTCOMES = {}  # test key -> passed, failed, skipped, emulator-only
EMULATOR_ONLY_RUN = set()  # emulator_only tests (run on the emulator, never compared)
COLLECTED = set()  # every test collected, before -k or -m deselect some
FAILURES = {}  # test key -> the first line of its failure
OBSERVED_ELSEWHERE = {}  # what pytest-xdist workers recorded
RESULT = {}  # the report of this run and where it went, for the terminal summary


def claims(token):
    payload = token.split('.')[1]
    return json.loads(base64.urlsafe_b64decode(payload + '=' * (-len(payload) % 4)))


class Session(requests.Session):
    """A requests session that records every exchange of the running test. On a live target it also waits
    out a 429 and sends again (the 429 is reported as throttled), and skips the test when the live guard
    did not send a request or refused it (reported apart: the portal never answered it)."""

    def __init__(self, live=False):
        super(Session, self).__init__()
        self.live = live
        self.created = []  # client ids this session saw created, for a live test's cleanup

    def request(self, method, url, *args, **kwargs):  # pylint: disable=arguments-differ
        for attempt in range(LIVE_RETRIES + 1):
            resp = super(Session, self).request(method, url, *args, **kwargs)
            throttled = self.live and resp.status_code == 429 and attempt < LIVE_RETRIES
            record = RECORDER.record(resp, kind='throttled' if throttled else None)
            if not throttled:
                break
            time.sleep(differential.wait_after_429(resp.headers))
        if method.upper() == 'POST' and urlsplit(url).path.rstrip('/').endswith('/clients') and resp.ok:
            try:
                self.created.append(resp.json()['client_id'])
            except (ValueError, KeyError, TypeError):
                pass
        if self.live and record and record.get('kind') in ('not-sent', 'refused'):
            try:
                why = resp.json().get('error')
            except (ValueError, AttributeError):
                why = resp.text[:200]
            pytest.skip('live guard: %s %s %s: %s' % (record['kind'], method.upper(), urlsplit(url).path, why))
        return resp


class Portal(object):
    """The target of a test: the emulator (``emulator`` is the Emulator object) or a live portal behind
    the guard (``emulator`` is None, ``keys`` maps a role to its API key)."""

    def __init__(self, emulator, url, keys=None):
        self.emulator = emulator
        self.url = url
        self.live = emulator is None
        self.keys = keys or {}
        self.http = Session(live=self.live)
        self._jwt = {}

    def key(self, role):
        if not self.live:
            return self.emulator.credentials()[role]['api_key']
        if not self.keys.get(role):
            pytest.skip('needs %s (an API key of a %s of the live portal)' % (KEY_VARS[role], role.upper()))
        return self.keys[role]

    def login_credentials(self):
        """The admin's user name and password."""
        if not self.live:
            admin = self.emulator.credentials()['admin']
            return admin['user_name'], admin['password']
        name, password = os.environ.get('DOCSPACE_USERNAME'), os.environ.get('DOCSPACE_PASSWORD')
        if not (name and password):
            pytest.skip("needs DOCSPACE_USERNAME and DOCSPACE_PASSWORD (the live portal admin's login)")
        return name, password

    def _exchange(self, role):
        resp = self.http.get(self.url + '/api/2.0/security/oauth2/token',
                             headers={'Authorization': 'Bearer ' + self.key(role)}, timeout=30)
        assert resp.status_code == 200, resp.status_code
        return resp.json()['response']

    def jwt(self, role='admin'):
        token, issued = self._jwt.get(role, (None, 0))
        if token is None:
            token = self._exchange(role)
        elif self.live and time.time() - issued > JWT_RENEW:
            with paused():  # a renewal the emulator run did not need: not part of the comparison
                token = self._exchange(role)
        else:
            return token
        self._jwt[role] = (token, time.time())
        return token

    def identity(self, role='admin'):
        """Who the role is, from its x-signature: user_id, email, tenant (a live portal's are its own)."""
        c = claims(self.jwt(role))
        return {'user_id': c['user_id'], 'email': c['user_email'], 'tenant': int(c['tenant_id'])}

    def call(self, method, path, role='admin', body=None, **kwargs):
        headers = kwargs.pop('headers', {})
        if role:
            headers['x-signature'] = self.jwt(role)
        return self.http.request(method, self.url + path, json=body, headers=headers, timeout=30, **kwargs)

    def create(self, role='admin', **fields):
        resp = self.call('POST', '/api/2.0/clients', role, dict(APP, **fields))
        assert resp.status_code == 201, resp.text
        return resp.json()

    def cleanup(self):
        """Deletes what the test created on a live portal (the guard would too, at the end of the run)."""
        left = []
        with paused():
            for client_id in dict.fromkeys(reversed(self.http.created)):
                try:
                    resp = self.call('DELETE', '/api/2.0/clients/' + client_id)
                except requests.RequestException:
                    left.append(client_id)
                    continue
                if resp.status_code not in (200, 404):
                    left.append(client_id)
        assert not left, 'clients left on the live portal (the guard removes them at the end): %s' % left


@contextlib.contextmanager
def paused():
    RECORDER.paused += 1
    try:
        yield
    finally:
        RECORDER.paused -= 1


@pytest.fixture
def portal():
    if LIVE_URL:
        target = Portal(None, LIVE_URL, keys=dict((role, os.environ.get(var)) for role, var in KEY_VARS.items()))
        try:
            yield target
        finally:
            target.cleanup()
    else:
        emulator = emu.Emulator(admin_api_key='sk-admin-key')
        with emu.running(emulator) as url:
            yield Portal(emulator, url)


# ----- pytest hooks ---------------------------------------------------------------------------
def pytest_configure(config):
    config.addinivalue_line('markers', 'emulator_only(reason): needs the emulator itself (its object, control '
                                       'API, faults, knobs, restarts); skipped against a live portal')
    if LIVE_URL:
        host = urlsplit(LIVE_URL).hostname
        if host not in ('127.0.0.1', 'localhost', '::1'):
            raise pytest.UsageError('DOCSPACE_LIVE_URL must be the live guard on 127.0.0.1 (tests/live/guard.py), '
                                    'never the portal itself: %s' % LIVE_URL)
        if not os.environ.get('DOCSPACE_API_KEY'):
            raise pytest.UsageError('DOCSPACE_LIVE_URL needs DOCSPACE_API_KEY, an API key of a DocSpace admin')
        if RECORD:
            raise pytest.UsageError('DOCSPACE_RECORD_EXPECTATIONS records what the emulator answers: '
                                    'unset DOCSPACE_LIVE_URL')


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    COLLECTED.update(differential.key_of(item.nodeid) for item in items)
    if not LIVE_URL:
        return
    for item in items:
        marker = item.get_closest_marker('emulator_only')
        if marker is not None:
            reason = marker.args[0] if marker.args else 'needs the emulator itself'
            item.add_marker(pytest.mark.skip(reason='%s: %s' % (EMULATOR_ONLY, reason)))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    # Only the tests that can run on both targets are compared (and recorded).
    if item.get_closest_marker('emulator_only') is None:
        RECORDER.start(differential.key_of(item.nodeid))
    try:
        yield
    finally:
        RECORDER.stop()


def pytest_runtest_logreport(report):
    key = differential.key_of(report.nodeid)
    if 'emulator_only' in report.keywords:
        EMULATOR_ONLY_RUN.add(key)
    if report.failed:
        OUTCOMES[key] = 'failed'
        crash = getattr(getattr(report.longrepr, 'reprcrash', None), 'message', None)
        text = crash or (report.longreprtext or '').strip()
        FAILURES.setdefault(key, (text.splitlines() or [''])[0][:300])
    elif report.skipped and OUTCOMES.get(key) != 'failed':
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        OUTCOMES[key] = 'emulator-only' if EMULATOR_ONLY + ':' in reason else 'skipped'
    elif report.when == 'call' and report.passed and key not in OUTCOMES:
        OUTCOMES[key] = 'passed'


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):  # pylint: disable=unused-argument
    """pytest-xdist: the exchanges a worker recorded."""
    for key, records in json.loads(getattr(node, 'workeroutput', {}).get('differential', '{}')).items():
        OBSERVED_ELSEWHERE.setdefault(key, []).extend(records)


def pytest_sessionfinish(session, exitstatus):  # pylint: disable=unused-argument
    config = session.config
    if hasattr(config, 'workerinput'):  # an xdist worker: the controller reports
        config.workeroutput['differential'] = json.dumps(RECORDER.observed)
        return
    if config.option.collectonly or not OUTCOMES:
        return
    observed = dict(RECORDER.observed)
    observed.update(OBSERVED_ELSEWHERE)
    # Only the tests this run made: emulator-only tests are neither recorded nor compared.
    observed = dict((k, v) for k, v in observed.items() if OUTCOMES.get(k) in ('passed', 'failed', 'skipped'))
    expected = differential.load_expectations()
    report = differential.build_report(TARGET, expected, observed, OUTCOMES, FAILURES, recorded=RECORD,
                                       emulator_only_run=len(EMULATOR_ONLY_RUN - set(
                                           k for k, v in OUTCOMES.items() if v == 'emulator-only')))
    directory = os.environ.get('DOCSPACE_DIFF_REPORTS') or os.path.join(REPO, '.build', 'reports')
    RESULT.update(report=report, path=differential.write_report(report, directory))
    counts = report['counts']
    if RECORD:
        if counts['tests_failed'] or not observed:
            RESULT['note'] = 'expectations NOT re-recorded: %d tests failed, %d recorded' % (
                counts['tests_failed'], len(observed))
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            return
        # Tests that ran replace their entries; the others are kept, but for those of a test that is gone (not
        # collected from a file that was: renamed, removed).
        files = set(k.split('::')[0] for k in COLLECTED)
        whole = not any('::' in arg for arg in config.args)
        tests = dict((k, v) for k, v in expected.items()
                     if k not in OUTCOMES and not (whole and COLLECTED and k.split('::')[0] in files
                                                   and k not in COLLECTED))
        tests.update((k, v) for k, v in observed.items() if OUTCOMES.get(k) == 'passed')
        differential.dump_expectations(tests)
        RESULT['note'] = 're-recorded %s: %d tests, %d exchanges' % (
            os.path.relpath(differential.EXPECTATIONS, REPO), sum(1 for v in tests.values() if v),
            sum(len(v) for v in tests.values()))
        return
    # On the emulator, a difference means expected_answers.json is stale (make expectations) or the emulator
    # changed; on a live portal the differences are the product, and a non-zero exit says there are some.
    failed = counts['differences'] or (TARGET == 'emulator' and counts['without_expectation'])
    if failed:
        RESULT['note'] = ('FAILED: the emulator does not answer as tests/emulator/expected_answers.json says: '
                          're-record it (make expectations) if the change is intended' if TARGET == 'emulator' else
                          'the live portal answers differently from the emulator: see the report')
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if not RESULT:
        return
    report, counts = RESULT['report'], RESULT['report']['counts']
    write = terminalreporter.write_line
    lines = differential.first_differences(report)
    if lines:
        write('differential: first differences (all of them in the report):')
        for line in lines:
            write('  ' + line)
    if RESULT.get('note'):
        write('differential: ' + RESULT['note'])
    write('differential (%s): %d tests run (%d emulator-only, not compared), %d skipped as emulator-only, %d exchanges '
          'compared, %d differences, %d not sent, %d refused, %d throttled, %d without an expectation; report: %s' % (
              report['target'], counts['tests_run'], counts['tests_emulator_only_run'],
              counts['tests_skipped_emulator_only'],
              counts['compared'], counts['differences'], counts['not_sent'], counts['refused'],
              counts['throttled'], counts['without_expectation'], _shown(RESULT['path'])))


def _shown(path):
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative
