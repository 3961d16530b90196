# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A random sequence of steps over a few app names, as plain data (JSON), so a failure prints it.

Steps are planned against a model that assumes every step succeeds; each run carries its full
arguments, so a step means the same thing when a shrinker drops the steps before it. Kinds:
``solo`` (one run), ``pair`` (two runs at once) and ``kill`` (one run, SIGKILLed at ``kill_after``).
"""

import base64

import faults

LETTERS = 'ABCD'
LOGOS = ['data:image/png;base64,' + base64.b64encode(b'\x89PNG\r\n\x1a\n' + bytes([i]) * (i + 3)).decode()
         for i in range(3)] + ['data:image/svg+xml;base64,' + base64.b64encode(b'<svg xmlns="x"/>').decode()]
DESCRIPTIONS = ['', 'first', 'second words', 'caf\u00e9 \u2713']
UPDATABLE = ('description', 'logo', 'allowed_origins', 'allow_pkce', 'enabled')
WRITES = ('create', 'update', 'activation', 'regenerate', 'delete')


def spec(letter, site=0):
    """The full desired state of app ``letter``; ``site`` picks the create-only website_url."""
    host = '%s.example.com' % letter.lower()
    return {'name': 'Fuzz App ' + letter, 'description': '', 'logo': LOGOS[0],
            'website_url': ['https://%s', 'https://www2.%s', 'https://%s/home'][site] % host,
            'terms_url': 'https://%s/terms' % host, 'policy_url': 'https://%s/privacy' % host,
            'logout_redirect_uri': 'https://%s/logout' % host, 'redirect_uris': ['https://%s/cb' % host],
            'allowed_origins': ['https://' + host], 'scopes': ['files:read', 'openid'],
            'allow_pkce': False, 'enabled': True}


def variant(rng, field, letter, current):
    """Another value for an updatable field."""
    host = '%s.example.com' % letter.lower()
    choices = {'description': DESCRIPTIONS, 'logo': LOGOS,
               'allowed_origins': [['https://' + host], ['https://' + host, 'https://app.' + host],
                                   ['http://localhost:3000']],
               'allow_pkce': [False, True], 'enabled': [False, True]}[field]
    return rng.choice([c for c in choices if c != current])


def endpoints(run):
    """The endpoints a run sends to, writes weighted up: where its fault may land."""
    auth = {'password': ['login', 'token'], 'signature': []}.get(run['auth'], ['token'])
    look = ['get'] if run.get('by') == 'id' else ['list']
    how = run.get('how')
    writes = {'create': ['create', 'create', 'create', 'list', 'activation'],
              'recreate': ['create', 'create', 'delete', 'delete', 'get'],
              'update': ['update', 'update', 'activation', 'activation', 'get'],
              'partial': ['update', 'update', 'activation', 'activation', 'get'],
              'ensure': ['create', 'list', 'get']}.get(how) if run['op'] == 'client' else \
        {'absent': ['delete', 'delete', 'delete'], 'rotate': ['regenerate', 'regenerate', 'regenerate', 'get'],
         'read': ['get', 'get'], 'info': ['info', 'get']}[run['op']]
    return auth + look + writes


def plan_run(rng, op, letter, model, field=None):
    """One module run: its module and options (``op``, ``how``, ``args``), connection and lookup."""
    run = {'op': op, 'letter': letter, 'auth': rng.choices(['api_key', 'password', 'signature'], [6, 2, 2])[0],
           'by': rng.choice(['name', 'name', 'id']), 'retries': rng.choice([1, 1, 2]),
           'diff': rng.random() < 0.3}
    current = model.get(letter)
    if op == 'client':  # create, update one field, or recreate: always the full desired state
        want = dict(current or spec(letter))
        how = rng.choice(['ensure', 'update', 'update', 'recreate']) if current else 'create'
        if how == 'update':
            field = rng.choice(UPDATABLE)
            want[field] = variant(rng, field, letter, want[field])
            run['field'] = field
        elif how == 'recreate':
            site = rng.choice([s for s in range(3) if spec(letter, s)['website_url'] != want['website_url']])
            want['website_url'] = spec(letter, site)['website_url']
        run.update(how=how, args=want, recreate=how == 'recreate' or rng.random() < 0.2)
    elif op == 'partial':  # only ``field``, for two runs at once on one app
        run.update(op='client', how='partial', field=field,
                   args={'name': current['name'], field: variant(rng, field, letter, current[field])})
    elif op in ('rotate', 'read'):
        run['secret_path'] = rng.random() < 0.5
    elif op == 'info':
        run['view'] = rng.choice(['full', 'info'])
    return run


def apply_plan(model, run):
    letter = run['letter']
    if run['op'] == 'client':
        model[letter] = dict(model.get(letter) or {}, **run['args'])
    elif run['op'] == 'absent':
        model[letter] = None


def sequence(rng, supported, timeout):
    """A random list of steps."""
    letters = LETTERS[:rng.randint(2, 4)]
    model = dict((letter, None) for letter in letters)
    steps = []
    for dummy in range(rng.randint(6, 12)):
        kind = rng.choices(['solo', 'pair', 'kill'], [6, 3, 1])[0]
        letter = rng.choice(letters)
        ops = ['client', 'client', 'client', 'rotate', 'read', 'info', 'absent']
        runs = [plan_run(rng, rng.choice(ops if model[letter] else ['client', 'client', 'absent', 'rotate']),
                         letter, model)]
        if kind == 'pair':
            runs.append(second_run(rng, runs[0], letters, model))
        for run in runs:
            apply_plan(model, run)
        planned = [faults.choose(rng, endpoints(rng.choice(runs)), supported, timeout)
                   for i in range(rng.choices([0, 1, 2], [3, 5, 2])[0])]
        if kind == 'pair' and runs[0]['letter'] == runs[1]['letter'] and rng.random() < 0.5:
            # Slow both lookups (under the timeout), so both runs look before either writes: else one
            # module process is through before the other starts, and the race never happens.
            planned.insert(0, {'kind': 'slow_answer', 'endpoint': 'lookup', 'skip': 0, 'count': 2,
                               'fault': {'action': 'slow_answer', 'delay': round(timeout * 0.6, 2)}})
        step = {'kind': kind, 'runs': runs, 'faults': planned}
        if kind == 'kill':
            step['kill_after'] = round(rng.uniform(0.1, 1.0), 2)
            if rng.random() < 0.7:  # hold the run inside a write, so the kill lands while the server works
                slow = rng.choice(['delay', 'slow_answer'])
                writes = [e for e in endpoints(runs[0]) if e in WRITES] or ['list']
                planned.append({'kind': slow, 'endpoint': rng.choice(writes), 'skip': 0,
                                'fault': faults.make(slow, rng, timeout)})
        steps.append(step)
    return {'letters': letters, 'steps': steps}


def second_run(rng, first, letters, model):
    """The other run of a pair: on another app, or on the same one when the outcome of both is defined."""
    other = [x for x in letters if x != first['letter']]
    if rng.random() < 0.5 and other:
        letter = rng.choice(other)
        ops = ['client', 'rotate', 'read', 'info', 'absent'] if model[letter] else ['client']
        return plan_run(rng, rng.choice(ops), letter, model)
    letter, current = first['letter'], model[first['letter']]
    if first['op'] == 'client' and first['how'] in ('create', 'ensure') or not current:
        return dict(first, auth=rng.choice(['api_key', 'password']))  # the same create, twice at once
    if first['op'] in ('rotate', 'read', 'info'):
        run = plan_run(rng, rng.choice(['rotate', 'read', 'info']), letter, model)
        if first.get('secret_path') and run.get('secret_path'):
            run['secret_path'] = False  # one file, one writer
        return run
    if first['op'] == 'client' and first['how'] == 'update':
        # Two runs that change two different fields, each naming only its own: both must stick.
        field = first['field']
        first.update(how='partial', args={'name': current['name'], field: first['args'][field]})
        return plan_run(rng, 'partial', letter, model, rng.choice([f for f in UPDATABLE if f != field]))
    return plan_run(rng, 'info', letter, model)  # delete or recreate: a read alongside
