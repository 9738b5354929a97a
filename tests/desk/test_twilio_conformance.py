"""What OCC sends to create a Message conforms to Twilio's published API description.

The reply goes through the real twilio client to the fake over HTTP; the
form it posted is checked against the CreateMessage request body of
twilio_api_v2010.json (../shared beside the clone, as CI has it; otherwise
the extract kept in tests/fixtures).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interactions.actions import outbound
from interactions.actions.inbound import InboundMessage, receive_inbound
from tests.conftest import CUSTOMER_NUMBER, FIXTURES

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[2]
SPEC_CANDIDATES = [
    REPO.parent / "shared" / "twilio" / "twilio_api_v2010.json",
    Path("/work/shared/twilio/twilio_api_v2010.json"),
]
EXTRACT = FIXTURES / "twilio" / "create_message_request.schema.json"
OPERATION_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages.json"


def create_message_schema() -> dict:
    for candidate in SPEC_CANDIDATES:
        if candidate.exists():
            spec = json.loads(candidate.read_text())
            operation = spec["paths"][OPERATION_PATH]["post"]
            assert operation["operationId"] == "CreateMessage"
            return operation["requestBody"]["content"]["application/x-www-form-urlencoded"][
                "schema"
            ]
    if EXTRACT.exists():
        return json.loads(EXTRACT.read_text())
    pytest.skip(
        "Twilio's API description is missing: put shared/twilio/twilio_api_v2010.json beside the clone"
    )


def check_against(schema: dict, params: dict) -> list[str]:
    problems = []
    known = schema["properties"]
    for name, value in params.items():
        if name not in known:
            near = [k for k in known if k.lower() == name.lower()]
            problems.append(
                f"{name} is not a CreateMessage parameter"
                + (f" (did you mean {near[0]}?)" if near else "")
            )
            continue
        kind = known[name].get("type")
        if kind == "array" and not isinstance(value, list | str):
            problems.append(f"{name} should be a list")
        if kind in {"string", None} and isinstance(value, list):
            problems.append(f"{name} is sent more than once")
    for name in schema.get("required", []):
        if name not in params:
            problems.append(f"required {name} is missing")
    return problems


@pytest.fixture
def interaction(service, agent):
    return receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address=CUSTOMER_NUMBER, provider_id="SM" + "f" * 32, body="Hi"
        ),
    ).interaction


def posted(fake) -> dict:
    [request] = [
        r for r in fake.requests if r["method"] == "POST" and r["path"].endswith("/Messages.json")
    ]
    return request["params"]


def test_text_reply_parameters_are_twilios(interaction, agent, fake_twilio):
    outbound.send_reply(interaction.pk, sender=agent.user, body="Hello")
    params = posted(fake_twilio)
    assert check_against(create_message_schema(), params) == []
    assert set(params) == {"To", "From", "Body", "StatusCallback"}
    assert params["StatusCallback"].startswith("http")


def test_template_reply_with_media_parameters_are_twilios(
    interaction, agent, fake_twilio, settings, tmp_path, approved_template
):
    sid = approved_template("Hi {{1}}", name="t")
    settings.OCC_MEDIA_ROOT = str(tmp_path)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from desk import desk_files
    from tests.desk.test_desk_views import PNG

    stored = desk_files.save_upload(SimpleUploadedFile("photo.png", PNG, content_type="image/png"))
    attachments = desk_files.attachments_for([{"token": stored["token"], "name": stored["name"]}])
    outbound.send_reply(
        interaction.pk,
        sender=agent.user,
        template_id=sid,
        template_variables={"1": "Maria"},
        attachments=attachments,
    )
    params = posted(fake_twilio)
    assert check_against(create_message_schema(), params) == []
    assert params["ContentSid"] == sid
    assert json.loads(params["ContentVariables"]) == {"1": "Maria"}
    assert params["MediaUrl"].endswith(f"/desk/files/{stored['token']}/photo.png")


def test_the_checker_catches_wrong_names_and_missing_required():
    schema = {
        "properties": {"To": {"type": "string"}, "MediaUrl": {"type": "array"}},
        "required": ["To"],
    }
    assert check_against(schema, {"to": "x"}) == [
        "to is not a CreateMessage parameter (did you mean To?)",
        "required To is missing",
    ]


def test_the_kept_extract_matches_the_published_description():
    spec_file = next((c for c in SPEC_CANDIDATES if c.exists()), None)
    if spec_file is None:
        pytest.skip("Twilio's API description is not beside the clone")
    schema = create_message_schema()
    extract = json.loads(EXTRACT.read_text())
    assert sorted(extract["properties"]) == sorted(schema["properties"])
    assert extract["required"] == schema.get("required", [])
