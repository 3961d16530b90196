# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The invariants, each a function of a finished sequence that returns its violations.

 1  the server holds exactly what was asked: after the clean converge; and before it, for every
    app no failed, killed or late-committed run touched since its last full, successful run
 2  exactly one client per app the model holds, none for a deleted one
 3  a rotation task commits at most one rotation, and a successful one exactly one
 4  no credential or client secret in any output (a secret only under a result's client_secret),
    and none in a request that reached the other origin
 5  no traceback, stdout is JSON, a failed run has a msg, no run hangs
 6  no changed: false from a run whose write the server committed before the run ended
 7  a secret handed back (client_secret, or the secret_path file) is the server's current one
"""

import hashlib
import json
import os

import portal

CLIENT_WRITE = ('POST', 'PUT', 'PATCH', 'DELETE')


def succeeded(record):
    result = record['result']
    return bool(result) and not record['killed'] and not record['hung'] and record['rc'] == 0 \
        and not result.get('failed')


def violation(invariant, detail, record=None, seq=None):
    out = {'invariant': invariant, 'detail': detail}
    if record is not None:
        out.update(step=record['step'], run=record['tag'], excerpt=excerpt(record, seq))
    return out


def excerpt(record, seq):
    """What the run said, short, with every credential masked (the report must not leak either)."""
    result = record['result']
    clean = (lambda text: mask(text, seq)) if seq is not None else (lambda text: text)  # masked, then cut
    if result is not None:
        keep = dict((k, result[k]) for k in ('failed', 'changed', 'msg', 'warnings', 'status') if k in result)
        return clean(json.dumps(keep, ensure_ascii=False))[:600]
    return 'stdout: %s | stderr: ...%s' % (clean(record['stdout'])[:200], clean(record['stderr'])[-700:])


def credentials(seq):
    """(value, label) of every credential of the sequence: the seeded admin key and password, and
    every x-signature, login token and client secret the emulator handed out."""
    admin = seq.em.credentials()['admin']
    kinds = dict((h, kind) for kind, hashes in seq.em.issued.items() for h in hashes)
    creds = [(portal.ADMIN_KEY, 'api_key'), (admin['password'], 'password')]
    creds += [(v, kinds.get(sha(v), 'issued')) for v in sorted(seq.em.plain)]
    return creds


def mask(text, seq):
    for value, label in credentials(seq):
        text = text.replace(value, '<%s>' % label)
    return text


def sha(text):
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


# ----- the server against the model -----------------------------------------------------------
def observed(row):
    """A stored client as the model spells it."""
    return {'name': row['name'], 'description': row.get('description') or '', 'logo': row['logo'],
            'website_url': row['website_url'], 'terms_url': row['terms_url'], 'policy_url': row['policy_url'],
            'logout_redirect_uri': row['logout_redirect_uri'],
            'redirect_uris': sorted(set(row['redirect_uris'])), 'allowed_origins': sorted(set(row['allowed_origins'])),
            'scopes': sorted(set(row['scopes'])), 'allow_pkce': 'none' in row['authentication_methods'],
            'enabled': bool(row['enabled'])}


def expected(want):
    return dict(want, redirect_uris=sorted(set(want['redirect_uris'])),
                allowed_origins=sorted(set(want['allowed_origins'])), scopes=sorted(set(want['scopes'])),
                description=want.get('description') or '')


def compare(seq, letters, when):
    out = []
    rows = seq.em.snapshot()
    for letter in letters:
        named = [r for r in rows if r['name'] == 'Fuzz App ' + letter]
        want = seq.model[letter]
        if want is None and named:
            out.append(violation(2, '%s: %d client(s) named %r, which was deleted or never created%s'
                                 % (when, len(named), 'Fuzz App ' + letter, ids(named))))
        elif want is not None and len(named) != 1:
            out.append(violation(2, '%s: %d clients named %r, expected exactly 1%s'
                                 % (when, len(named), 'Fuzz App ' + letter, ids(named))))
        elif want is not None:
            have, asked = observed(named[0]), expected(want)
            diff = ['%s is %r, asked %r' % (k, have[k], asked[k]) for k in sorted(asked) if have[k] != asked[k]]
            if diff:
                out.append(violation(1, '%s: %r differs from the last state a run asked for and reported '
                                     'done: %s' % (when, 'Fuzz App ' + letter, '; '.join(diff))))
    return out


def ids(rows):
    return (' (%s)' % ', '.join(r['client_id'] for r in rows)) if rows else ''


def settled(seq):
    """Before the converge: apps whose history holds no failed, killed or late-committed run."""
    return compare(seq, [letter for letter in seq.plan['letters'] if letter not in seq.dirty],
                   'before the converge (no run on it failed)')


def converged(seq):
    out = compare(seq, seq.plan['letters'], 'after the clean converge')
    twins = set(v['detail'].split("'")[1] for v in out if v['invariant'] == 2)
    for record in seq.records:
        name = 'Fuzz App ' + record['run']['letter']
        if record['step'] == 'converge' and not succeeded(record) and name not in twins:  # else 2 says why
            out.append(violation(1, 'the clean converge (no faults) of %r failed' % name, record, seq))
    rows = seq.em.snapshot()
    strays = [r for r in rows if r['name'] not in ['Fuzz App ' + letter for letter in seq.plan['letters']]]
    if strays:
        out.append(violation(2, 'after the clean converge: clients no run asked for%s' % ids(strays)))
    for letter, path in sorted(seq.secret_files.items()):
        named = [r for r in rows if r['name'] == 'Fuzz App ' + letter]
        if seq.model[letter] and len(named) == 1:
            out += secret_file(path, named[0], 'after the clean converge (state=present, secret_path)')
    return out


def secret_file(path, row, when):
    if not os.path.exists(path):
        return [violation(7, '%s: secret_path %s does not exist' % (when, os.path.basename(path)))]
    with open(path) as handle:
        content = handle.read()
    out = []
    if sha(content) != row['secret_sha256']:
        out.append(violation(7, '%s: secret_path %s does not hold the current secret of %s'
                             % (when, os.path.basename(path), row['client_id'])))
    if os.stat(path).st_mode & 0o777 != 0o600:
        out.append(violation(7, '%s: secret_path mode is %o, not 600' % (when, os.stat(path).st_mode & 0o777)))
    return out


def handed_secrets(seq, record):
    """A solo run that succeeded, with no late commit pending: what it handed back is current."""
    if not succeeded(record) or record['started'] < seq.late_until:
        return []
    result, rows = record['result'], dict((r['client_id'], r) for r in seq.em.snapshot())
    cid = (result.get('client') or {}).get('client_id') or result.get('client_id')
    out = []
    if isinstance(result.get('client_secret'), str):
        if cid not in rows or rows[cid]['secret_sha256'] != sha(result['client_secret']):
            out.append(violation(7, 'the client_secret returned is not the current secret of client %s' % cid,
                                 record, seq))
    if result.get('secret_path') and cid in rows:
        out += [dict(v, step=record['step'], run=record['tag']) for v in
                secret_file(result['secret_path'], rows[cid], 'right after the run')]
    return out


# ----- every run on its own -----------------------------------------------------------------
def per_run(seq):
    out = []
    creds = credentials(seq)
    commits = {}
    for commit in seq.em.commits:
        commits.setdefault(commit['ua'], []).append(commit)
    for record in seq.records:
        mine = commits.get('fuzz/' + record['tag'], [])
        out += outputs(record, creds, seq) + clean_end(record, seq) + rotations(record, mine, seq)
        out += committed_changed(record, mine, seq)
    out += capture(seq, creds)
    return out


def outputs(record, creds, seq):
    """4: the result (but its top-level client_secret) and stderr hold no credential."""
    result = record['result']
    if result is not None:
        text = json.dumps(dict((k, v) for k, v in result.items() if k != 'client_secret'), ensure_ascii=False)
    else:
        text = record['stdout']
    found = sorted(set(label for value, label in creds if value in text or value in record['stderr']))
    if found:
        return [violation(4, 'the output of the run holds: %s' % ', '.join(found), record, seq)]
    return []


def clean_end(record, seq):
    if record['killed']:
        return []
    if record['hung']:
        return [violation(5, 'the run did not end within %d s' % 40, record, seq)]
    problems = []
    if 'Traceback' in record['stdout'] or 'Traceback' in record['stderr']:
        problems.append('a traceback')
    if record['result'] is None:
        problems.append('stdout is not a JSON object')
    elif record['result'].get('failed') and not record['result'].get('msg'):
        problems.append('failed without a msg')
    return [violation(5, 'the run ended with %s' % ' and '.join(problems), record, seq)] if problems else []


def rotations(record, mine, seq):
    """3: committed PATCH .../regenerate of this run, late ones included."""
    count = len([c for c in mine if c['method'] == 'PATCH' and c['path'].endswith('/regenerate')
                 and c['status'] == 200])
    allowed = 1 if record['run']['op'] == 'rotate' else 0
    if count > allowed:
        return [violation(3, 'one %s task committed %d rotations' % (record['run']['op'], count), record, seq)]
    if allowed and count == 0 and succeeded(record):
        return [violation(3, 'the task reported a rotation the server never made', record, seq)]
    return []


def committed_changed(record, mine, seq):
    """6: a write committed while the run was going on, and the run says changed: false."""
    if record['killed'] or record['hung'] or record['result'] is None or record['result'].get('changed'):
        return []
    writes = [c for c in mine if c['method'] in CLIENT_WRITE and '/clients' in c['path'] and c['status'] < 400
              and c['t'] <= record['ended']]
    if writes:
        return [violation(6, 'changed is %s (%s) though the server committed %s'
                          % (record['result'].get('changed', 'absent'),
                             'failed' if record['result'].get('failed') else 'ok',
                             ', '.join('%s %s' % (c['method'], c['path'].rsplit('/', 1)[-1]) for c in writes)),
                          record, seq)]
    return []


def capture(seq, creds):
    """4: what a redirect brought to the other origin."""
    out = []
    for req in seq.capture.requests:
        headers = dict((k.lower(), v) for k, v in req['headers'].items())
        carried = [h for h in ('authorization', 'x-signature') if h in headers]
        text = json.dumps(req)
        carried += sorted(set(label for value, label in creds if value in text))
        if '"password"' in req['body'] or 'userName' in req['body']:
            carried.append('a login body')
        if carried:
            tag = headers.get('user-agent', '?').replace('fuzz/', '')  # s<step>.<run>, or converge.<n>
            step = int(tag[1:].split('.')[0]) if tag[:1] == 's' else tag.split('.')[0]
            out.append({'invariant': 4, 'run': tag, 'step': step,
                        'detail': 'a redirect took %s %s to the other origin carrying: %s'
                        % (req['method'], req['path'], ', '.join(carried))})
    return out
