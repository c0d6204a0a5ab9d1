from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = "Realtime"

    def ready(self) -> None:
        """Give the page list its "editing now" counts, which only the WebSocket side knows."""
        from documents.selectors.presence import presence_source_set
        from realtime.stats import people_now

        presence_source_set(people_now)
