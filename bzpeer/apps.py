from django.apps import AppConfig


class BzpeerConfig(AppConfig):
    name = "bzpeer"
    verbose_name = "bzpeer"

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from bzpeer import checks  # noqa: F401  (registers the configuration checks)
        from bzpeer.site import sync_site_record

        # bzpeer has no models, so migrate sends it no post_migrate: listen to the sites app's,
        # after its own receiver (connected first) has created the default record.
        post_migrate.connect(sync_site_record, sender=apps.get_app_config("sites"))

        from django.db.backends.signals import connection_created

        from bzpeer.page_cache import install_write_watcher

        # Every database write to bzpeer's tables moves the cached pages' data generation.
        connection_created.connect(install_write_watcher, dispatch_uid="bzpeer.write_watcher")
