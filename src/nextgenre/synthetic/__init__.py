"""The synthetic stand-in dataset: users, tweets and a track catalogue in the raw schema,
calibrated to the paper's published Tables I-IV (paper/tables.yaml), with planted effects whose
truth is written beside the data.

What it is: a generator whose output, once `ingest` has read it, reproduces the paper's counts
(users per group, music sessions per genre, sessions with a stress score per interval and their
genre mix per group), with enough structure that the study's questions can be asked of it, and
known answers (planted effects, the true probability of every session's genre) that the study
must recover. What it is not: data about people. Results on it test the pipeline, not the
paper's hypothesis.

Modules, in the order the generator uses them:
- plan: the target counts from Tables I-IV (and the reasoning for the groups the tables lack);
- sessions: sessions per user, their genre chain, the bucket of their first following tweet,
  their local times;
- effects: the planted effects (mood -> music, longer memory, lyrics), each a strength knob;
- catalogue: tracks with raw tags, titles, artists and lyrics, and the track of every share;
- links: the surface forms in which tweets write a track's url;
- tweets: ordinary tweets' times and latent stress, music-share texts, timestamps;
- text: the words of lyrics, titles, artists and ordinary tweets;
- dataset: all of it assembled (`generate`) and written (`write_raw`);
- truth: the truth beside the data (`write_truth`), the from-history ceiling and the accuracies
  of oracle, ceiling and repeat-last on given samples;
- calibration: the calibrated constants (calibration.yaml) and how close ingest's
  data/ingest.json comes to the paper's tables.
The study's knobs are in params.yaml `synthetic:`, the calibrated constants in calibration.yaml.
"""

from nextgenre.synthetic.dataset import generate, write_raw
from nextgenre.synthetic.plan import derived_ptsd_users, plan
from nextgenre.synthetic.truth import write_truth

__all__ = ["derived_ptsd_users", "generate", "plan", "write_raw", "write_truth"]
