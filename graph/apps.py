from django.apps import AppConfig


class GraphConfig(AppConfig):
    name = "graph"
    verbose_name = "Research graph"

    def ready(self):
        from graph import receivers  # noqa: F401  (connects the receivers)
