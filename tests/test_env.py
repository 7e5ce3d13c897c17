"""opsync.env.Settings on its own: how each kind of variable is read, and refused.

Fast and without a database. The variables are named OPSYNC_T_* so that none of the
project's own can leak in from the environment the suite runs in.
"""

import os
from pathlib import Path
from unittest import mock

import pytest

from opsync.env import ConfigError, Settings

NAME = "OPSYNC_T_VALUE"
SECRET = "s3cret-value"


@pytest.fixture(autouse=True)
def restored_environ():
    # read_env writes the file's variables into os.environ, behind monkeypatch's back.
    with mock.patch.dict(os.environ):
        yield


@pytest.fixture
def config(tmp_path):
    return Settings(tmp_path / "absent.env")


def refusal(config, method, *args, **kwargs) -> str:
    with pytest.raises(ConfigError) as error:
        getattr(config, method)(NAME, *args, **kwargs)
    message = str(error.value)
    assert "\n" not in message
    assert NAME in message
    return message


# --- text -----------------------------------------------------------------------


def test_text_is_the_value_stripped(config, monkeypatch):
    monkeypatch.setenv(NAME, "  fr  ")
    assert config.text(NAME) == "fr"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_text_unset_or_blank_is_the_default(config, monkeypatch, value):
    if value is None:
        monkeypatch.delenv(NAME, raising=False)
    else:
        monkeypatch.setenv(NAME, value)
    assert config.text(NAME, "fallback") == "fallback"
    assert config.text(NAME, "") == ""


def test_text_without_default_is_required(config, monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert refusal(config, "text") == f"{NAME} is not set (see .env.example)"


def test_raw_keeps_spaces(config, monkeypatch):
    monkeypatch.setenv(NAME, " pass word ")
    assert config.raw(NAME) == " pass word "


# --- integer ----------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [("42", 42), (" 7 ", 7), ("-3", -3), ("0", 0)])
def test_integer(config, monkeypatch, value, expected):
    monkeypatch.setenv(NAME, value)
    assert config.integer(NAME) == expected


def test_integer_default(config, monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert config.integer(NAME, 5) == 5
    assert config.integer(NAME, 0, minimum=0) == 0


def test_integer_without_default_is_required(config, monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert "is not set" in refusal(config, "integer")


@pytest.mark.parametrize("value", ["4.5", "cinq", "1e3", "0x10"])
def test_integer_refuses_what_is_not_a_whole_number(config, monkeypatch, value):
    monkeypatch.setenv(NAME, value)
    assert refusal(config, "integer", 5) == f"{NAME} must be a whole number"


@pytest.mark.parametrize("value", ["1", "30", "59"])
def test_integer_within_bounds_including_both_ends(config, monkeypatch, value):
    monkeypatch.setenv(NAME, value)
    assert config.integer(NAME, 5, minimum=1, maximum=59) == int(value)


@pytest.mark.parametrize("value", ["0", "60", "-1", "soixante"])
def test_integer_out_of_range_names_the_range(config, monkeypatch, value):
    monkeypatch.setenv(NAME, value)
    assert refusal(config, "integer", 5, minimum=1, maximum=59) == f"{NAME} must be a whole number from 1 to 59"


def test_integer_with_one_bound(config, monkeypatch):
    monkeypatch.setenv(NAME, "0")
    assert refusal(config, "integer", 3, minimum=1) == f"{NAME} must be a whole number of at least 1"
    monkeypatch.setenv(NAME, "11")
    assert refusal(config, "integer", 3, maximum=10) == f"{NAME} must be a whole number of at most 10"


def test_a_default_out_of_its_own_range_is_refused_too(config, monkeypatch):
    # A default outside its own bounds is a programming error, and shows as one at once.
    monkeypatch.delenv(NAME, raising=False)
    assert "from 1 to 59" in refusal(config, "integer", 0, minimum=1, maximum=59)


def test_bounds_are_keyword_only(config, monkeypatch):
    monkeypatch.setenv(NAME, "5")
    with pytest.raises(TypeError):
        config.integer(NAME, 5, 1, 59)
    with pytest.raises(TypeError):
        config.number(NAME, 0.5, 0, 1)


# --- number -----------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [("0.1", 0.1), ("1", 1.0), ("0", 0.0), (".5", 0.5)])
def test_number(config, monkeypatch, value, expected):
    monkeypatch.setenv(NAME, value)
    assert config.number(NAME, 0.1, minimum=0, maximum=1) == expected


def test_number_default(config, monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert config.number(NAME, 0.1) == 0.1


@pytest.mark.parametrize("value", ["dix", "10%", "nan", "inf"])
def test_number_refuses_what_is_not_a_number(config, monkeypatch, value):
    monkeypatch.setenv(NAME, value)
    assert refusal(config, "number", 0.1) == f"{NAME} must be a number"


@pytest.mark.parametrize("value", ["1.5", "-0.1", "1.0001", "nan"])
def test_number_out_of_range_names_the_range(config, monkeypatch, value):
    monkeypatch.setenv(NAME, value)
    assert refusal(config, "number", 0.1, minimum=0, maximum=1) == f"{NAME} must be a number from 0 to 1"


def test_number_bounds_are_shown_as_written(config, monkeypatch):
    monkeypatch.setenv(NAME, "3")
    assert refusal(config, "number", 0.1, minimum=0.0, maximum=2.5) == f"{NAME} must be a number from 0 to 2.5"


# --- boolean ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " yes "])
def test_boolean_true_spellings(config, monkeypatch, value):
    monkeypatch.setenv(NAME, value)
    assert config.boolean(NAME, False) is True


@pytest.mark.parametrize("value", ["0", "false", "False", "NO", "off"])
def test_boolean_false_spellings(config, monkeypatch, value):
    monkeypatch.setenv(NAME, value)
    assert config.boolean(NAME, True) is False


@pytest.mark.parametrize("default", [True, False])
def test_boolean_default(config, monkeypatch, default):
    monkeypatch.delenv(NAME, raising=False)
    assert config.boolean(NAME, default) is default


@pytest.mark.parametrize("value", ["maybe", "2", "oui", "y", "t"])
def test_boolean_refuses_anything_else(config, monkeypatch, value):
    monkeypatch.setenv(NAME, value)
    assert refusal(config, "boolean", False) == f"{NAME} must be true or false"


def test_boolean_without_default_is_required(config, monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert "is not set" in refusal(config, "boolean")


# --- items, emails, choice --------------------------------------------------------------


def test_items_are_split_on_commas_and_stripped(config, monkeypatch):
    monkeypatch.setenv(NAME, " a.example.ga, b.example.ga ,,c ,")
    assert config.items(NAME, "") == ["a.example.ga", "b.example.ga", "c"]


def test_items_default(config, monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert config.items(NAME, "localhost,127.0.0.1") == ["localhost", "127.0.0.1"]
    assert config.items(NAME, "") == []


def test_emails(config, monkeypatch):
    monkeypatch.setenv(NAME, "Ops <ops@example.ga>, dev@example.ga")
    assert config.emails(NAME) == [("Ops", "ops@example.ga"), ("dev@example.ga", "dev@example.ga")]


def test_emails_unset_is_nobody(config, monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert config.emails(NAME) == []


@pytest.mark.parametrize(
    "value", ["Ops <ops-at-example.ga>", "ops.example.ga", "Ops <ops @example.ga>", "ops@example.ga, dev"]
)
def test_emails_refuses_what_is_not_an_address(config, monkeypatch, value):
    monkeypatch.setenv(NAME, value)
    assert refusal(config, "emails") == f"{NAME} must be a comma-separated list of e-mail addresses"


@pytest.mark.parametrize(("value", "expected"), [("mysql", "mysql"), ("MySQL", "mysql"), (" sqlite ", "sqlite")])
def test_choice(config, monkeypatch, value, expected):
    monkeypatch.setenv(NAME, value)
    assert config.choice(NAME, ("mysql", "sqlite"), "sqlite") == expected


def test_choice_default(config, monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert config.choice(NAME, ("mysql", "sqlite"), "sqlite") == "sqlite"


def test_choice_refuses_others_and_lists_the_choices(config, monkeypatch):
    monkeypatch.setenv(NAME, "postgres")
    assert refusal(config, "choice", ("mysql", "sqlite"), "sqlite") == f"{NAME} must be one of: mysql, sqlite"


# --- the .env file ------------------------------------------------------------------


def test_the_env_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text(f"# a comment\n{NAME}=from-file\n")
    assert Settings(env_file).text(NAME) == "from-file"


def test_the_process_environment_wins_over_the_env_file(tmp_path, monkeypatch):
    monkeypatch.setenv(NAME, "from-process")
    env_file = tmp_path / ".env"
    env_file.write_text(f"{NAME}=from-file\n")
    assert Settings(env_file).text(NAME) == "from-process"


def test_a_missing_env_file_is_no_error(tmp_path, monkeypatch):
    monkeypatch.setenv(NAME, "42")
    assert Settings(tmp_path / "nowhere" / ".env").integer(NAME) == 42


# --- never the value ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "args", "kwargs"),
    [
        ("integer", (5,), {}),
        ("integer", (5,), {"minimum": 1, "maximum": 59}),
        ("number", (0.1,), {"minimum": 0, "maximum": 1}),
        ("boolean", (False,), {}),
        ("choice", (("mysql", "sqlite"), "sqlite"), {}),
        ("emails", (), {}),
    ],
)
def test_a_refusal_never_contains_the_value(tmp_path, monkeypatch, method, args, kwargs):
    monkeypatch.delenv(NAME, raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text(f"{NAME}={SECRET}\n")
    message = refusal(Settings(env_file), method, *args, **kwargs)
    assert SECRET not in message
    assert "s3cret" not in message


@pytest.mark.parametrize(
    ("host", "ca", "allowed"),
    [
        ("127.0.0.1", "", True),  # the same host: no one between
        ("localhost", "", True),
        ("127.0.0.2", "", True),  # the loopback has more than one address
        ("/run/mysqld/mysqld.sock", "", True),
        ("127.example.ga", "", False),
        ("db.ops.example.ga", "", False),  # another host, no TLS: its server could ask for .env
        ("db.ops.example.ga", "/etc/ssl/ops-ca.pem", True),  # another host whose identity TLS checks
    ],
)
def test_load_data_local_only_on_this_host_or_over_verified_tls(config, monkeypatch, host, ca, allowed):
    from opsync.env import database_settings

    for name, value in {"DB_CONNECTION": "mysql", "DB_HOST": host, "DB_DATABASE": "ops", "DB_USERNAME": "opsync",
                        "DB_SSL_CA": ca}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    ops = database_settings(config, "", default_name="ops", base_dir=Path("/"), read_only=False)
    assert ops["OPTIONS"].get("local_infile", False) is allowed
    assert ("ssl" in ops["OPTIONS"]) is bool(ca)
    if ca:
        assert ops["OPTIONS"]["ssl"] == {"ca": ca} and ops["OPTIONS"]["ssl_mode"] == "VERIFY_IDENTITY"
    fac = database_settings(config, "", default_name="ops", base_dir=Path("/"), read_only=True)
    assert "local_infile" not in fac["OPTIONS"]  # never on FAC's connection


# --- production's SECRET_KEY ----------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "abcde" * 10,  # 50 characters, 5 different ones: what Django's own check --deploy accepts
        "abcdefghijklmnopqrstuvwxyz" * 2,
        "Tr0ub4dor&3" * 5,
        "a" * 49 + "b",
        "x" * 49,  # too short, whatever it holds
        "django-insecure-" + "kq3#v!8zr$w@1p%e^t&y*u(i)o_plmnbvcxzasdfghjk",  # Django's placeholder
    ],
)
def test_a_weak_secret_key_is_refused_in_one_line_that_never_shows_it(config, monkeypatch, key):
    monkeypatch.setenv(NAME, key)
    message = refusal(config, "secret_key")
    assert "too weak for production" in message and key[:8] not in message


@pytest.mark.parametrize("attempt", range(50))
def test_a_random_key_as_the_guide_or_django_or_openssl_makes_it_is_accepted(config, monkeypatch, attempt):
    import secrets

    from django.core.management.utils import get_random_secret_key

    for key in (secrets.token_urlsafe(50), get_random_secret_key(), secrets.token_hex(32), secrets.token_hex(25)):
        monkeypatch.setenv(NAME, key)
        assert config.secret_key(NAME) == key
