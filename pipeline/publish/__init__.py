"""Publishing: the static site in [paths].feed (feed.xml, pages, media) built from every produced episode.

    from pipeline.publish import build_site
    feed_xml_path = build_site(load_show(Path("config.toml")))

Modules: model (data, URLs, stable guids and dates, show notes), collect (reads episode folders), checks
(Apple's rules, artwork, URLs, unique guids), feedext (feedgen extensions), feed (feed.xml), pages (HTML),
site (build_site: writes the folder).
"""

from pipeline.identity import episode_guid, podcast_guid
from pipeline.publish.site import build_site, episode_page, publish_episode, publish_show

__all__ = ["build_site", "episode_guid", "episode_page", "podcast_guid", "publish_episode", "publish_show"]
