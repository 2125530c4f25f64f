"""Alerts end to end: rules file checks, a real spike delivered by e-mail (local SMTP with STARTTLS
and AUTH) and by webhook (a local receiver) in each format, episodes that alert once, deliveries
retried until their channel is up, and pulls whose exit status alerts never change."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from mailserver import PASSWORD, USER, HookServer, SmtpServer, free_port, self_signed

from analytics import cli
from analytics.alerts import DEFAULT_ALERTS, AlertSettings, Channel, Rule, check_alerts, evaluate, load_alerts
from analytics.errors import InputError
from analytics.pipeline import store_records
from analytics.store import ArticleRecord, Store

SPIKE = date(2026, 3, 31)
AT_SPIKE = datetime(2026, 3, 31, 18, tzinfo=UTC)
TITLE = "Peru & US <sign> sweeping security pact"
_TOPICS = ("trade talks", "port investment", "copper exports", "visa rules", "coca eradication", "embassy visit",
           "fishing fleet", "election observers", "mining permits", "flood relief")  # fmt: skip


def coverage(spike: date, *, days: int = 40, prefix: str = "") -> list[ArticleRecord]:
    """Two calm PER-USA articles a day for ``days`` days, then 20 alarmed ones on ``spike`` (three
    stories: 7, 7 and 6 copies), the first story's title full of HTML metacharacters."""
    calm = [
        ArticleRecord(url=f"https://news.example.org/{prefix}{day}/{k}",
                      title=f"Peru and the United States discuss {_TOPICS[(d + k) % 10]} on day {d} part {k}",
                      text="Lima and Washington officials met to talk. The talks were good and friendly.",
                      published=datetime(day.year, day.month, day.day, 9 + k, tzinfo=UTC), outlet="Example Wire",
                      source_country="USA")
        for d in range(days, 0, -1) for k in range(2) for day in [spike - timedelta(days=d)]
    ]  # fmt: skip
    alarm = [
        ArticleRecord(url=f"https://news.example.org/{prefix}spike/{k}", title=TITLE + (f" {k % 3}" if k % 3 else ""),
                      text="Peru and the United States signed a pact after a deadly attack. Terrible violence killed "
                      "many in Lima, a horrible tragedy and a disaster.",
                      published=datetime(spike.year, spike.month, spike.day, 8, k, tzinfo=UTC),
                      outlet=f"Outlet {k % 4}", source_country="PER")
        for k in range(20)
    ]  # fmt: skip
    return calm + alarm


@pytest.fixture(scope="module")
def spike_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("alerts") / "spike.sqlite"
    with Store(path) as store:
        store_records(store, coverage(SPIKE))
    return path


@pytest.fixture
def store(spike_db, tmp_path):
    """A fresh copy of the spike store (episodes and outbox empty)."""
    import shutil

    path = tmp_path / "spike.sqlite"
    shutil.copy(spike_db, path)
    with Store(path) as opened:
        yield opened


@pytest.fixture(autouse=True)
def _environment(monkeypatch, tmp_path):
    for name in ("HOST", "PORT", "USER", "PASSWORD", "FROM", "STARTTLS", "CAFILE"):
        monkeypatch.delenv(f"BILAT_SMTP_{name}", raising=False)
    monkeypatch.delenv("BILAT_TZ", raising=False)  # days are UTC days
    monkeypatch.setenv("BILAT_BASE_URL", "https://bilat.example.org/")
    monkeypatch.chdir(tmp_path)  # no secrets file from the checkout


def smtp_secrets(server: SmtpServer | None, port: int | None = None) -> dict:
    return {"smtp": {"host": "127.0.0.1", "port": port or server.port, "user": USER, "password": PASSWORD,
                     "cafile": server.cert if server else "", "from": "Bilat alerts <alerts@example.org>"}}  # fmt: skip


def rule(*channels: Channel, kind: str = "volume_spike", **extra) -> Rule:
    return Rule(id=f"per-usa-{kind}", pair="PER-USA", kind=kind, channels=channels, **extra)


# --- the rules file ------------------------------------------------------------------------


def test_shipped_example_sends_nothing():
    settings = load_alerts(DEFAULT_ALERTS)
    assert settings.rules == ()
    assert (settings.max_attempts, settings.timeout) == (5, 10.0)


def test_rules_file_is_read(tmp_path):
    path = tmp_path / "alerts.toml"
    path.write_text(
        '[alerts]\nmax_attempts = 3\n[[rule]]\nid = "t"\npair = "PER-USA"\ntheme = "security"\nsource_country = "PER"\n'
        'kind = "threshold"\nmetric = "net_tone"\nbelow = -0.2\ndays = 3\n'
        'channels = ["email:desk@example.org", { url = "https://hooks.example.org/x", format = "teams" }]\n'
    )
    settings = load_alerts(path)
    assert settings.max_attempts == 3
    (only,) = settings.rules
    assert (only.kind, only.metric, only.below, only.above, only.days, only.min_articles) == (
        "threshold", "net_tone", -0.2, None, 3, 10)  # fmt: skip
    assert only.channels == (Channel("email", "desk@example.org"), Channel("teams", "https://hooks.example.org/x"))
    assert only.filters.themes == ("security",) and only.filters.source_countries == ("PER",)


_GOOD = 'id = "r1"\npair = "PER-USA"\nkind = "volume_spike"\nchannels = ["email:desk@example.org"]\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[[rule]]\n" + _GOOD + 'smtp_password = "x"\n',
         r"rule 1 \('r1'\): key 'smtp_password' looks like a secret; .*BILAT_SMTP_"),
        ('[alerts]\ntoken = "x"\n', r"\[alerts\] key 'token' looks like a secret"),
        ("[[rule]]\n" + _GOOD + 'colour = "red"\n', r"rule 1 \('r1'\): unknown key 'colour'; keys are "),
        ("[[rule]]\n" + _GOOD.replace("volume_spike", "surge"), r"rule 1 \('r1'\): kind 'surge' is not one of"),
        ("[[rule]]\n" + _GOOD.replace("PER-USA", "USA-PER"), r"rule 1 \('r1'\): pair 'USA-PER' is not a country pair"),
        ("[[rule]]\n" + _GOOD.replace("email:desk@example.org", "sms:123"),
         r"channel 'sms:123' is not \"email:ADDRESS\""),
        ("[[rule]]\n" + _GOOD.replace('"email:desk@example.org"', '{ url = "ftp://h/x" }'),
         "webhook url must be an http"),
        ("[[rule]]\n" + _GOOD.replace('"email:desk@example.org"', '{ url = "https://h/x", format = "xml" }'),
         "webhook format 'xml' is not one of json, slack, teams"),
        ("[[rule]]\n" + _GOOD.replace('"email:desk@example.org"', '{ url = "https://h/x", secret = "s" }'),
         "channel key 'secret' looks like a secret"),
        ("[[rule]]\n" + _GOOD.replace("volume_spike", "threshold"), 'needs metric = "share" or "net_tone"'),
        ("[[rule]]\n" + _GOOD.replace("volume_spike", "threshold") + 'metric = "share"\nabove = 2\n',
         "above must be a number from 0 to 1 for share"),
        ("[[rule]]\n" + _GOOD + "days = 3\n", "'days' belongs to threshold rules"),
        ("[[rule]]\n" + _GOOD + "[[rule]]\n" + _GOOD, r"rule 2 \('r1'\): id 'r1' is used twice"),
        ("[[rule]]\n" + _GOOD.replace("channels = [\"email:desk@example.org\"]", "channels = []"), "channels must be"),
        ("[alerts]\nmax_attempts = 0\n", r"\[alerts\] max_attempts must be a whole number from 1 to 50"),
        ("[[rule]]\n" + _GOOD + 'ui = "fr"\n', r"rule 1 \('r1'\): ui must be \"en\" \(English\) or \"es\" .*'fr'"),
        ('[alerts]\nui = "ES"\n', r"\[alerts\] ui must be \"en\" \(English\) or \"es\" \(Spanish\), got 'ES'"),
        ("[[rule]\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_rules_file_errors_are_one_line(tmp_path, body, message):
    path = tmp_path / "alerts.toml"
    path.write_text(body)
    with pytest.raises(InputError, match=message) as caught:
        load_alerts(path)
    text = str(caught.value)
    assert text.startswith(str(path)) and "\n" not in text


def test_missing_rules_file(tmp_path):
    with pytest.raises(InputError, match="alerts file .*nope.toml does not exist; pass --alerts FILE"):
        load_alerts(tmp_path / "nope.toml")


# --- checking and delivering --------------------------------------------------------------


def test_spike_is_delivered_once_by_email_and_each_webhook_format(store, tmp_path):
    with SmtpServer(tmp_path) as smtp, HookServer() as hooks:
        channels = (Channel("email", "desk@example.org"),
                    *(Channel(fmt, hooks.url(f"/{fmt}")) for fmt in ("json", "slack", "teams")))  # fmt: skip
        report = check_alerts(store, [rule(*channels)], now=AT_SPIKE, secrets=smtp_secrets(smtp))
        assert report.errors == []
        assert [r for r, _ in report.fired] == ["per-usa-volume_spike"]
        assert [(channel, status, error) for _, channel, status, error in report.deliveries] == [
            (c.label, "sent", None) for c in channels
        ]

        (message,) = smtp.messages
        assert message["Subject"] == (
            "[bilat] Coverage spike: PER-USA, 20 articles on 2026-03-31, 10.0 times the usual 2 a day"
        )
        assert message["To"] == "desk@example.org"
        assert message["From"] == "Bilat alerts <alerts@example.org>"
        assert message["Message-ID"].endswith("@example.org>")
        page = message.get_body(("html",)).get_content()
        assert (
            '<a href="https://news.example.org/spike/0">Peru &amp; US &lt;sign&gt; sweeping security pact</a>' in page
        )
        assert TITLE not in page  # never unescaped
        link = "https://bilat.example.org/spikes?pair=PER-USA&amp;from=2026-03-03&amp;to=2026-03-31&amp;freq=day"
        assert link in page
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert f"- {TITLE} (Outlet 0, 2026-03-31, 7 copies)\n  https://news.example.org/spike/0" in text

        (plain,) = hooks.payloads("/json")
        assert plain["type"] == "bilat.alert" and plain["rule"] == "per-usa-volume_spike"
        assert plain["facts"]["value"] == 20 and plain["facts"]["baseline"] == 2
        assert [s["url"] for s in plain["stories"]] == [f"https://news.example.org/spike/{k}" for k in range(3)]
        assert [s["copies"] for s in plain["stories"]] == [7, 7, 6]
        (slack,) = hooks.payloads("/slack")
        assert slack["text"].startswith("Coverage spike: PER-USA")
        assert "<https://news.example.org/spike/0|Peru &amp; US &lt;sign&gt; sweeping security pact>" in (
            slack["blocks"][1]["text"]["text"])  # fmt: skip
        (teams,) = hooks.payloads("/teams")
        assert teams["@type"] == "MessageCard"
        assert teams["potentialAction"][0]["targets"][0]["uri"] == plain["link"]
        assert r"Peru & US \<sign\> sweeping security pact" in teams["sections"][0]["text"]
        assert all(ctype == "application/json" for _, ctype, _ in hooks.received)

        # Later checks during the same spike send nothing.
        for hours in (1, 5):
            again = check_alerts(store, [rule(*channels)], now=AT_SPIKE + timedelta(hours=hours),
                                 secrets=smtp_secrets(smtp))  # fmt: skip
            assert again.fired == [] and again.deliveries == []
        assert len(smtp.messages) == 1 and len(hooks.received) == 3


def test_spike_over_then_new_spike_alerts_again(store, tmp_path):
    with HookServer() as hooks:
        rules = [rule(Channel("json", hooks.url("/h")))]
        assert len(check_alerts(store, rules, now=AT_SPIKE).fired) == 1
        quiet = check_alerts(store, rules, now=AT_SPIKE + timedelta(days=3))
        assert quiet.fired == [] and store.open_alert_episode("per-usa-volume_spike") is None
        later = SPIKE + timedelta(days=10)
        store_records(store, [r for r in coverage(later, days=0, prefix="b") if "spike" in r.url])
        again = check_alerts(store, rules, now=datetime(later.year, later.month, later.day, 20, tzinfo=UTC))
        assert len(again.fired) == 1
        assert [p["start"] for p in hooks.payloads("/h")] == ["2026-03-31", "2026-04-10"]


def test_tone_shift_and_threshold_rules(store):
    ref = datetime(2026, 3, 31, 18, tzinfo=UTC)
    from analytics import dataset, engine

    dataset.bring_up_to_date(store)
    source = engine.open_dataset(dataset.folder(store))
    try:
        tone = evaluate(source, rule(Channel("json", "http://x/"), kind="tone_shift"), ref)
        assert tone.holds and tone.signature == "tone:down" and tone.headline.startswith("Tone shift down: PER-USA")
        assert tone.facts["value"] < tone.facts["baseline"] - 0.5
        assert not evaluate(
            source, rule(Channel("json", "http://x/"), kind="tone_shift"), ref - timedelta(days=5)
        ).holds
        share = rule(Channel("json", "http://x/"), kind="threshold", metric="share", above=0.5, days=7)
        found = evaluate(source, share, ref)
        assert found.holds and found.facts["value"] == 1.0 and found.facts["articles"] == 32
        assert found.headline == "Threshold: PER-USA, share of coverage 100.0% over the last 7 days, above 50.0%"
        assert not evaluate(source, rule(Channel("json", "http://x/"), kind="threshold", metric="share", below=0.5,
                                         days=7), ref).holds  # fmt: skip
        net = rule(Channel("json", "http://x/"), kind="threshold", metric="net_tone", below=-0.2, days=1)
        assert evaluate(source, net, ref).holds
        assert not evaluate(source, net, ref - timedelta(days=1)).holds  # two articles the day before: too few
        too_few = rule(Channel("json", "http://x/"), kind="threshold", metric="net_tone", below=-0.2, days=1,
                       min_articles=21)  # fmt: skip
        assert not evaluate(source, too_few, ref).holds
    finally:
        source.backend.disconnect()


def test_the_rules_language_defaults_to_the_alerts_table(tmp_path):
    path = tmp_path / "alerts.toml"
    second = _GOOD.replace("r1", "r2") + 'ui = "en"\n'
    path.write_text('[alerts]\nui = "es"\n[[rule]]\n' + _GOOD + "[[rule]]\n" + second)
    settings = load_alerts(path)
    assert settings.ui == "es" and [r.ui for r in settings.rules] == ["es", "en"]
    path.write_text("[[rule]]\n" + _GOOD)
    assert [r.ui for r in load_alerts(path).rules] == ["en"]


def test_a_spanish_rule_alerts_in_spanish(store, tmp_path):
    with SmtpServer(tmp_path) as smtp, HookServer() as hooks:
        channels = (Channel("email", "desk@example.org"),
                    *(Channel(fmt, hooks.url(f"/{fmt}")) for fmt in ("json", "slack", "teams")))  # fmt: skip
        report = check_alerts(store, [rule(*channels, ui="es")], now=AT_SPIKE, secrets=smtp_secrets(smtp))
        assert report.errors == [] and [s for _, _, s, _ in report.deliveries] == ["sent"] * 4
        headline = "Pico de cobertura: PER-USA, 20 artículos el 31 mar 2026, 10,0 veces lo habitual (2 al día)"
        assert report.fired == [("per-usa-volume_spike", headline)]

        (message,) = smtp.messages
        assert message["Subject"] == f"[bilat] {headline}"
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert "Selección: PER-USA\nDías: del 31 mar 2026 al 31 mar 2026\n\nNotas principales:\n" in text
        assert f"- {TITLE} (Outlet 0, 31 mar 2026, 7 copias)\n" in text
        link = "https://bilat.example.org/spikes?pair=PER-USA&from=2026-03-03&to=2026-03-31&freq=day&ui=es"
        assert f"Ver en el tablero: {link}\n" in text
        assert "Regla per-usa-volume_spike de las alertas de bilat" in text
        assert "Top stories" not in text and "Open the dashboard" not in text
        page = message.get_body(("html",)).get_content()
        assert f'<a href="{link.replace("&", "&amp;")}">Ver en el tablero</a>' in page
        assert "<p>Notas principales:</p>" in page

        (slack,) = hooks.payloads("/slack")
        assert slack["text"] == headline
        assert slack["blocks"][1]["text"]["text"].startswith("Notas principales:\n• <https://news.example.org/spike/0|")
        assert slack["blocks"][2]["text"]["text"] == f"<{link.replace('&', '&amp;')}|Ver en el tablero>"
        (teams,) = hooks.payloads("/teams")
        assert teams["potentialAction"][0]["name"] == "Ver en el tablero"
        # The JSON payload's machine fields are the same as in English; its texts are Spanish.
        (plain,) = hooks.payloads("/json")
        assert (plain["ui"], plain["kind"], plain["start"], plain["end"], plain["link"]) == (
            "es", "volume_spike", "2026-03-31", "2026-03-31", link)  # fmt: skip
        assert {**plain["facts"], "score": None} == {"period": "2026-03-31", "value": 20.0, "baseline": 2.0,
                                                     "score": None, "articles": 20, "freq": "D"}  # fmt: skip
        assert plain["headline"] == headline


def test_spanish_tone_shift_threshold_and_test_headlines(store):
    from analytics import dataset, engine
    from analytics.alerts import sample_finding

    dataset.bring_up_to_date(store)
    source = engine.open_dataset(dataset.folder(store))
    try:
        tone = evaluate(source, rule(Channel("json", "http://x/"), kind="tone_shift", ui="es"), AT_SPIKE)
        assert tone.signature == "tone:down"
        assert tone.headline.startswith("Cambio de tono a la baja: PER-USA, tono medio -")
        assert " el 31 mar 2026, frente a " in tone.headline and tone.headline.endswith(" antes")
        share = rule(Channel("json", "http://x/"), kind="threshold", metric="share", above=0.5, days=7, ui="es")
        assert evaluate(source, share, AT_SPIKE).headline == (
            "Umbral: PER-USA, participación en la cobertura de 100,0\xa0% en los últimos 7 días, "
            "por encima de 50,0\xa0%")  # fmt: skip
        net = rule(Channel("json", "http://x/"), kind="threshold", metric="net_tone", below=-0.2, days=1, ui="es")
        found = evaluate(source, net, AT_SPIKE)
        assert found.headline == (
            f"Umbral: PER-USA, tono neto de {found.facts['value']:.2f} en el último día, por debajo de -0,20"
            .replace(".", ","))  # fmt: skip
        assert sample_finding(source, share, AT_SPIKE).headline.startswith("Prueba: Umbral: PER-USA")
        quiet = sample_finding(source, replace(share, above=None, below=0.5), AT_SPIKE)
        assert quiet.headline == ("Prueba de la regla de alerta per-usa-threshold: PER-USA; su condición no se cumple "
                                  "en este momento")  # fmt: skip
        # The same rules in English are unchanged.
        assert evaluate(source, replace(share, ui="en"), AT_SPIKE).headline.startswith("Threshold: PER-USA, share of")
    finally:
        source.backend.disconnect()


def test_down_channels_are_retried_until_up(store, tmp_path):
    smtp_port, hook_port = free_port(), free_port()
    (tmp_path / "old").mkdir()
    secrets = smtp_secrets(None, port=smtp_port)
    secrets["smtp"]["cafile"] = self_signed(tmp_path / "old")[1]
    channels = (Channel("email", "desk@example.org"), Channel("slack", f"http://127.0.0.1:{hook_port}/hook"))
    settings = AlertSettings(rules=(rule(*channels),), max_attempts=5, timeout=3)

    first = check_alerts(store, settings, now=AT_SPIKE, secrets=secrets)
    assert len(first.fired) == 1
    assert [(status, error.split(" (")[0]) for _, _, status, error in first.deliveries] == [
        ("pending", f"the SMTP server 127.0.0.1:{smtp_port} is unreachable"),
        ("pending", f"the webhook http://127.0.0.1:{hook_port}/hook is unreachable"),
    ]
    pending = store.alert_deliveries(status="pending")
    assert [(d["attempts"], d["sent_at"]) for d in pending] == [(1, None), (1, None)]

    second = check_alerts(store, settings, now=AT_SPIKE + timedelta(hours=1), secrets=secrets)
    assert second.fired == [] and [d[2] for d in second.deliveries] == ["pending", "pending"]

    with SmtpServer(tmp_path, port=smtp_port) as smtp, HookServer(port=hook_port) as hooks:
        third = check_alerts(store, settings, now=AT_SPIKE + timedelta(hours=2), secrets=smtp_secrets(smtp))
        assert third.fired == [] and [d[2:] for d in third.deliveries] == [("sent", None), ("sent", None)]
        assert len(smtp.messages) == 1 and len(hooks.received) == 1
        assert smtp.messages[0]["Subject"].startswith("[bilat] Coverage spike: PER-USA")
        fourth = check_alerts(store, settings, now=AT_SPIKE + timedelta(hours=3), secrets=smtp_secrets(smtp))
        assert fourth.deliveries == [] and len(smtp.messages) == 1 and len(hooks.received) == 1
    sent = store.alert_deliveries(status="sent")
    assert [(d["attempts"], d["last_error"]) for d in sent] == [(3, None), (3, None)]


def test_failing_webhook_is_given_up_after_max_attempts(store):
    with HookServer() as hooks:
        hooks.status["/broken"] = 500
        settings = AlertSettings(rules=(rule(Channel("json", hooks.url("/broken"))),), max_attempts=2, timeout=3)
        first = check_alerts(store, settings, now=AT_SPIKE)
        assert first.deliveries[0][2:] == ("pending", f"the webhook {hooks.url('/broken')} answered HTTP 500")
        second = check_alerts(store, settings, now=AT_SPIKE + timedelta(hours=1))
        assert second.deliveries[0][2] == "failed"
        third = check_alerts(store, settings, now=AT_SPIKE + timedelta(hours=2))
        assert third.deliveries == [] and len(hooks.received) == 2
    (failed,) = store.alert_deliveries(status="failed")
    assert failed["attempts"] == 2 and "HTTP 500" in failed["last_error"]


def test_missing_smtp_settings_are_the_delivery_error(store):
    report = check_alerts(store, [rule(Channel("email", "desk@example.org"))], now=AT_SPIKE, secrets={})
    assert report.deliveries[0][2:] == ("pending", "no SMTP server: set BILAT_SMTP_HOST (or host in the [smtp] "
                                                   "table of the secrets file)")  # fmt: skip


# --- the command line --------------------------------------------------------------------


def _write_rules(path, url: str) -> None:
    path.write_text(f'[alerts]\ntimeout = 3\n[[rule]]\nid = "spike"\npair = "PER-USA"\nkind = "volume_spike"\n'
                    f'channels = [{{ url = "{url}", format = "json" }}]\n')  # fmt: skip


def test_alerts_test_and_check_commands(store, tmp_path, capsys):
    rules = tmp_path / "rules.toml"
    with HookServer() as hooks:
        _write_rules(rules, hooks.url("/cli"))
        assert cli.main(["alerts", "test", "spike", "--alerts", str(rules), "--db", str(store.path)]) == 0
        out = capsys.readouterr().out
        assert f"sent    json:{hooks.url('/cli')}" in out and "1 of 1 channels reached" in out
        (sample,) = hooks.payloads("/cli")
        assert sample["headline"].startswith("Test of alert rule spike: PER-USA")
        assert store.alert_deliveries() == []  # a test is not an episode
        assert cli.main(["alerts", "check", "--alerts", str(rules), "--db", str(store.path)]) == 0
        assert "1 rules, 0 fired, 0 of 0 deliveries sent" in capsys.readouterr().err  # the stored spike is long past
    _write_rules(rules, f"http://127.0.0.1:{free_port()}/down")
    assert cli.main(["alerts", "test", "spike", "--alerts", str(rules), "--db", str(store.path)]) == 3
    assert "FAILED  json:http://127.0.0.1:" in capsys.readouterr().out
    assert cli.main(["alerts", "test", "nope", "--alerts", str(rules), "--db", str(store.path)]) == 1
    assert "no rule with id 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        cli.main(["alerts", "test", "--alerts", str(rules), "--db", str(store.path)])
    assert usage.value.code == 2 and "the following arguments are required: RULE" in capsys.readouterr().err


def test_pull_fires_alerts_and_keeps_its_exit_status(tmp_path, capsys):
    """A pull of a file source whose last day spikes (dates relative to the time of the test, since
    the pull checks at the current time) delivers the alert; broken alerts never fail the pull."""
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    lines = [json.dumps({"url": r.url, "title": r.title, "text": r.text, "published": r.published.isoformat(),
                         "outlet": r.outlet, "source_country": r.source_country})
             for r in coverage(yesterday)]  # fmt: skip
    (tmp_path / "articles.jsonl").write_text("\n".join(lines) + "\n")
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nid = "file"\nkind = "file"\nurl = "articles.jsonl"\noutlet = "Example"\n')
    rules, db = tmp_path / "rules.toml", str(tmp_path / "pulled.sqlite")
    with HookServer() as hooks:
        _write_rules(rules, hooks.url("/pull"))
        assert cli.main(["pull", "--db", db, "--sources", str(sources), "--alerts", str(rules)]) == 0
        (payload,) = hooks.payloads("/pull")
        assert payload["start"] == yesterday.isoformat() and payload["facts"]["value"] == 20
        assert "alert spike fired: Coverage spike: PER-USA" in capsys.readouterr().err
    # The same pull again (nothing new), with the webhook down: the episode already alerted.
    assert cli.main(["pull", "--db", db, "--sources", str(sources), "--alerts", str(rules)]) == 0
    rules.write_text('[[rule]]\nid = "x"\npassword = "hunter2"\n')
    assert cli.main(["pull", "--db", db, "--sources", str(sources), "--alerts", str(rules)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("bilat: alerts not checked: ") and "looks like a secret" in err[-1]
    # A channel that is down: recorded, and the pull still succeeds.
    with Store(db) as store:
        store.close_alert_episodes("spike", "2026-01-01T00:00:00Z")
    _write_rules(rules, f"http://127.0.0.1:{free_port()}/down")
    assert cli.main(["pull", "--db", db, "--sources", str(sources), "--alerts", str(rules)]) == 0
    assert "pending  spike -> json:http://127.0.0.1:" in capsys.readouterr().err
    with Store(db) as store:
        assert [d["status"] for d in store.alert_deliveries()] == ["sent", "pending"]


def test_a_version_7_store_gains_the_alert_tables(tmp_path):
    import sqlite3

    path = tmp_path / "v7.sqlite"
    with Store(path) as opened:
        assert opened.schema_version() == 8
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE alert_deliveries")
    conn.execute("DROP TABLE alert_episodes")
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()
    with Store(path) as opened:
        assert opened.schema_version() == 8
        version = opened.data_version()
        episode = opened.start_alert_episode("r", "volume", "2026-03-31", "{}", ["email:a@example.org"], "T1")
        assert opened.open_alert_episode("r")["id"] == episode
        assert opened.record_alert_delivery(1, error="down", now="T2", max_attempts=2) == "pending"
        assert opened.record_alert_delivery(1, error="down", now="T3", max_attempts=2) == "failed"
        assert opened.close_alert_episodes("r", "T4") == 1 and opened.open_alert_episode("r") is None
        # Alert bookkeeping is not data: the dashboard's caches and the analysis dataset stay current.
        assert opened.data_version() == version
