"""The import of public listening tweets: phrasings, artist keys, genre rules, bad input."""

from __future__ import annotations

import shutil

import pytest

from nextgenre.errors import RawDataError
from nextgenre.realdata.archive import read_archive
from nextgenre.realdata.artists import artist_key, match_artist, read_genre_table, title_key
from nextgenre.realdata.importer import headline, import_archives, track_url, write_raw
from nextgenre.realdata.phrasing import parse_listen
from nextgenre.realdata.sources import check_source
from nextgenre.realdata.tweets import LineError, parse_line
from nextgenre.schema import read_raw
from nextgenre.taxonomy import AMBIGUOUS, NO_GENRE, Taxonomy
from tests.conftest import ROOT, run, set_params
from tests.realdata_fixtures import GENRE_TABLE, good_lines, lastfm_text, tweet_json, write_archive, write_table

KEY = b"test-key"


# --- phrasings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, service, title, artist",
    [
        (
            "I’m listening to Blue Window by Paper Lanterns http://t.co/x1 via @lastfm",
            "lastfm",
            "Blue Window",
            "Paper Lanterns",
        ),
        (
            "so good! i'm listening to Blue Window by Paper Lanterns http://t.co/x1 via @lastfm #tag",
            "lastfm",
            "Blue Window",
            "Paper Lanterns",
        ),
        ("I'm listening to Night &amp; Day by Paper Lanterns via @lastfm", "lastfm", "Night & Day", "Paper Lanterns"),
        (
            'I\'m listening to "Blue Window" by Paper Lanterns on Pandora http://pdora.co/x #pandora',
            "pandora",
            "Blue Window",
            "Paper Lanterns",
        ),
        (
            "I'm listening to Blue Window by Paper Lanterns on Pandora http://pdora.co/x\n#pandora",
            "pandora",
            "Blue Window",
            "Paper Lanterns",
        ),
        (
            "I am listening to Blue Window by Paper Lanterns on Pandora #pandora",
            "pandora",
            "Blue Window",
            "Paper Lanterns",
        ),
        (
            "#NowPlaying Blue Window by Paper Lanterns on #Spotify http://spoti.fi/x",
            "spotify",
            "Blue Window",
            "Paper Lanterns",
        ),
        (
            "I'm listening to Blue Window by Paper Lanterns on #Spotify http://spoti.fi/x",
            "spotify",
            "Blue Window",
            "Paper Lanterns",
        ),
        (
            "#nowplaying Paper Lanterns – Blue Window on Spotify http://spoti.fi/x",
            "spotify",
            "Blue Window",
            "Paper Lanterns",
        ),
        (
            "My new jam: Paper Lanterns – Blue Window http://t.thisismyjam.com/someone/x",
            "myjam",
            "Blue Window",
            "Paper Lanterns",
        ),
        (
            '#nowplaying "Blue Window" by Paper Lanterns http://t.thisismyjam.com/someone/x',
            "myjam",
            "Blue Window",
            "Paper Lanterns",
        ),
    ],
)
def test_every_service_phrasing_gives_title_and_artist(text, service, title, artist):
    got_service, candidates = parse_listen(text)
    assert got_service == service
    assert candidates[0] == (title, artist)


def test_a_title_with_by_offers_every_split_last_first():
    _, candidates = parse_listen(lastfm_text("Stand By The Door", "Paper Lanterns"))
    assert candidates == [("Stand By The Door", "Paper Lanterns"), ("Stand", "The Door by Paper Lanterns")]


@pytest.mark.parametrize(
    "text", ["just a tweet about music", "I'm listening to nothing via @lastfm", "#nowplaying on spotify"]
)
def test_other_texts_are_not_listening_tweets(text):
    assert parse_listen(text) is None


# --- artist keys and the genre table ------------------------------------------------------


def test_artist_normalisation():
    assert artist_key("The Paper Lanterns") == artist_key("paper lanterns") == "paper lanterns"
    assert artist_key("Señora Volt") == artist_key("SENORA VOLT") == "senora volt"
    assert artist_key("Salt & Stone") == artist_key("Salt and Stone") == "salt and stone"
    assert artist_key("MC Fictional feat. Someone") == artist_key("MC Fictional (ft. Someone)") == "mc fictional"
    assert title_key("Blue Window (feat. X)") == "blue window"


def test_matching_falls_back_to_the_lead_artist(tmp_path):
    table = read_genre_table(write_table(tmp_path / "g.csv"))
    assert match_artist("The Paper Lanterns", table) == ("paper lanterns", "exact")
    assert match_artist("Quiet Quartet & Friends", table) == ("quiet quartet", "lead artist")
    assert match_artist("Someone Unknown", table)[1] is None


def test_genre_table_without_genres_column_names_file_and_column(tmp_path):
    path = write_table(tmp_path / "g.csv", "artists,popularity\nA,1\n")
    with pytest.raises(RawDataError, match=r"g\.csv, column 'genres': missing"):
        read_genre_table(path)


def test_genre_table_with_a_bad_genre_list_names_the_row(tmp_path):
    path = write_table(tmp_path / "g.csv", "artists,genres\nA,['pop']\nB,not a list\n")
    with pytest.raises(RawDataError, match=r"row 2, column 'genres'"):
        read_genre_table(path)


# --- taxonomy rules for micro-genres ---------------------------------------------------------


@pytest.mark.parametrize(
    "tag, parent, rule",
    [
        ("dance pop", "pop", "listed tag"),
        ("country rock", "rock", "word 'rock'"),
        ("pop rock", "rock", "word 'rock'"),  # the last rule word decides
        ("rap rock", "rock", "word 'rock'"),
        ("hardcore hip hop", "hiphop", "word 'hip hop'"),
        ("electro house", "electronic", "word 'house'"),
        ("jazz funk", "jazz", "word 'jazz'"),
        ("alternative metal", "rock", "word 'metal'"),
        ("rockabilly", "others", "no rule word"),  # whole words only
        ("mellow gold", "others", "no rule word"),
    ],
)
def test_word_rules(tag, parent, rule):
    assert Taxonomy.load().tag_parent(tag) == (parent, rule)


def test_artist_with_two_named_parents_is_dropped_or_decided_by_majority():
    taxonomy = Taxonomy.load()
    tags = ["dance pop", "pop", "rap"]
    assert taxonomy.resolve_tags(tags) == (None, AMBIGUOUS)
    assert taxonomy.resolve_tags(tags, "majority") == ("pop", "listed tag")
    assert taxonomy.resolve_tags(["pop", "rap"], "majority") == (None, AMBIGUOUS)  # a tie
    assert taxonomy.resolve_tags([]) == (None, NO_GENRE)
    assert taxonomy.resolve_tags(["mellow gold", "soul"])[0] == "others"


# --- lines of an archive --------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, field",
    [
        (b"not a number,{}", "collection time"),
        (b'1391000000,{"text": "x"', "tweet JSON"),
        (b"1391000000," + tweet_json(1, "u", "x", drop=("created_at",)).encode(), "created_at"),
        (b"1391000000," + tweet_json(1, "u", "x", drop=("user",)).encode(), "user"),
    ],
)
def test_a_line_that_does_not_fit_names_its_field(line, field):
    with pytest.raises(LineError) as info:
        parse_line(line)
    assert info.value.field == field


def test_a_line_gives_time_offset_and_retweet_flag():
    tweet = parse_line(b"1391000000," + tweet_json(1, "u", "x", minute=75, offset=-18000, retweet=True).encode())
    assert tweet.created_at.isoformat() == "2014-01-29T11:15:00+00:00"
    assert tweet.utc_offset_minutes == -300 and tweet.retweet


# --- archives -------------------------------------------------------------------------------


def archive_lines(path, max_unpacked_mb: float) -> list[tuple[str, int, bytes]]:
    lines = []
    read_archive(path, max_unpacked_mb, lambda *line: lines.append(line))
    return lines


def test_not_a_7z_file_names_the_file(tmp_path):
    path = tmp_path / "fake.7z"
    path.write_bytes(b"this is not an archive at all")
    with pytest.raises(RawDataError, match=r"fake\.7z: not a readable 7z archive"):
        archive_lines(path, 100)


def test_truncated_archive_names_the_file(tmp_path):
    good = write_archive(tmp_path / "good.7z", good_lines())
    cut = tmp_path / "cut.7z"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(RawDataError, match=r"cut\.7z: not a readable 7z archive"):
        archive_lines(cut, 100)


def test_empty_archive_names_the_file(tmp_path):
    path = write_archive(tmp_path / "empty.7z", [], name="tweets.json")
    with pytest.raises(RawDataError, match=r"empty\.7z: no text in the archive: its files hold no lines"):
        archive_lines(path, 100)


def test_an_archive_over_the_size_cap_is_refused(tmp_path):
    path = write_archive(tmp_path / "big.7z", ["1," + "x" * 200_000])
    with pytest.raises(RawDataError, match=r"realdata.max_unpacked_mb"):
        archive_lines(path, 0.1)


# --- the import -----------------------------------------------------------------------------


def test_import_builds_a_raw_folder_that_ingest_reads(tmp_path):
    lines = good_lines()
    lines.append("1391000000," + tweet_json(900, "100", lastfm_text("Blue Window", "Paper Lanterns"), retweet=True))
    lines.append("1391000000," + tweet_json(901, "100", "an ordinary tweet"))
    lines.append(lines[0])  # collected twice
    archive = write_archive(tmp_path / "a.7z", lines)
    imported = import_archives([archive], write_table(tmp_path / "g.csv"), KEY, max_bad_share=0.0)
    m = imported.metrics
    assert m["dropped"]["retweet"] == 1 and m["dropped"]["unparseable"] == 1
    assert m["dropped"]["duplicate"] == 1 and m["dropped"]["no_genre"] == 4  # "Nobody Knows"
    assert m["sessions"] == 24 - 4 and m["users"] == 4
    assert m["sessions_per_genre"]["rock"] == 8 and m["sessions_per_genre"]["jazz"] == 4
    assert m["sessions_per_genre_rule"]["electronic"] == {"word 'house'": 4}
    assert m["artist_match"]["tweets_by_how"] == {"exact": 24}
    # The metrics are the headline numbers only; every count above stays in the raw folder.
    assert headline(m) == {
        "import": {
            "lines": m["lines"],
            "sessions": 20,
            "users": 4,
            "tracks": m["tracks"],
            "ambiguous_share": m["ambiguous_share"],
            "artist_match_rate": m["artist_match"]["tweets_rate"],
        }
    }
    raw = tmp_path / "raw"
    raw.mkdir()
    write_raw(imported, raw)
    checked = read_raw(raw)
    assert set(checked.users["group"]) == {"control"}
    assert (checked.users["utc_offset"] == 60).all()
    assert checked.tweets["text"].isin(checked.tracks["url"]).all()
    folder_text = "".join(p.read_text() for p in raw.iterdir())
    assert "100" not in checked.users["user_id"].tolist() and "9000000" not in folder_text
    assert track_url("paper lanterns", "blue window") in folder_text


def test_a_few_broken_lines_are_dropped_and_counted(tmp_path):
    lines = good_lines(n_users=10, per_user=20)
    lines[5] = "1391000000,{broken json"
    archive = write_archive(tmp_path / "a.7z", lines)
    imported = import_archives([archive], write_table(tmp_path / "g.csv"), KEY, max_bad_share=0.01)
    assert imported.metrics["dropped"]["bad_line"] == 1
    assert imported.metrics["bad_line_fields"] == {"tweet JSON": 1}


def test_too_many_broken_lines_stop_with_file_line_and_field(tmp_path):
    lines = good_lines()
    lines[2] = "1391000000," + tweet_json(2, "u", "x", drop=("created_at",))
    archive = write_archive(tmp_path / "a.7z", lines)
    with pytest.raises(RawDataError, match=r"a\.7z \(tweets\.json\): line 3, field 'created_at'"):
        import_archives([archive], write_table(tmp_path / "g.csv"), KEY, max_bad_share=0.01)


def test_missing_or_wrong_source_names_the_fetch_command(tmp_path):
    with pytest.raises(RawDataError, match=r"all_tweets_lastfm\.7z: not found: get it with `dvc update"):
        check_source(tmp_path / "all_tweets_lastfm.7z")
    (tmp_path / "data_w_genres.csv").write_text(GENRE_TABLE)
    with pytest.raises(RawDataError, match=r"sha256 differs.*dvc import-url --force https://"):
        check_source(tmp_path / "data_w_genres.csv")


def test_stage_leaves_nothing_half_written_on_bad_input(tmp_path):
    """The stage in a copy of the repository: a bad archive stops it with one message, and
    neither the raw folder nor metrics/import.json appear."""
    repo = tmp_path / "repo"
    for part in ("stages", "src"):
        shutil.copytree(ROOT / part, repo / part, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "params.yaml", repo / "params.yaml")
    (repo / "real").mkdir()
    shutil.copy(ROOT / "real" / "dvc.yaml", repo / "real" / "dvc.yaml")  # the stage reads its declared params
    bad = write_archive(tmp_path / "bad.7z", ["not a number,{}"] * 3)
    set_params(
        repo / "params.yaml", {"realdata.archives": [str(bad)], "realdata.genres": str(write_table(tmp_path / "g.csv"))}
    )
    proc = run(["python", "stages/import_tweets.py"], repo, check=False, env={"NEXTGENRE_PSEUDONYM_KEY": "k"})
    assert proc.returncode == 2
    assert "bad.7z (tweets.json): line 1, field 'collection time'" in proc.stderr
    assert not (repo / "data").exists() and not (repo / "metrics").exists()
