# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fuzzer's checks fire on planted faults: an oracle that cannot fail would prove nothing."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import invariants  # noqa: E402  pylint: disable=wrong-import-position
import portal  # noqa: E402  pylint: disable=wrong-import-position
import schedule  # noqa: E402  pylint: disable=wrong-import-position

SECRET = 'Sx' * 18


class Fake(object):
    """A finished sequence with no module run: an emulator with one client, a capture server's log."""

    def __init__(self):
        self.em = portal.RecordingEmulator(admin_api_key=portal.ADMIN_KEY)
        self.em.remember('client_secret', SECRET)
        self.capture = type('Capture', (), {'requests': []})()
        self.plan, self.dirty = {'letters': 'AB'}, set()
        want = schedule.spec('A')
        self.model = {'A': want, 'B': None}
        body = dict((k, v) for k, v in want.items() if k != 'enabled')
        self.em.create({'id': 'u', 'tenant': 1}, body, '/api/2.0/clients')


def record(result, stdout='', stderr='', op='client', **extra):
    return dict(dict(tag='s01.0', step=1, rc=1 if result and result.get('failed') else 0, killed=False, hung=False,
                     stdout=stdout, stderr=stderr, result=result, run={'op': op}, started=0, ended=time.time()),
                **extra)


def details(found):
    return [(v['invariant'], v['detail']) for v in found]


def test_the_model_matches_and_drift_is_caught():
    seq = Fake()
    assert invariants.compare(seq, 'AB', 'now') == []
    seq.model['A'] = dict(seq.model['A'], description='changed')
    seq.model['B'] = schedule.spec('B')
    assert [v[0] for v in details(invariants.compare(seq, 'AB', 'now'))] == [1, 2]


def test_credentials_in_output_but_not_the_documented_secret():
    seq = Fake()
    creds = invariants.credentials(seq)
    assert invariants.outputs(record({'client_secret': SECRET}), creds, seq) == []
    for leaky in (record({'msg': 'no ' + SECRET}), record({'client': {'client_secret': SECRET}}),
                  record(None, stdout='oops ' + portal.ADMIN_KEY), record({}, stderr=seq.em.credentials()['admin']['password'])):
        assert [v['invariant'] for v in invariants.outputs(leaky, creds, seq)] == [4]


def test_a_redirect_carrying_a_credential():
    seq = Fake()
    seq.capture.requests = [{'method': 'GET', 'path': '/r', 'headers': {'User-Agent': 'fuzz/s02.1'}, 'body': ''},
                            {'method': 'GET', 'path': '/r', 'headers': {'x-signature': 'eyJ.x.y',
                                                                        'User-Agent': 'fuzz/s03.0'}, 'body': ''},
                            {'method': 'POST', 'path': '/r', 'headers': {}, 'body': '{"password": "p"}'}]
    assert [v['invariant'] for v in invariants.capture(seq, invariants.credentials(seq))] == [4, 4]


def test_tracebacks_non_json_and_bare_failures():
    seq = Fake()
    assert invariants.clean_end(record({'changed': False}), seq) == []
    assert invariants.clean_end(record(None, stderr='Traceback (most recent call last):'), seq)
    assert invariants.clean_end(record({'failed': True}), seq)
    assert invariants.clean_end(record({}, killed=True), seq) == []


def test_rotations_and_changed():
    seq = Fake()
    rotate = {'method': 'PATCH', 'path': '/api/2.0/clients/x/regenerate', 'status': 200, 't': 0}
    assert invariants.rotations(record({'changed': True}, op='rotate'), [rotate], seq) == []
    assert invariants.rotations(record({'changed': True}, op='rotate'), [rotate, rotate], seq)
    assert invariants.rotations(record({'changed': True}, op='rotate'), [], seq)  # said done, did nothing
    assert invariants.committed_changed(record({'changed': False}), [rotate], seq)
    assert invariants.committed_changed(record({'changed': True}), [rotate], seq) == []


def test_a_fuzzer_that_ran_nothing_fails(monkeypatch, capsys):
    import fuzz  # pylint: disable=import-outside-toplevel
    monkeypatch.setattr(fuzz, 'run_all', lambda args, supported, stats: None)
    assert fuzz.main(['--seed', '1', '--seconds', '1']) == 1
    assert 'fuzz: 0 sequences, 0 module runs, 0 faults injected, 0 invariant violations' in capsys.readouterr().out
