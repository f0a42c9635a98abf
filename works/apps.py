from django.apps import AppConfig


class WorksConfig(AppConfig):
    name = "works"
    verbose_name = "Works"

    def ready(self):
        from django.db.backends.signals import connection_created

        from works.search import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="works.sqlite_fold")
