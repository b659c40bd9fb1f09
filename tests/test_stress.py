import numpy as np

from nextgenre.stress import compound_to_stress, score_texts, scores


def test_mapping_onto_tensistrength_scale():
    assert compound_to_stress([1.0, 0.3, 0.0, -0.5, -1.0]).tolist() == [-1.0, -1.0, -1.0, -3.0, -5.0]


def test_scores_in_range_and_ordered():
    s = score_texts(
        ["what a lovely calm day", "I am so stressed, anxious and terrified, awful", "the bus comes at nine"]
    )
    assert np.all((s >= -5) & (s <= -1))
    assert s[1] < -3 and s[0] == -1.0 and s[2] == -1.0


def test_override_wins_where_given():
    texts = ["I am so stressed, anxious and terrified, awful"] * 3
    out = scores(texts, override=[-2.0, np.nan, -5.0])
    assert out[0] == -2.0 and out[2] == -5.0 and out[1] < -3
