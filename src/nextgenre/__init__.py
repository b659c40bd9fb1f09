"""nextgenre: next-music-genre prediction for Twitter users, as a DVC pipeline."""
