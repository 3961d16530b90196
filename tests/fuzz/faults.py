# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The faults the fuzzer injects, and on which request.

A fault is a label (for the stats and the report) and the emulator's fault object. It
hits the request a run sends to one endpoint after ``skip`` others have passed: the emulator
answers the first matching fault, so a pass-through fault (``delay`` 0) with ``count=skip``
goes first.
"""

ID = r'[0-9a-fA-F-]{36}'
ENDPOINTS = {
    'token': ('GET', r'/api/2\.0/security/oauth2/token'),
    'login': ('POST', r'/api/2\.0/authentication'),
    'list': ('GET', r'/api/2\.0/clients'),
    'get': ('GET', r'/api/2\.0/clients/' + ID),
    'lookup': ('GET', r'/api/2\.0/clients(/' + ID + ')?'),  # list or get one: a run's first look
    'info': ('GET', r'/api/2\.0/clients(/' + ID + r')?/info'),
    'create': ('POST', r'/api/2\.0/clients'),
    'update': ('PUT', r'/api/2\.0/clients/' + ID),
    'activation': ('PATCH', r'/api/2\.0/clients/' + ID + '/activation'),
    'regenerate': ('PATCH', r'/api/2\.0/clients/' + ID + '/regenerate'),
    'delete': ('DELETE', r'/api/2\.0/clients/' + ID),
}

# label: (weight, emulator action, when the request is processed: None never, 'now', 'late')
KINDS = {
    'status_429': (3, 'status', None),
    'status_5xx': (4, 'status', None),
    'status_403_empty': (2, 'status', None),  # an expired or refused x-signature
    'drop': (3, 'drop', None),
    'delay': (3, 'delay', 'late'),  # answered after the run's timeout, committed after it gave up
    'slow_answer': (2, 'slow_answer', 'now'),
    'commit_then_drop': (3, 'commit_then_drop', 'now'),
    'commit_then_status': (2, 'commit_then_status', 'now'),
    'commit_then_200_empty_json': (2, 'commit_then_status', 'now'),
    'redirect': (3, 'redirect', None),
    'cut_body': (3, 'cut_body', 'now'),
    'drop_then_commit': (3, 'drop_then_commit', 'late'),
    'login_page': (2, 'login_page', None),
}
LATE_MAX = 3.0  # times the module timeout: the longest a late commit can wait
CAPTURE = '{capture}'  # the capture server's URL, known once a sequence runs


def make(label, rng, timeout):
    """The emulator's fault object for ``label`` (without method, path and count)."""
    if label == 'status_429':
        return {'action': 'status', 'status': 429}
    if label == 'status_5xx':
        return {'action': 'status', 'status': rng.choice([500, 502, 503, 504])}
    if label == 'status_403_empty':
        return {'action': 'status', 'status': 403, 'body': ''}
    if label == 'delay':
        return {'action': 'delay', 'delay': round(timeout * rng.uniform(1.2, LATE_MAX), 2)}
    if label == 'slow_answer':  # under or over the timeout: committed before the answer either way
        return {'action': 'slow_answer', 'delay': round(timeout * rng.uniform(0.3, LATE_MAX), 2)}
    if label == 'commit_then_status':
        return {'action': 'commit_then_status', 'status': rng.choice([500, 502, 503, 504])}
    if label == 'commit_then_200_empty_json':  # JSON without the fields the module expects
        return {'action': 'commit_then_status', 'status': 200, 'body': '{}', 'content_type': 'application/json'}
    if label == 'redirect':
        return {'action': 'redirect', 'status': rng.choice([302, 307]),
                'location': CAPTURE + rng.choice(['/r/200', '/r/404']) + '/moved'}
    if label == 'drop_then_commit':
        return {'action': 'drop_then_commit', 'delay': round(timeout * rng.uniform(0.4, LATE_MAX), 2)}
    return {'action': KINDS[label][1]}


def choose(rng, endpoints, supported, timeout):
    """A random fault on a random one of ``endpoints``: a JSON-able plan entry."""
    labels = [k for k, v in sorted(KINDS.items()) if v[1] in supported]
    label = rng.choices(labels, weights=[KINDS[k][0] for k in labels])[0]
    return {'kind': label, 'endpoint': rng.choice(endpoints), 'skip': rng.choice([0, 0, 0, 0, 1]),
            'fault': make(label, rng, timeout)}


def arm(emulator, planned, capture_url):
    """Install the planned faults; returns the emulator objects, to tell later which were taken."""
    armed = []
    with emulator.lock:
        for plan in planned:
            method, path = ENDPOINTS[plan['endpoint']]
            if plan['skip']:
                emulator.faults.append({'method': method, 'path': path, 'action': 'delay', 'delay': 0,
                                        'count': plan['skip'], 'fuzz_pass': True})
            fault = dict(plan['fault'], method=method, path=path, count=plan.get('count', 1), fuzz_kind=plan['kind'])
            if 'location' in fault:
                fault['location'] = fault['location'].replace(CAPTURE, capture_url)
            emulator.faults.append(fault)
            armed.append((plan, fault))
    return armed


def disarm(emulator, armed):
    """Clear every fault; the planned ones that were taken (a request hit them)."""
    with emulator.lock:
        pending = set(id(f) for f in emulator.faults)
        emulator.faults[:] = []
    return [plan for plan, fault in armed if id(fault) not in pending]
