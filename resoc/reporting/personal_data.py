"""The personal data of stories and media coverage (see resoc.ops.retention).

A story or an article about a person tells who they are. When their identity is due, its text
(and the article's address, whose words often name them) is blanked and a story is taken down;
what stays is that there was a story or an article, when and where.
"""

from resoc.ops.retention import register
from resoc.reporting.models import MediaCoverage, Story

register(
    Story,
    person_path="person",
    fields=["title", "body"],
    activity=["published_on"],
    values={"published": False},
)
register(
    MediaCoverage,
    person_path="person",
    fields=["title", "url", "summary"],
    activity=["published_on"],
)
