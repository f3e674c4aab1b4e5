"""The National Career Clusters® Framework (Advance CTE, 2024 edition): a fixed list."""

CAREER_CLUSTERS: tuple[str, ...] = (
    "Advanced Manufacturing",
    "Agriculture",
    "Arts, Entertainment & Design",
    "Construction",
    "Digital Technology",
    "Education",
    "Energy & Natural Resources",
    "Financial Services",
    "Healthcare & Human Services",
    "Hospitality, Events & Tourism",
    "Management & Entrepreneurship",
    "Marketing & Sales",
    "Public Service & Safety",
    "Supply Chain & Transportation",
)
