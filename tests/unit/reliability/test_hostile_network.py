# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a hostile network and other writers do to the client module, against the emulator:
a recreate cut off half way, a second writer between the read and the write, a create whose
activation fails, late and concurrent copies of one app."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _docspace_api
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as client_module

APP = dict(name='Hostile App', logo='data:image/png;base64,iVBORw0KGgo=', website_url='https://h.example.com',
           terms_url='https://h.example.com/t', policy_url='https://h.example.com/p',
           logout_redirect_uri='https://h.example.com/l', redirect_uris=['https://h.example.com/cb'],
           allowed_origins=['https://h.example.com'], scopes=['openid'])
MOVED = dict(APP, website_url='https://moved.example.com', recreate=True)


def deletes(portal):
    return [r for r in portal.emulator.requests if r['method'] == 'DELETE']


def other_writer_turns_pkce_on_after(portal, handler, cid):
    """Another run turns PKCE on right after the emulator's ``handler`` (page, update) answers."""
    real = getattr(portal.emulator, handler)

    def then_other_writer(*args, **kwargs):
        answer = real(*args, **kwargs)
        portal.emulator.clients[cid]['authentication_methods'] = ['client_secret_post', 'none']
        return answer

    setattr(portal.emulator, handler, then_other_writer)


# ----- 5. a recreate is resumable ------------------------------------------------------------
def test_a_recreate_cut_off_before_the_delete_is_finished_by_a_rerun(portal, run_module):
    old = run_module(client_module, portal.connection(**APP))['client']['client_id']
    portal.emulator.faults.append({'method': 'DELETE', 'path': '/api/2.0/clients/' + old, 'status': 500, 'count': 1})
    cut = run_module(client_module, portal.connection(**MOVED))
    assert cut['failed'] and cut['changed'] and 'Run the task again to finish' in cut['msg']
    new = cut['client']['client_id']
    assert cut['client_secret'] == portal.emulator.clients[new]['client_secret']  # the new secret is not lost
    assert sorted(portal.emulator.clients) == sorted([old, new])
    portal.clear()
    rerun = run_module(client_module, portal.connection(**MOVED))
    assert rerun['changed'] and rerun['client']['client_id'] == new and list(portal.emulator.clients) == [new]
    assert [r['method'] for r in portal.writes()] == ['DELETE']  # nothing created a second time
    assert not run_module(client_module, portal.connection(**MOVED))['changed']


def test_a_recreate_by_client_id_killed_after_the_create_adopts_the_replacement(portal, run_module):
    old = run_module(client_module, portal.connection(**APP))['client']['client_id']
    # A killed run: the replacement exists, the old client too, and no result was ever returned.
    caller = {'id': portal.emulator.credentials()['admin']['user_id'], 'role': 'ADMIN', 'tenant': 1}
    body = dict((k, v) for k, v in MOVED.items() if k != 'recreate')
    new = portal.emulator.create(caller, body, '/api/2.0/clients')[1]['client_id']
    portal.clear()
    args = dict(MOVED, client_id=old)
    rerun = run_module(client_module, portal.connection(**args))
    assert rerun['changed'] and rerun['recreated'] and rerun['client']['client_id'] == new
    assert rerun['client_secret'] == portal.emulator.clients[new]['client_secret']
    assert list(portal.emulator.clients) == [new] and [r['method'] for r in portal.writes()] == ['DELETE']


def test_without_recreate_the_left_over_pair_is_named_not_guessed(portal, run_module):
    run_module(client_module, portal.connection(**APP))
    caller = {'id': portal.emulator.credentials()['admin']['user_id'], 'role': 'ADMIN', 'tenant': 1}
    portal.emulator.create(caller, dict((k, v) for k, v in MOVED.items() if k != 'recreate'), '/api/2.0/clients')
    portal.clear()
    args = dict((k, v) for k, v in MOVED.items() if k != 'recreate')
    result = run_module(client_module, portal.connection(**args))
    assert result['failed'] and 'set recreate: true to finish it' in result['msg'] and portal.writes() == []


# ----- 6. a second writer between the read and the write ----------------------------------------
def test_a_change_made_while_the_listing_was_in_flight_is_not_reverted(portal, run_module):
    cid = run_module(client_module, portal.connection(**APP))['client']['client_id']
    other_writer_turns_pkce_on_after(portal, 'page', cid)  # right after this run's listing, before its write
    result = run_module(client_module, portal.connection(name='Hostile App', allowed_origins=['https://o.example.com']))
    stored = portal.emulator.clients[cid]
    assert result['changed'] and stored['allowed_origins'] == ['https://o.example.com']
    assert stored['authentication_methods'] == ['client_secret_post', 'none']


def test_a_write_undone_by_another_writer_is_redone_then_reported(portal, run_module, monkeypatch):
    cid = run_module(client_module, portal.connection(**APP))['client']['client_id']
    real_update = _docspace_api.DocSpaceAPI.update_client
    undo = {'times': 1}

    def racing_update(self, client_id, body, what):
        real_update(self, client_id, body, what)
        if undo['times']:
            undo['times'] -= 1
            with portal.emulator.lock:  # another run's PUT, built from an older read, lands right after ours
                portal.emulator.clients[cid]['description'] = ''

    monkeypatch.setattr(_docspace_api.DocSpaceAPI, 'update_client', racing_update)
    result = run_module(client_module, portal.connection(name='Hostile App', description='mine'))
    assert result['changed'] and portal.emulator.clients[cid]['description'] == 'mine'
    assert len([r for r in portal.writes() if r['method'] == 'PUT']) == 2
    undo['times'] = 100  # a writer that never stops: the run says so instead of claiming success
    result = run_module(client_module, portal.connection(name='Hostile App', description='mine again'))
    assert result['failed'] and 'another writer changed description' in result['msg']


# ----- 10. a created secret is never lost -----------------------------------------------------
def test_a_create_whose_activation_fails_still_returns_the_client_and_secret(portal, run_module):
    portal.emulator.faults.append({'method': 'PATCH', 'path': '.*/activation', 'status': 500, 'count': 1})
    result = run_module(client_module, portal.connection(enabled=False, **APP))
    assert result['failed'] and result['changed'] and 'was created' in result['msg']
    cid = result['client']['client_id']
    assert result['client_secret'] == portal.emulator.clients[cid]['client_secret']
    assert cid in result['msg'] and result['client_secret'] not in result['msg']
    rerun = run_module(client_module, portal.connection(enabled=False, **APP))
    assert rerun['changed'] and list(portal.emulator.clients) == [cid] and not portal.emulator.clients[cid]['enabled']


def test_an_update_whose_answer_was_lost_is_rebuilt_not_resent(portal, run_module):
    # Found by the fuzzer: the PUT committed, its answer lost; meanwhile another run changed PKCE.
    # Resending the old body would revert PKCE; the run reads again and finds its own change there.
    cid = run_module(client_module, portal.connection(**APP))['client']['client_id']
    other_writer_turns_pkce_on_after(portal, 'update', cid)
    portal.emulator.faults.append({'method': 'PUT', 'path': '/api/2.0/clients/.*', 'action': 'commit_then_drop'})
    result = run_module(client_module, portal.connection(name='Hostile App', allowed_origins=['https://o.example.com']))
    stored = portal.emulator.clients[cid]
    assert result['changed'] and not result.get('failed'), result
    assert stored['allowed_origins'] == ['https://o.example.com']
    assert stored['authentication_methods'] == ['client_secret_post', 'none']
    assert len([r for r in portal.writes() if r['method'] == 'PUT']) == 1


def test_a_rotation_answered_500_may_have_happened(portal, run_module):
    from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_secret as secret_module
    cid = run_module(client_module, portal.connection(**APP))['client']['client_id']
    portal.emulator.faults.append({'method': 'PATCH', 'path': '.*/regenerate', 'action': 'commit_then_status',
                                   'status': 500})
    result = run_module(secret_module, portal.connection(client_id=cid, state='regenerated'))
    assert result['failed'] and result['changed'] and 'may have been rotated' in result['msg'], result
