from nextgenre.constants import GENRES
from nextgenre.taxonomy import AMBIGUOUS, NO_GENRE, Taxonomy, normalize_tag


def test_tag_normalisation():
    assert normalize_tag("  Hip-Hop ") == "hip hop"
    assert normalize_tag("Drum_and__Bass") == "drum and bass"
    assert normalize_tag("K-POP") == "k pop"


def test_yaml_covers_six_genres():
    tax = Taxonomy.load()
    assert set(tax.tag_genre.values()) == set(GENRES)


def test_resolution():
    tax = Taxonomy.load()
    assert tax.resolve("hip hop;Rap").genre == "hiphop"
    assert tax.resolve("Indie_Rock").genre == "rock"
    assert tax.resolve("jazz;soul").genre == "jazz"  # others-tags never make it ambiguous
    assert tax.resolve("soul;funk").genre == "others"
    r = tax.resolve("polka; afro-cuban")
    assert (r.genre, r.unlisted) == ("others", ["polka", "afro cuban"])
    r = tax.resolve("pop;rock;soul")
    assert (r.genre, r.reason) == (None, AMBIGUOUS)
    assert tax.resolve("pop;dance pop;synthpop").genre == "pop"  # several tags, one genre
    assert tax.resolve("").reason == NO_GENRE
    assert tax.resolve(" ; ;").reason == NO_GENRE
