"""Who owns the first step (issue 11): the kinds of owner misses found on writer D's
owner-rich batches 37-38, each in sentences of our own.

Convention of the dev sets: the owner is the named person who owns the first step; a pronoun,
a role alone or a Slack mention alone is no owner."""

from __future__ import annotations

import datetime

import pytest

from process.steering import read_answer

TODAY = datetime.date(2026, 11, 24)  # a Tuesday


def first_name(text: str) -> str | None:
    owner = read_answer(text, TODAY).owner
    return owner.split()[0] if owner else None


@pytest.mark.parametrize(
    ("text", "owner"),
    [
        # two people share one verb: the first named owns the step
        (
            "Priyanka and Olu from their finance team will sign the order form on Friday.",
            "Priyanka",
        ),
        ("Farid and Sven on our solutions side will build the sandbox by the 3rd.", "Farid"),
        # the title before the name is no part of it
        ("Madame Claire Dubois will confirm the budget on 4 December.", "Claire"),
        ("Shri Ravi Menon will release the PO by Friday.", "Ravi"),
        # a colleague of ours we ask or get to act owns what we hand them
        ("I'll ask Wendy from our deal desk to sign off the discount by Thursday.", "Wendy"),
        ("gonna get tariq from marketing to write up the customer story by next fri", "Tariq"),
        ("need hugo from our legal to turn the redlines round by wed", "Hugo"),
        # a named speaker who says what their side will do is the one to hold to it
        ("gita said they'd send the security questionnaire back by friday", "Gita"),
        # "per <our call>," names the source; the step and its owner follow
        (
            "per my chat with leo on monday, his CFO (marie) signs off the budget by the 10th",
            "Marie",
        ),
        # a time word's possessive ("last month's") is no "is" before a verb in -ing
        (
            "After last month's planning session, Joost Visser, their Head of IT, will open the "
            "firewall on 2 December.",
            "Joost",
        ),
        # running a dated event is the step; "doing" is no vague word there
        ("Mei from our services team is doing the onboarding workshop with them on Monday.", "Mei"),
    ],
)
def test_owner_named_in_the_first_step(text: str, owner: str) -> None:
    assert first_name(text) == owner


@pytest.mark.parametrize(
    "text",
    [
        # asking a customer to act is our step, and no one of ours is named
        "I'll ask Fatima to book the meeting with her CEO by next Friday.",
        "we'll ask Anders from their IT to whitelist our IPs by the 2nd",
        # a bare role, a pronoun: no owner
        "their CFO and their COO will meet on 3 December",
        "our legal said they'd have the redlines back by Friday",
    ],
)
def test_no_owner_where_none_of_ours_is_named(text: str) -> None:
    assert read_answer(text, TODAY).owner is None


def test_a_scene_lead_with_a_day_is_no_step_of_its_own() -> None:
    reading = read_answer("Further to our call on Friday, we will send the SOW by Monday.", TODAY)
    assert len(reading.steps) == 1
    assert reading.due == datetime.date(2026, 11, 30)
    # "per" before a name with no comma is that person ("Per Holm will sign ...")
    assert first_name("Per Holm will sign the order form by Friday.") == "Per"
    # "following which" opens the next step, not a scene
    reading = read_answer(
        "Their CFO will approve the budget by Friday, following which the PO will be raised.",
        TODAY,
    )
    assert len(reading.steps) == 2


def test_an_asked_colleague_leaves_the_step_ours() -> None:
    reading = read_answer(
        "I'll ask Wendy from our deal desk to sign off the discount by Thursday.", TODAY
    )
    assert (reading.side, reading.due) == ("us", datetime.date(2026, 11, 26))


@pytest.mark.parametrize(
    ("text", "owner", "due"),
    [
        # "do the needful" with nothing after it is the work of the clause beside it
        (
            "Customer will do the needful, Ms. Lakshmi Iyer will issue the PO by 4 December.",
            "Lakshmi",
            datetime.date(2026, 12, 4),
        ),
        (
            "Workshop has been moved to Thursday as per their ask, our SE Vikram will do the needful.",
            "Vikram",
            datetime.date(2026, 11, 26),
        ),
    ],
)
def test_a_bare_needful_is_the_step_beside_it(text: str, owner: str, due: datetime.date) -> None:
    reading = read_answer(text, TODAY)
    assert (first_name(text), reading.due, len(reading.steps)) == (owner, due, 1)


def test_a_needful_of_ours_beside_a_step_of_theirs_stays_two_steps() -> None:
    reading = read_answer("We will do the needful, they countersign by Friday.", TODAY)
    assert [s.side for s in reading.steps] == ["us", "customer"]


@pytest.mark.parametrize(
    "text",
    [
        # the want after the news names whose signature it is
        "contract is in their inbox, just need sofia's signature on it by friday",
        "ball is with them they have the paperwork just need Sofia's sign-off by Friday",
    ],
)
def test_a_signature_wanted_after_the_news_is_its_signers(text: str) -> None:
    reading = read_answer(text, TODAY)
    assert (reading.orientation, first_name(text), reading.due) == (
        "next_step",
        "Sofia",
        datetime.date(2026, 11, 27),
    )


# A Monday; the tester's round of 2026-11-30.
MONDAY = datetime.date(2026, 11, 30)


@pytest.mark.parametrize(
    "text",
    [
        # in lower-case chat every word that is no role could pass for a name: the verb, its
        # particle, a participle or a month abbreviation never is one
        "their vp signs off the renewal by dec 8 and also the board needs to review the terms",
        "Their COO signs off the plan by dec 9 and also the panel needs to see the TCO model",
        "legal wants 2 refs by the 7th and our completed security form by the 11th",
        "our ops lead pushes the config live by the 9th and also their admins need to test it",
        "their gc sends back the redlines by friday and then the committee meets on dec 15",
        "the countersigned order form comes back by dec 11",
        "their steering group meets on 14 dec to choose between the two bids",
    ],
)
def test_a_verb_particle_or_month_is_never_an_owner(text: str) -> None:
    reading = read_answer(text, MONDAY)
    assert reading.orientation == "next_step"
    assert all(step.owner is None for step in reading.steps), reading.steps


@pytest.mark.parametrize(
    ("text", "owner"),
    [
        ("Marcus sends the pricing by Thursday", "Marcus"),  # a name ending in -s stays a name
        ("Chris will sign off the SOW by dec 4", "Chris"),
        ("after the kickoff Ines told us she'd circulate the plan by friday", "Ines"),
    ],
)
def test_names_that_look_like_verb_forms_still_own_the_step(text: str, owner: str) -> None:
    assert read_answer(text, MONDAY).owner == owner


@pytest.mark.parametrize(
    "text",
    [
        # a collective or a chat word before the verb is no one's name (fifth session: 38 of
        # 728 read next steps with no named owner were read with one like these)
        "Their procurement lot want three references from us by the 8th",
        "their legal bods need to give the MSA a once-over by friday",
        "Both sides legal will finalise the MSA wording by Dec 10",
        "Our solicitors will turn round the contract mark-up by Friday",
        "<@U04HJK2LP> is sending the revised quote tmrw",
        "imma send the security docs to their infosec tonite",
        "hes gonna send teh PO thurs",
    ],
)
def test_no_owner_is_made_of_a_word_that_is_no_name(text: str) -> None:
    assert first_name(text) is None, read_answer(text, TODAY)


@pytest.mark.parametrize(
    ("text", "owner"),
    [
        # a Mandarin given name ends in "-ing" like a gerund (fifth session)
        ("xiaoling should approve the budget by 12/9", "Xiaoling"),
        ("Tingting from their finance team signs the PO on Friday", "Tingting"),
        ("Zhiming will send the signed NDA by Dec 4", "Zhiming"),
    ],
)
def test_a_given_name_ending_in_ing_is_a_name(text: str, owner: str) -> None:
    assert first_name(text) == owner


@pytest.mark.parametrize(
    "text", ["pricing goes out tmrw", "sending the deck by Friday", "funding lands by Dec 10"]
)
def test_a_gerund_is_no_name(text: str) -> None:
    assert first_name(text) is None
