from django.apps import AppConfig


class BzpeerConfig(AppConfig):
    name = "bzpeer"
    verbose_name = "bzpeer"

    def ready(self) -> None:
        from bzpeer import checks  # noqa: F401  (registers the configuration checks)
