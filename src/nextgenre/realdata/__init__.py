"""Real public music shares: the "now listening" tweets of Dooms et al. (2014), with per-artist
Spotify genres, turned into the raw schema (README "Real data: Last.fm listening tweets")."""
