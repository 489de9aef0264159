"""Scanning pages: a municipality's feeds, signals and radar; the region's waves and matrix."""

from django.urls import path

from .views import feeds, radar, signals

app_name = "scanning"

urlpatterns = [
    # feeds
    path("municipalities/<str:code>/scanning/feeds/", feeds.feed_list, name="feed_list"),
    path("municipalities/<str:code>/scanning/feeds/add/", feeds.feed_add, name="feed_add"),
    path("municipalities/<str:code>/scanning/feeds/import/", feeds.feed_import, name="feed_import"),
    path("municipalities/<str:code>/scanning/feeds/scan/", feeds.feed_scan, name="feed_scan"),
    path(
        "municipalities/<str:code>/scanning/feeds/<int:pk>/remove/",
        feeds.feed_remove,
        name="feed_remove",
    ),
    path("regions/<str:code>/scanning/feeds/", feeds.region_feed_list, name="region_feed_list"),
    path("regions/<str:code>/scanning/feeds/add/", feeds.region_feed_add, name="region_feed_add"),
    path(
        "regions/<str:code>/scanning/feeds/import/",
        feeds.region_feed_import,
        name="region_feed_import",
    ),
    path(
        "regions/<str:code>/scanning/feeds/scan/", feeds.region_feed_scan, name="region_feed_scan"
    ),
    path(
        "regions/<str:code>/scanning/feeds/<int:pk>/remove/",
        feeds.region_feed_remove,
        name="region_feed_remove",
    ),
    # signals
    path("municipalities/<str:code>/scanning/signals/", signals.signal_list, name="signal_list"),
    path("municipalities/<str:code>/scanning/signals/add/", signals.signal_add, name="signal_add"),
    path(
        "municipalities/<str:code>/scanning/signals/<int:pk>/waves/",
        signals.signal_confirm,
        name="signal_confirm",
    ),
    # radar
    path("municipalities/<str:code>/scanning/radar/", radar.radar, name="radar"),
    path(
        "municipalities/<str:code>/scanning/radar/export.<str:fmt>",
        radar.radar_export,
        name="radar_export",
    ),
    path(
        "municipalities/<str:code>/scanning/radar/import/",
        radar.radar_import,
        name="radar_import",
    ),
    path(
        "municipalities/<str:code>/scanning/radar/waves/<slug:wave_key>/",
        radar.radar_place,
        name="radar_place",
    ),
    path("regions/<str:code>/scanning/", radar.region_scanning, name="region_scanning"),
    path("regions/<str:code>/scanning/radar/", radar.region_radar, name="region_radar"),
    path("regions/<str:code>/scanning/waves/", radar.wave_list, name="wave_list"),
    path("regions/<str:code>/scanning/waves/add/", radar.wave_add, name="wave_add"),
    path(
        "regions/<str:code>/scanning/waves/<slug:wave_key>/edit/",
        radar.wave_edit,
        name="wave_edit",
    ),
]
