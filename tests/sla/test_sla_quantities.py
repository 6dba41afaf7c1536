"""Reading service levels from a sentence: each metric with its unit, normalised so that
two versions compare as numbers; and the sentences that state no service level stay quiet."""

from __future__ import annotations

import math

import pytest

from trustguard.parsing import sla_quantities as q


def _only(text: str, metric: str) -> q.Quantity:
    found = [x for x in q.read_all(text) if x.metric == metric]
    assert len(found) == 1, (text, q.read_all(text))
    return found[0]


@pytest.mark.parametrize(("text", "value"), [
    ("We guarantee 99.99% monthly uptime.", 99.99),
    ("The API will be available 99.5 percent of the time.", 99.5),
    ("Availability target: 99.95 %", 99.95),
])
def test_uptime_is_a_percentage_beside_an_uptime_word(text: str, value: float) -> None:
    assert _only(text, q.UPTIME).value == value


def test_allowed_downtime_is_fifty_times_more_from_99_99_to_99_5() -> None:
    before, after = q.allowed_downtime_minutes(99.99), q.allowed_downtime_minutes(99.5)
    assert round(before, 2) == 4.32 and after == 216.0
    assert round(after / before) == 50


@pytest.mark.parametrize(("text", "per_second", "window", "qualifier"), [
    ("You may send 10,000 API requests per day per API key.", 10_000 / 86_400, "day", "per API key"),
    ("Rate limit: 10/s per IP.", 10.0, "second", "per ip"),
    ("Requests are rate limited to 600/min.", 10.0, "minute", ""),
    ("1000 req/min", 1000 / 60, "minute", ""),
    ("Burst: 5k RPM per user", 5000 / 60, "minute", "per user"),
    ("up to 1 million calls a month", 1e6 / (30 * 86_400), "month", ""),
])
def test_rate_limits_are_read_per_second_with_their_own_window(
        text: str, per_second: float, window: str, qualifier: str) -> None:
    found = _only(text, q.RATE_LIMIT)
    assert math.isclose(found.value, per_second)
    assert found.window == window and found.qualifier == qualifier


def test_ten_per_second_and_six_hundred_per_minute_are_one_limit() -> None:
    assert _only("10 requests/second", q.RATE_LIMIT).value == _only("600 requests per minute", q.RATE_LIMIT).value


@pytest.mark.parametrize(("text", "hours", "qualifier"), [
    ("Our support team responds within 4 hours.", 4.0, ""),
    ("Support tickets are answered within 2 business days.", 67.2, ""),
    ("Priority 1 incidents get a response within 30 minutes.", 0.5, "priority 1"),
    ("Support will respond within 8 business hours.", 33.6, ""),
])
def test_support_times_are_wall_clock_hours(text: str, hours: float, qualifier: str) -> None:
    found = _only(text, q.SUPPORT)
    assert math.isclose(found.value, hours) and found.qualifier == qualifier


def test_each_support_time_takes_the_priority_named_before_it() -> None:
    found = q.support_times("We respond to P1 tickets within 1 hour and to other tickets within 4 hours.")
    assert [(x.value, x.qualifier) for x in found] == [(1.0, "priority 1"), (4.0, "")]


@pytest.mark.parametrize(("text", "days"), [
    ("Request logs are retained for 90 days.", 90.0),
    ("We keep the version history of your documents for 1 year.", 365.0),
    ("Backups are kept for 6 weeks.", 42.0),
    ("Unlimited message history.", math.inf),
])
def test_retention_is_read_in_days(text: str, days: float) -> None:
    assert _only(text, q.RETENTION).value == days


def test_credits_and_their_cap_are_told_apart_from_the_uptime_they_are_paid_below() -> None:
    found = q.read_all("If availability falls below 99.9%, you receive a 10% service credit; "
                       "credits shall not exceed 50% of the monthly fee.")
    assert {(x.metric, x.value) for x in found} == {(q.UPTIME, 99.9), (q.CREDIT, 10.0), (q.CREDIT_CAP, 50.0)}


def test_one_sentence_with_several_promises_gives_each_its_own() -> None:
    found = q.read_all("Enterprise: 99.95% uptime SLA, 24/7 support with 1-hour response, 1 year of audit log retention")
    assert {(x.metric, x.value) for x in found} == {(q.UPTIME, 99.95), (q.SUPPORT, 1.0), (q.RETENTION, 365.0)}


@pytest.mark.parametrize("text", [
    "API access costs $10 per month.",  # a price per month, not a rate
    "You must submit a credit claim within 30 days.",  # a claim window
    "Disputes will be resolved by arbitration; the response is due within 30 days.",
    "Your account may be cancelled if you do not log in at least once in an 18-month period.",
    "Customer data is deleted within 30 days after termination.",  # deletion: a privacy period
    "We reply to legal notices within 10 days.",  # not support
    "Our revenue grew 95% this year.",  # a percentage without uptime
    "Unlimited products in your store.",
])
def test_sentences_that_state_no_service_level_give_nothing(text: str) -> None:
    assert q.read_all(text) == []


def test_a_long_run_of_digits_is_read_in_linear_time() -> None:
    import time

    text = "9" * 200_000 + " requests per day " + "1," * 50_000
    started = time.perf_counter()
    q.read_all(text)
    assert time.perf_counter() - started < 1.0


def test_a_credit_of_the_whole_fee_is_a_credit_not_an_uptime() -> None:
    found = q.read_all("If availability is below 95%, you receive a service credit of 100% of the monthly fee.")
    assert {(x.metric, x.value) for x in found} == {(q.UPTIME, 95.0), (q.CREDIT, 100.0)}
