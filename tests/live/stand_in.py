# -*- coding: utf-8 -*-
"""stand_in.py COPY: make test-live, whole, against an emulator standing in for a portal (part of make test).

The emulator holds other people's clients first (an admin's, a user's, one named as a test app, one whose
name looks like another run's prefix). Then, each checked on the emulator's own request log and store:
1. make test-live without the variables refuses, exit 2, and sends nothing;
2. make test-live (integration targets, demo, the emulator's HTTP tests with the differential report) passes,
   its report shows 0 differences, and afterwards every other client is exactly as it was, no write ever
   named one, and no client of the run is left;
3. a run interrupted (SIGINT) while it creates clients leaves none of them and touches nothing else.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from urllib.request import Request, urlopen

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
RUN = os.path.join(HERE, 'run.sh')
STATE = os.path.join(REPO, '.build', 'live-stand-in')
APP = {'description': 'not this run\'s', 'logo': 'data:image/png;base64,iVBORw0KGgo=',
       'website_url': 'https://other.example.com', 'terms_url': 'https://other.example.com/t',
       'policy_url': 'https://other.example.com/p', 'logout_redirect_uri': 'https://other.example.com/l',
       'redirect_uris': ['https://other.example.com/cb'], 'allowed_origins': ['https://other.example.com'],
       'scopes': ['openid', 'files:read']}
OTHERS = [('admin', 'Production CRM'), ('admin', 'IT Basic'), ('admin', 'live-000000 Another run'),
          ('user', 'A user\'s own app')]
UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')


def call(url, path, method='GET', body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = Request(url + path, data=data, method=method,
                      headers=dict({'Content-Type': 'application/json'}, **(headers or {})))
    with urlopen(request, timeout=30) as answer:
        return json.loads(answer.read().decode() or 'null')


def check(condition, what):
    if not condition:
        sys.exit('live stand-in: FAILED: %s' % what)
    print('live stand-in: ok: %s' % what)


def live_env(info, **extra):
    users = info['users']
    env = dict(os.environ, DOCSPACE_URL=info['url'], DOCSPACE_API_KEY=users['admin']['api_key'],
               DOCSPACE_USER_API_KEY=users['user']['api_key'], DOCSPACE_GUEST_API_KEY=users['guest']['api_key'],
               DOCSPACE_USERNAME=users['admin']['user_name'], DOCSPACE_PASSWORD=users['admin']['password'])
    env.update(extra)
    return env


def writes_on(log, ids):
    return [r for r in log if r['method'] != 'GET' and set(UUID.findall(r['path'])) & ids]


def main(copy):
    ctl = os.path.join(REPO, 'tests', 'utils', 'emulator_ctl.py')
    subprocess.run([sys.executable, ctl, 'stop', STATE], check=False)
    shutil.rmtree(STATE, ignore_errors=True)  # this script's own folder, from an earlier run
    subprocess.run([sys.executable, ctl, 'start', STATE], check=True)
    try:
        with open(os.path.join(STATE, 'info.json')) as handle:
            info = json.load(handle)
        url = info['url']
        for role, name in OTHERS:
            signature = call(url, '/api/2.0/security/oauth2/token',
                             headers={'Authorization': 'Bearer ' + info['users'][role]['api_key']})['response']
            call(url, '/api/2.0/clients', 'POST', dict(APP, name=name), {'x-signature': signature})
        before = call(url, '/__emulator__/clients')
        others = set(c['client_id'] for c in before)
        call(url, '/__emulator__/requests', 'DELETE')

        refused = subprocess.run(['bash', RUN, copy], env=dict(os.environ, DOCSPACE_URL='', DOCSPACE_API_KEY=''),
                                 capture_output=True, text=True, check=False)
        check(refused.returncode == 2 and 'DOCSPACE_URL' in refused.stderr and 'Traceback' not in refused.stderr
              and call(url, '/__emulator__/requests') == [],
              'without DOCSPACE_URL and DOCSPACE_API_KEY it refuses (exit %d) and sends nothing' % refused.returncode)

        live_state = os.path.join(STATE, 'run')
        started = time.time()
        done = subprocess.run(['bash', RUN, copy], env=live_env(info, LIVE_STATE=live_state), check=False)
        check(done.returncode == 0, 'make test-live passed against the stand-in in %.0f s (logs: %s)'
              % (time.time() - started, live_state))
        with open(os.path.join(live_state, 'differential-live.json')) as handle:
            report = json.load(handle)
        check(report['counts']['differences'] == 0 and report['counts']['compared'] > 0,
              'its differential report compared %d answers with the emulator\'s expectations: %d differences'
              % (report['counts']['compared'], report['counts']['differences']))
        after = call(url, '/__emulator__/clients')
        log = call(url, '/__emulator__/requests')
        check(after == before, 'the %d clients of others are exactly as they were, and no client of the run is left '
              '(%d requests reached the portal)' % (len(before), len(log)))
        check(writes_on(log, others) == [], 'no write named a client of others')

        interrupted = os.path.join(STATE, 'interrupted')
        call(url, '/__emulator__/requests', 'DELETE')
        run = subprocess.Popen(['bash', RUN, copy], env=live_env(info, LIVE_STATE=interrupted),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 300
        while time.time() < deadline and len(call(url, '/__emulator__/clients')) < len(before) + 2:
            time.sleep(0.2)
        created = len(call(url, '/__emulator__/clients')) - len(before)
        os.killpg(run.pid, signal.SIGINT)  # as Ctrl-C does: the whole foreground group
        code = run.wait(timeout=120)
        after = call(url, '/__emulator__/clients')
        check(created >= 2 and code != 0 and after == before,
              'interrupted (SIGINT, exit %d) after it had created %d clients: none is left, the others are as they '
              'were' % (code, created))
        check(writes_on(call(url, '/__emulator__/requests'), others) == [], 'no write named a client of others')
    finally:
        subprocess.run([sys.executable, os.path.join(REPO, 'tests', 'utils', 'emulator_ctl.py'), 'stop', STATE],
                       check=False)


if __name__ == '__main__':
    main(sys.argv[1])
