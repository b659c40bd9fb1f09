"""Names shared by every stage: genres, user groups, times of day, stress windows, class schemes."""

GENRES = ("jazz", "electronic", "hiphop", "pop", "rock", "others")
NAMED_GENRES = GENRES[:5]
# One colour per genre, the same in every figure (matplotlib colours).
GENRE_COLORS = {
    "jazz": "#8c564b",
    "electronic": "#17becf",
    "hiphop": "#d62728",
    "pop": "#e377c2",
    "rock": "#1f77b4",
    "others": "#bcbd22",
}

CONTROL = "control"
GROUPS = ("control", "depression", "anxiety", "bipolar", "borderline", "ptsd", "panic")
DISORDER_GROUPS = tuple(g for g in GROUPS if g != CONTROL)

# Local clock hours [start, end) of each part of the day.
TIMES_OF_DAY = ("morning", "afternoon", "evening", "night")
TIME_OF_DAY_HOURS = {"morning": (6, 12), "afternoon": (12, 18), "evening": (18, 24), "night": (0, 6)}

INTERVALS = (30, 60, 90)  # minutes after a session in which the user's tweets give its stress

STRESS_MIN, STRESS_MAX = -5.0, -1.0  # TensiStrength's range: -5 very stressed, -1 no stress

# Class schemes: the target genre -> class name. None drops the sample.
CLASS_SCHEMES = {
    6: {g: g for g in GENRES},
    4: {"jazz": "others", "electronic": "others", "hiphop": "hiphop", "pop": "pop", "rock": "rock", "others": "others"},
    3: {"jazz": None, "electronic": None, "hiphop": "hiphop", "pop": "pop", "rock": "rock", "others": None},
}


def class_names(classes: int) -> list[str]:
    """The classes of a scheme, in GENRES order."""
    kept = {name for name in CLASS_SCHEMES[classes].values() if name is not None}
    return [g for g in GENRES if g in kept]


def time_of_day(hour: int) -> str:
    """The part of the day that a local clock hour (0-23) falls in."""
    for name, (start, end) in TIME_OF_DAY_HOURS.items():
        if start <= hour < end:
            return name
    raise ValueError(f"hour out of range: {hour}")
