"""The import of public listening tweets: phrasings, artist keys, genre rules, bad input."""

from __future__ import annotations

import gzip
import json
import shutil
import tempfile

import py7zr
import pytest

from nextgenre.errors import RawDataError
from nextgenre.realdata.archive import _LineReader, read_archive
from nextgenre.realdata.artists import artist_key, match_artist, read_genre_table, title_key
from nextgenre.realdata.importer import headline, import_archives, track_url, write_raw
from nextgenre.realdata.phrasing import parse_listen
from nextgenre.realdata.sources import check_source
from nextgenre.realdata.tweets import BAD_TIME, LineError, parse_line
from nextgenre.schema import read_raw
from nextgenre.taxonomy import AMBIGUOUS, NO_GENRE, Taxonomy
from tests.conftest import ROOT, run, set_params
from tests.realdata_fixtures import (
    GENRE_TABLE,
    good_lines,
    lastfm_text,
    tweet_json,
    write_archive,
    write_members,
    write_table,
)

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
    with pytest.raises(RawDataError, match=r"sha256 differs.*python -m nextgenre.realdata.fetch --from"):
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
    (repo / "data/external").mkdir(parents=True)
    write_archive(repo / "data/external/bad.7z", ["not a number,{}"] * 3)
    write_table(repo / "data/external/g.csv")
    set_params(repo / "params.yaml", {"realdata.archives": ["bad.7z"], "realdata.genres": "g.csv"})
    proc = run(["python", "stages/import_tweets.py"], repo, check=False)
    assert proc.returncode == 2
    assert "bad.7z (tweets.json): line 1, field 'collection time'" in proc.stderr
    assert not (repo / "data/raw").exists() and not (repo / "metrics").exists()


# --- round three (issue 31): whatever the importer accepts, ingest accepts --------------------


def _with(n: int, user: str = "100", **fields) -> str:
    """A listening tweet's line, with top-level fields (or user.<field>) replaced."""
    tweet = json.loads(tweet_json(n, user, lastfm_text("Blue Window", "Paper Lanterns")))
    for name, value in fields.items():
        if name.startswith("user_"):
            tweet["user"][name[5:]] = value
        else:
            tweet[name] = value
    return "1391000000," + json.dumps(tweet)


@pytest.mark.parametrize(
    "created, in_range",
    [
        ("Mon Jan 01 00:00:00 +0000 1900", True),
        ("Sun Dec 31 23:59:59 +0000 1899", False),
        ("Mon Jan 01 00:30:00 +0100 1900", False),  # 1899-12-31T23:30Z
        ("Wed Dec 31 23:59:59 +0000 2191", True),
        ("Wed Dec 31 23:30:00 -0100 2191", False),  # 2192-01-01T00:30Z
        ("Mon Jan 01 00:00:00 +0000 9999", False),
        ("Mon Jan 01 00:00:00 +0000 0001", False),
    ],
)
def test_created_at_outside_the_pipelines_times_is_a_bad_time(created, in_range):
    line = _with(1, created_at=created).encode()
    if in_range:
        assert parse_line(line).created_at.year in (1900, 2191)
    else:
        with pytest.raises(LineError) as caught:
            parse_line(line)
        assert caught.value.reason == BAD_TIME and caught.value.field == "created_at"


def test_out_of_range_times_are_dropped_counted_and_ingest_accepts_the_rest(tmp_path):
    lines = good_lines(n_users=10, per_user=20)
    lines[3] = _with(3, created_at="Mon Jan 01 00:00:00 +0000 9999")
    lines[7] = _with(7, created_at="Mon Jan 01 00:00:00 +0000 0001")
    archive = write_archive(tmp_path / "a.7z", lines)
    imported = import_archives([archive], write_table(tmp_path / "g.csv"), KEY, max_bad_share=0.01)
    m = imported.metrics
    assert m["dropped"]["bad_time"] == 2 and m["dropped"]["bad_line"] == 0 and m["bad_line_fields"] == {}
    assert m["sessions"] + sum(m["dropped"].values()) == m["lines"] == 200
    raw = tmp_path / "raw"
    raw.mkdir()
    write_raw(imported, raw)
    assert len(read_raw(raw).tweets) == m["sessions"]


def test_too_many_bad_times_stop_with_file_line_and_field(tmp_path):
    lines = good_lines()
    lines[1] = _with(1, created_at="Mon Jan 01 00:00:00 +0000 9999")
    archive = write_archive(tmp_path / "a.7z", lines)
    with pytest.raises(RawDataError, match=r"line 2, field 'created_at': outside 1900-01-01T00:00:00Z"):
        import_archives([archive], write_table(tmp_path / "g.csv"), KEY, max_bad_share=0.01)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"user_utc_offset": float("nan")}, "user.utc_offset"),
        ({"user_utc_offset": float("inf")}, "user.utc_offset"),
        ({"user_utc_offset": 10**400}, "user.utc_offset"),
        ({"user_utc_offset": 14 * 3600 + 31}, "user.utc_offset"),
        ({"user_id_str": "\ud800"}, "user.id_str"),
        ({"user_id_str": "   "}, "user.id_str"),
        ({"id_str": " "}, "id_str"),
        ({"text": "x" * 2001}, "text"),
    ],
)
def test_values_the_raw_schema_would_refuse_are_broken_lines(fields, field):
    with pytest.raises(LineError) as caught:
        parse_line(_with(1, **fields).encode())
    assert caught.value.field == field and caught.value.reason == "bad_line"


def test_a_line_that_is_not_utf8_is_a_broken_line():
    line = _with(1).encode().replace(b"Blue", b"Bl\xe9e")
    with pytest.raises(LineError, match="encoding: bytes that are not UTF-8"):
        parse_line(line)


def test_ids_are_taken_without_surrounding_white_space():
    tweet = parse_line(_with(1, user_id_str=" 100 ", id_str="\t9 ").encode())
    assert (tweet.user_id, tweet.tweet_id) == ("100", "9")


@pytest.mark.parametrize("name", ["../../x.json", "/abs/x.json", "a/../../x.json", "C:/x.json", "..\\x.json"])
def test_an_unsafe_member_name_is_refused_as_such(tmp_path, name):
    work = tmp_path / "deep" / "er"
    work.mkdir(parents=True)
    archive = write_members(work / "evil.7z", [(name, "\n".join(good_lines()).encode())])
    with pytest.raises(RawDataError, match=r"evil\.7z \(member .*\): an unsafe member name"):
        read_archive(archive, 100, lambda *line: None)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["deep", "er", "evil.7z"]


def test_an_archive_with_only_folders_or_empty_files_has_no_text(tmp_path):
    folders = tmp_path / "folders.7z"
    (tmp_path / "just-a-folder").mkdir()
    with py7zr.SevenZipFile(folders, "w") as archive:
        archive.write(tmp_path / "just-a-folder", "just-a-folder")
    with pytest.raises(RawDataError, match=r"folders\.7z: no text files in the archive"):
        read_archive(folders, 100, lambda *line: None)
    empty = write_members(tmp_path / "empty.7z", [("a.json", b""), ("b.json", b"\n  \n")])
    with pytest.raises(RawDataError, match=r"empty\.7z: no text in the archive: its files hold no lines"):
        read_archive(empty, 100, lambda *line: None)


@pytest.mark.parametrize(
    "data",
    [
        gzip.compress("\n".join(good_lines()).encode(), mtime=0),
        "\n".join(good_lines()).encode("utf-16"),
        bytes(range(256)) * 4,
    ],
    ids=["gzip", "utf-16", "binary"],
)
def test_a_member_that_is_not_utf8_text_is_refused_as_such(tmp_path, data):
    archive = write_members(tmp_path / "b.7z", [("a.json", "\n".join(good_lines()).encode()), ("b.bin", data)])
    with pytest.raises(RawDataError, match=r"b\.7z \(b\.bin\): not UTF-8 text \(binary data, or another encoding"):
        read_archive(archive, 100, lambda *line: None)


def test_members_are_read_in_name_order_whatever_their_order_in_the_archive(tmp_path):
    lines = good_lines()
    archive = write_members(
        tmp_path / "a.7z", [("b.json", "\n".join(lines[12:]).encode()), ("a.json", "\n".join(lines[:12]).encode())]
    )
    read = archive_lines(archive, 100)
    assert [(member, number) for member, number, _ in read] == [("a.json", i) for i in range(1, 13)] + [
        ("b.json", i) for i in range(1, 13)
    ]
    assert [line.decode() for _, _, line in read] == lines


def test_lines_keep_their_numbers_across_blank_lines_and_line_ends(tmp_path):
    archive = write_members(tmp_path / "a.7z", [("a.json", b"one\r\n\n  \ntwo\r\r\nthree")])
    assert archive_lines(archive, 100) == [("a.json", 1, b"one"), ("a.json", 4, b"two"), ("a.json", 5, b"three")]


def test_the_cap_counts_the_bytes_actually_produced(tmp_path):
    """py7zr stops a member at its declared size, so the sizes in the header (checked first, as
    in test_an_archive_over_the_size_cap_is_refused) bound what it produces; the reader counts
    what comes through all the same, whatever a header says."""
    reader = _LineReader(tmp_path / "a.7z", 1000, lambda *line: None)
    member = reader.create("a.json")
    member.write(b"x" * 600)
    with pytest.raises(Exception) as caught:
        reader.create("b.json").write(b"y" * 401)
    assert isinstance(caught.value.error, RawDataError)
    assert "realdata.max_unpacked_mb" in str(caught.value.error)


def test_the_archive_is_not_unpacked_to_disk(tmp_path, monkeypatch):
    """Members reach the reader without a file of theirs: extractall is never called, and the
    temporary folder py7zr checks names against stays empty."""
    archive = write_archive(tmp_path / "a.7z", good_lines())

    def no_extractall(*args, **kwargs):
        raise AssertionError("extractall called")

    monkeypatch.setattr(py7zr.SevenZipFile, "extractall", no_extractall)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    seen = []
    read_archive(archive, 100, lambda *line: seen.append([p for p in (tmp_path / "tmp").rglob("*") if not p.is_dir()]))
    assert len(seen) == 24 and all(files == [] for files in seen)


def test_a_genre_that_is_not_text_names_the_row(tmp_path):
    """A lone surrogate (a Python escape in the list) could not be written to tracks.csv."""
    table = write_table(tmp_path / "g.csv", GENRE_TABLE + "Odd Band,1,\"['\\ud800 rock']\"\n")
    with pytest.raises(RawDataError, match=r"g\.csv, row 8, column 'genres': not a list of genre names"):
        read_genre_table(table)
