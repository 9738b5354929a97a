"""The desk's history pages: Closed / All, search, history and reopen, contacts, panel, merge, attributes."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from interactions.models import Contact, ContactAttribute, InteractionState

pytestmark = pytest.mark.django_db


@pytest.fixture
def alex_client(agent):
    from django.test import Client

    client = Client()  # its own: admin_client is the `client` fixture
    client.force_login(agent.user)
    return client


def test_closed_view_lists_the_agents_closed_ones(
    alex_client, agent, make_agent, conversation_factory
):
    mine = conversation_factory("Maria", "+393330000001", "hello <b>there</b>", agent=agent)
    theirs = conversation_factory("Luca", "+393330000002", "hi", agent=make_agent("bea"))
    page = alex_client.get("/desk/conversations/").content.decode()
    assert f'data-interaction="{mine.pk}"' in page and f'data-interaction="{theirs.pk}"' not in page
    assert "hello &lt;b&gt;there&lt;/b&gt;" in page  # escaped, never markup
    assert 'id="tab-all"' not in page  # All is for supervisors


def test_all_is_for_supervisors_only(
    alex_client, admin_client, agent, make_agent, conversation_factory
):
    theirs = conversation_factory("Luca", "+393330000002", "hi", agent=make_agent("bea"))
    assert (
        f'data-interaction="{theirs.pk}"'
        in admin_client.get("/desk/conversations/?view=all").content.decode()
    )
    # An agent asking for All gets their Closed view.
    assert (
        f'data-interaction="{theirs.pk}"'
        not in alex_client.get("/desk/conversations/?view=all").content.decode()
    )


def test_search_marks_the_word_and_escapes_the_rest(alex_client, agent, conversation_factory):
    conversation_factory(
        "Maria", "+393330000001", "<script>x</script> my parcel is late", agent=agent
    )
    page = alex_client.get("/desk/conversations/?view=closed&text=parcel").content.decode()
    assert "<mark>parcel</mark>" in page and "<script>x" not in page
    page = alex_client.get("/desk/conversations/?view=closed&text=banana").content.decode()
    assert 'id="no-results"' in page


def test_history_and_reopen(alex_client, agent, conversation_factory):
    closed = conversation_factory("Maria", "+393330000001", "old words", agent=agent)
    page = alex_client.get(f"/desk/conversations/{closed.pk}/").content.decode()
    assert "old words" in page and 'id="reopen-button"' in page
    response = alex_client.post(f"/desk/conversations/{closed.pk}/reopen/")
    assert response.status_code == 302 and response["Location"] == f"/desk/?open={closed.pk}"
    closed.refresh_from_db()
    assert closed.state == InteractionState.ASSIGNED and closed.agent_id == agent.pk


def test_a_colleagues_history_is_404(alex_client, make_agent, conversation_factory):
    theirs = conversation_factory("Luca", "+393330000002", "hi", agent=make_agent("bea"))
    assert alex_client.get(f"/desk/conversations/{theirs.pk}/").status_code == 404
    assert alex_client.post(f"/desk/conversations/{theirs.pk}/reopen/").status_code == 404
    assert alex_client.get(f"/desk/contacts/{theirs.contact_id}/").status_code == 404
    assert (
        alex_client.post(f"/desk/contacts/{theirs.contact_id}/edit/", {"name": "x"}).status_code
        == 404
    )


def test_the_panel_edits_in_place(alex_client, agent, conversation_factory):
    ContactAttribute.objects.create(key="plan", label="Plan", kind="choice", choices="Gold\nSilver")
    row = conversation_factory(
        "Maria", "+393330000001", "hi", agent=agent, state=InteractionState.ASSIGNED
    )
    Contact.objects.filter(pk=row.contact_id).update(profile_name="Mari WA")
    panel = alex_client.get(
        f"/desk/contacts/{row.contact_id}/panel/?interaction={row.pk}"
    ).content.decode()
    assert "Mari WA" in panel and "+393330000001" in panel
    answer = alex_client.post(
        f"/desk/contacts/{row.contact_id}/edit/",
        {
            "name": "Maria Rossi",
            "language": "it",
            "note": "VIP",
            "attr_plan": "Gold",
            "interaction": row.pk,
        },
        HTTP_X_OCC_FRAGMENT="1",
    )
    assert answer.status_code == 200 and 'class="saved"' in answer.content.decode()
    contact = Contact.objects.get(pk=row.contact_id)
    assert (contact.name, contact.language, contact.note, contact.attributes) == (
        "Maria Rossi",
        "it",
        "VIP",
        {"plan": "Gold"},
    )
    bad = alex_client.post(
        f"/desk/contacts/{row.contact_id}/edit/", {"attr_plan": "Platinum"}, HTTP_X_OCC_FRAGMENT="1"
    )
    assert bad.status_code == 400


def test_contacts_page_and_merge(admin_client, conversation_factory):
    a = conversation_factory("Maria Rossi", "+393330000001", "a").contact
    b = conversation_factory("Maria R", "+393330000002", "b").contact
    page = admin_client.get("/desk/contacts/?q=rossi").content.decode()
    assert f'data-contact="{a.pk}"' in page and f'data-contact="{b.pk}"' not in page
    found = admin_client.get(f"/desk/contacts/{a.pk}/merge/?other=0000002").content.decode()
    assert f'data-contact="{b.pk}"' in found
    confirm = admin_client.get(f"/desk/contacts/{a.pk}/merge/?other_id={b.pk}").content.decode()
    assert 'id="merge-button"' in confirm
    admin_client.post(f"/desk/contacts/{a.pk}/merge/", {"other_id": b.pk})
    assert not Contact.objects.filter(pk=b.pk).exists()
    assert a.interactions.count() == 2


def test_contact_attributes_console_is_audited(admin_client, alex_client):
    assert alex_client.get("/settings/contact-attributes/").status_code == 403
    admin_client.post(
        "/settings/contact-attributes/new/",
        {"label": "Plan", "key": "plan", "kind": "choice", "choices": "", "position": 0},
    )
    assert not ContactAttribute.objects.exists()  # a choice needs options
    admin_client.post(
        "/settings/contact-attributes/new/",
        {
            "label": "Plan",
            "key": "plan",
            "kind": "choice",
            "choices": "Gold\nSilver",
            "position": 0,
        },
    )
    attribute = ContactAttribute.objects.get()
    assert AuditEntry.objects.filter(
        object_type="interactions.ContactAttribute", action="created"
    ).exists()
    admin_client.post(f"/settings/contact-attributes/{attribute.pk}/delete/")
    assert AuditEntry.objects.filter(
        object_type="interactions.ContactAttribute", action="deleted"
    ).exists()
