"""The retry policy of DESIGN §1, as a pure function."""
import pytest

from connectors.base import ConnectorError
from sync.policy import RetryPolicy

policy = RetryPolicy(max_attempts=3, backoff_seconds=1.5)


@pytest.mark.parametrize("cause", ["connection", "rate_limited", "store_server"])
def test_passing_failures_wait_n_times_the_backoff(cause):
    error = ConnectorError(cause, "x")
    assert policy.next_wait(1, error) == 1.5
    assert policy.next_wait(2, error) == 3.0


def test_after_the_third_attempt_it_gives_up():
    assert policy.next_wait(3, ConnectorError("store_server", "x")) is None


def test_a_longer_wait_asked_by_the_store_wins_and_a_shorter_one_does_not():
    assert policy.next_wait(1, ConnectorError("rate_limited", "x", retry_after=4)) == 4
    assert policy.next_wait(2, ConnectorError("rate_limited", "x", retry_after=0.5)) == 3.0


@pytest.mark.parametrize("cause", ["invalid_data", "store_configuration", "token_expired"])
def test_lasting_failures_are_not_retried(cause):
    assert policy.next_wait(1, ConnectorError(cause, "x")) is None


def test_settings_shape_the_policy():
    from config import Settings

    custom = RetryPolicy.from_settings(Settings(sync_max_attempts=5, sync_backoff_seconds=0.1))
    assert custom.next_wait(4, ConnectorError("connection", "x")) == pytest.approx(0.4)
    assert custom.next_wait(5, ConnectorError("connection", "x")) is None


def test_unknown_causes_are_refused():
    with pytest.raises(ValueError):
        ConnectorError("weird", "x")
